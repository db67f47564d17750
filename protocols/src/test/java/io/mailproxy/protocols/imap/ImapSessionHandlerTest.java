package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Protocol;
import io.mailproxy.protocols.sasl.Sasl;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The IMAP session before login, byte for byte; client input fed whole, split at every offset and byte by byte. */
class ImapSessionHandlerTest {

    /** What the client saw after the greeting, whether the connection is still open, what was authenticated. */
    private record Transcript(String received, boolean open, List<String> logins, SessionRecord.Outcome outcome) {
    }

    private static Transcript run(Supplier<ImapHarness> factory, Chunking chunking) {
        try (ImapHarness h = factory.get()) {
            h.greeted().send(chunking);
            String received = h.received();
            List<String> logins = h.auth.requests().stream().map(ImapSessionHandlerTest::describe).toList();
            assertThat(h.connectedToBackend()).isFalse();
            return new Transcript(received, h.client.isOpen(), logins, h.session().outcome());
        }
    }

    private static String describe(AuthRequest r) {
        assertThat(r.protocol()).isEqualTo(Protocol.IMAP);
        return r.mechanism() + " " + r.user() + "/" + r.password() + " #" + r.attempt();
    }

    /** Runs {@code input} every way it could arrive; all runs must agree. */
    private static Transcript everySplit(Supplier<ImapHarness> factory, String input) {
        List<Chunking> chunkings = ImapSplits.chunkings(input.getBytes(StandardCharsets.ISO_8859_1));
        Transcript first = run(factory, chunkings.get(0));
        for (Chunking c : chunkings.subList(1, chunkings.size())) {
            assertThat(run(factory, c)).as(c.name()).isEqualTo(first);
        }
        return first;
    }

    private static Transcript everySplit(String input) {
        return everySplit(ImapHarness::standard, input);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- commands answered by the proxy ----------------------------------------------------------

    @Test
    void greetingShouldAnnounceConfiguredCapabilities() {
        try (ImapHarness h = new ImapHarness(ProxySettings.defaults(), ImapHarness.accounts(Duration.ZERO),
                new ImapConfig(List.of("IMAP4rev1", "AUTH=PLAIN")))) {
            assertThat(h.received()).isEqualTo("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] IMAP4rev1 proxy ready\r\n");
            h.send("a CAPABILITY\r\n");
            assertThat(h.received()).isEqualTo("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na OK CAPABILITY completed\r\n");
        }
    }

    @Test
    void capabilityAndNoopShouldBeAnsweredInOrder() {
        Transcript t = everySplit("a1 CAPABILITY\r\na2 noop\r\n");
        assertThat(t.received()).isEqualTo("* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN\r\n"
                + "a1 OK CAPABILITY completed\r\na2 OK NOOP completed\r\n");
        assertThat(t.open()).isTrue();
    }

    @Test
    void logoutShouldSayByeThenCloseWhenNotLoggedIn() {
        Transcript t = everySplit("z LOGOUT\r\ny NOOP\r\n");
        assertThat(t.received()).isEqualTo("* BYE Logging out\r\nz OK LOGOUT completed\r\n");
        assertThat(t.open()).isFalse();
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.LOGOUT);
    }

    @Test
    void idShouldAnswerNilAndRememberTheClientsParameters() {
        Transcript t = everySplit("a ID (\"name\" \"Thunderbird\" \"version\" {3+}\r\n115)\r\n");
        assertThat(t.received()).isEqualTo("* ID NIL\r\na OK ID completed\r\n");
        try (ImapHarness h = ImapHarness.standard()) {
            assertThat(ImapAttributes.clientId(h.client)).isNull();
            h.greeted().send("a ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n");
            assertThat(h.received()).isEqualTo("* ID NIL\r\na OK ID completed\r\n");
            assertThat(ImapAttributes.clientId(h.client)).isEqualTo(new ImapClientId(List.of(
                    new ImapClientId.Field("name", "Thunderbird"), new ImapClientId.Field("version", null))));
            assertThat(ImapAttributes.clientId(h.client).get("NAME")).isEqualTo("Thunderbird");
            h.send("b ID NIL\r\n");
            assertThat(h.received()).isEqualTo("* ID NIL\r\nb OK ID completed\r\n");
            assertThat(ImapAttributes.clientId(h.client)).isEqualTo(ImapClientId.NIL);
        }
    }

    // ---- errors ----------------------------------------------------------------------------------

    @Test
    void commandsNotValidBeforeLoginShouldBeBad() {
        Transcript t = everySplit("a SELECT INBOX\r\nb ENABLE UTF8=ACCEPT\r\nc STARTTLS\r\nd NOOP\r\n");
        assertThat(t.received()).isEqualTo("a BAD SELECT not allowed now\r\nb BAD ENABLE not allowed now\r\n"
                + "c BAD STARTTLS not available\r\nd OK NOOP completed\r\n");
        assertThat(t.open()).isTrue();
    }

    @Test
    void invalidLinesShouldBeBadTaggedWhenPossibleAndUntaggedOtherwise() {
        Transcript t = everySplit("a FOOBAR\r\n* LOGIN a b\r\nb LOGIN alice\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("a BAD Unknown command\r\n* BAD Invalid tag\r\n"
                + "b BAD Missing arguments\r\nc OK NOOP completed\r\n");
    }

    @Test
    void bareLfShouldBeBad() {
        assertThat(everySplit("a NOOP\nb NOOP\r\n").received())
                .isEqualTo("a BAD Line must end with CRLF\r\nb OK NOOP completed\r\n");
    }

    @Test
    void maxErrorsShouldSendTheReplyThenByeAndClose() {
        Transcript t = everySplit("1 X\r\n2 X\r\n* X\r\n4 SELECT x\r\n5 X {3}\r\n6 NOOP\r\n");
        assertThat(t.received()).isEqualTo("1 BAD Unknown command\r\n2 BAD Unknown command\r\n* BAD Invalid tag\r\n"
                + "4 BAD SELECT not allowed now\r\n5 BAD Unknown command\r\n* BYE Too many invalid commands.\r\n");
        assertThat(t.open()).isFalse();
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.TOO_MANY_ERRORS);
    }

    @Test
    void maxErrorsShouldFollowTheSetting() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(2)),
                "a X\r\nb NOOP\r\nc X\r\nd NOOP\r\n");
        assertThat(t.received()).isEqualTo("a BAD Unknown command\r\nb OK NOOP completed\r\n"
                + "c BAD Unknown command\r\n* BYE Too many invalid commands.\r\n");
        assertThat(t.open()).isFalse();
    }

    @Test
    void nonSyncLiteralOfUnknownCommandShouldBeSkippedWithOneBad() {
        // "c LOGOUT\r\n" is the literal: parsed as a command it would say BYE and close.
        Transcript t = everySplit("a03 FOOBAR {10+}\r\nc LOGOUT\r\n\r\nd NOOP\r\n");
        assertThat(t.received()).isEqualTo("a03 BAD Unknown command\r\nd OK NOOP completed\r\n");
        assertThat(t.open()).isTrue();
    }

    @Test
    void syncLiteralOfInvalidCommandShouldGetBadInsteadOfContinuation() {
        Transcript t = everySplit("a SELECT {5}\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("a BAD SELECT not allowed now\r\nb OK NOOP completed\r\n");
    }

    @Test
    void syncLiteralTooBigShouldBeBadWithoutContinuationAndCounted() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(2)),
                "a LOGIN {8190}\r\nb LOGIN {99999999999999999999}\r\n");
        assertThat(t.received()).isEqualTo("a BAD Literal too big\r\nb BAD Literal too big\r\n"
                + "* BYE Too many invalid commands.\r\n");
        assertThat(t.logins()).isEmpty();
    }

    @Test
    void overLongLineShouldBeAnsweredThenClosed() {
        Transcript t = everySplit("a NOOP\r\nb LOGIN alice " + "x".repeat(8200) + "\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("a OK NOOP completed\r\n* BAD line too long\r\n");
        assertThat(t.open()).isFalse();
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.LINE_TOO_LONG);
    }

    @Test
    void nonSyncLiteralTooBigShouldBeAnsweredAsLineTooLongThenClosed() {
        Transcript t = everySplit("a LOGIN {9000+}\r\nxxxx");
        assertThat(t.received()).isEqualTo("* BAD line too long\r\n");
        assertThat(t.open()).isFalse();
        Transcript huge = everySplit("a FOO {99999999999999999999+}\r\n");
        assertThat(huge.received()).isEqualTo("* BAD line too long\r\n");
        assertThat(huge.open()).isFalse();
    }

    // ---- LOGIN -----------------------------------------------------------------------------------

    @Test
    void loginShouldAuthenticateTheUnquotedUnescapedCredentials() {
        Transcript t = everySplit("a LOGIN alice wrong\r\nb LOGIN \"b\\\\o\\\"b\" {3}\r\nx y\r\nc LOGIN {0+}\r\n \"\"\r\n");
        assertThat(t.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                + "+ OK\r\nb NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                + "c NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        assertThat(t.logins()).containsExactly("LOGIN alice/wrong #1", "LOGIN b\\o\"b/x y #2", "LOGIN / #3");
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
    }

    @Test
    void loginShouldBeRefusedBeforeAuthenticatingWhenUserOrPasswordHoldsNul() {
        Transcript t = everySplit("a LOGIN {3+}\r\na\0b pw\r\nb LOGIN alice {4+}\r\nx\0yz\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                + "b NO [AUTHENTICATIONFAILED] Authentication failed.\r\nc OK NOOP completed\r\n");
        assertThat(t.logins()).isEmpty();
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
    }

    @Test
    void failedLoginsShouldCountTowardsMaxErrors() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(2)),
                "a LOGIN alice x\r\nb LOGIN alice y\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                + "b NO [AUTHENTICATIONFAILED] Authentication failed.\r\n* BYE Too many invalid commands.\r\n");
        assertThat(t.open()).isFalse();
    }

    @Test
    void rejectedLoginShouldBeAnsweredOnlyAfterTheDelay() {
        try (ImapHarness h = ImapHarness.with(ImapHarness.accounts(Duration.ofSeconds(2)))) {
            h.greeted().send("a LOGIN alice wrong\r\nb NOOP\r\n");
            assertThat(h.received()).isEmpty();
            h.advance(Duration.ofMillis(1999));
            assertThat(h.received()).isEmpty();
            h.advance(Duration.ofMillis(1));
            assertThat(h.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\nb OK NOOP completed\r\n");
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
        }
    }

    @Test
    void pendingLoginShouldHoldPipelinedCommandsUntilAnswered() {
        try (ImapHarness h = ImapHarness.with(ImapHarness.accounts(Duration.ZERO).deferred())) {
            h.greeted().send("a LOGIN alice wrong\r\nb NOOP\r\n");
            assertThat(h.received()).isEmpty();
            assertThat(h.auth.pendingCount()).isEqualTo(1);
            h.auth.complete();
            assertThat(h.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\nb OK NOOP completed\r\n");
        }
    }

    @Test
    void unavailableAuthenticationShouldBeTemporaryFailure() {
        Transcript t = everySplit(() -> ImapHarness.with(ImapHarness.always(new AuthOutcome.Unavailable("db down"))),
                "a LOGIN alice secret\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\nb OK NOOP completed\r\n");
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.UNAVAILABLE);
    }

    @Test
    void authServerTextShouldBeTheNoReplyAndEndTheSessionWithoutAuthWait() {
        Transcript t = everySplit(() -> ImapHarness.with(ImapHarness.always(new AuthOutcome.Rejected(
                "auth_http: Invalid login or password", Duration.ZERO, "Invalid login or password", null, true))),
                "a LOGIN alice wrong\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO Invalid login or password\r\n");
        assertThat(t.open()).isFalse();
        assertThat(t.outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
    }

    @Test
    void authServerTextWithAuthWaitShouldBeTheNoReplyAfterTheWaitAndAllowARetry() {
        try (ImapHarness h = ImapHarness.with(ImapHarness.always(new AuthOutcome.Rejected(
                "auth_http: Falsches Passwort", Duration.ofSeconds(3), "Falsches Passw\u00f6rt", null, false)))) {
            h.greeted().send("a LOGIN alice wrong\r\nb NOOP\r\n");
            h.advance(Duration.ofMillis(2999));
            assertThat(h.received()).isEmpty();
            h.advance(Duration.ofMillis(1));
            h.client.runPendingTasks();
            assertThat(SplitFeeder.drainOutbound(h.client).getBytes(StandardCharsets.ISO_8859_1))
                    .isEqualTo("a NO Falsches Passw\u00f6rt\r\nb OK NOOP completed\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(h.client.isOpen()).isTrue();
        }
    }

    @Test
    void loginTimeoutShouldSayAutologoutThenClose() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a NOOP\r\n");
            assertThat(h.received()).isEqualTo("a OK NOOP completed\r\n");
            h.advance(Duration.ofSeconds(59));
            assertThat(h.received()).isEmpty();
            assertThat(h.client.isOpen()).isTrue();
            h.advance(Duration.ofSeconds(1));
            assertThat(h.received()).isEqualTo("* BYE Autologout; idle for too long\r\n");
            assertThat(h.client.isOpen()).isFalse();
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.LOGIN_TIMEOUT);
        }
    }

    // ---- AUTHENTICATE ----------------------------------------------------------------------------

    @Test
    void authenticatePlainShouldTakeTheInitialResponseOnTheSameLine() {
        Transcript t = everySplit("a AUTHENTICATE PLAIN " + b64("\0alice\0wrong") + "\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\nb OK NOOP completed\r\n");
        assertThat(t.logins()).containsExactly("PLAIN alice/wrong #1");
    }

    @Test
    void authenticatePlainShouldAskForTheResponseWithoutInitialResponse() {
        Transcript t = everySplit("a authenticate plain\r\n" + b64("alice\0alice\0wrong") + "\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("+ \r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\nb OK NOOP completed\r\n");
        assertThat(t.logins()).containsExactly("PLAIN alice/wrong #1");
    }

    @Test
    void authenticatePlainShouldFailWhenAuthorizingAnotherIdentity() {
        Transcript t = everySplit("a AUTHENTICATE PLAIN " + b64("root\0alice\0secret") + "\r\n");
        assertThat(t.received()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        assertThat(t.logins()).isEmpty();
    }

    @Test
    void authenticateLoginShouldPromptForUserThenPassword() {
        Transcript t = everySplit("a AUTHENTICATE LOGIN\r\n" + b64("alice") + "\r\n" + b64("wrong") + "\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("+ " + Sasl.LOGIN_USER_PROMPT + "\r\n+ " + Sasl.LOGIN_PASSWORD_PROMPT + "\r\n"
                + "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\nb OK NOOP completed\r\n");
        assertThat(t.logins()).containsExactly("LOGIN alice/wrong #1");
        assertThat(Sasl.LOGIN_USER_PROMPT).isEqualTo("VXNlcm5hbWU6");
        assertThat(Sasl.LOGIN_PASSWORD_PROMPT).isEqualTo("UGFzc3dvcmQ6");
    }

    @Test
    void authenticateLoginShouldTakeTheUserAsInitialResponse() {
        Transcript t = everySplit("a AUTHENTICATE LOGIN " + b64("alice") + "\r\n" + b64("wrong") + "\r\n");
        assertThat(t.received()).isEqualTo("+ UGFzc3dvcmQ6\r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        assertThat(t.logins()).containsExactly("LOGIN alice/wrong #1");
    }

    @Test
    void authenticateLoginShouldRefuseNulBeforeAuthenticating() {
        Transcript t = everySplit("a AUTHENTICATE LOGIN\r\n" + b64("al\0ice") + "\r\n" + b64("pw") + "\r\n");
        assertThat(t.received()).isEqualTo("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n"
                + "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        assertThat(t.logins()).isEmpty();
    }

    @Test
    void starShouldCancelAuthenticateWithoutCountingAsError() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(1)),
                "a AUTHENTICATE PLAIN\r\n*\r\nb AUTHENTICATE LOGIN\r\n" + b64("alice") + "\r\n*\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("+ \r\na BAD AUTHENTICATE cancelled\r\n"
                + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\nb BAD AUTHENTICATE cancelled\r\nc OK NOOP completed\r\n");
        assertThat(t.open()).isTrue();
        assertThat(t.logins()).isEmpty();
    }

    @Test
    void badBase64ShouldBeBadAndCounted() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(3)),
                "a AUTHENTICATE PLAIN\r\n%%%\r\nb AUTHENTICATE PLAIN AGFsaWNl\r\nc AUTHENTICATE LOGIN\r\nYWxp\nY2U=\r\n");
        assertThat(t.received()).isEqualTo("+ \r\na BAD Invalid SASL response\r\nb BAD Invalid SASL response\r\n"
                + "+ VXNlcm5hbWU6\r\nc BAD Line must end with CRLF\r\n* BYE Too many invalid commands.\r\n");
        assertThat(t.open()).isFalse();
        assertThat(t.logins()).isEmpty();
    }

    @Test
    void unsupportedMechanismShouldBeRefusedAndCounted() {
        Transcript t = everySplit(() -> ImapHarness.with(ProxySettings.defaults().withMaxErrors(2)),
                "a AUTHENTICATE CRAM-MD5\r\nb AUTHENTICATE GSSAPI =\r\n");
        assertThat(t.received()).isEqualTo("a NO Unsupported authentication mechanism\r\n"
                + "b NO Unsupported authentication mechanism\r\n* BYE Too many invalid commands.\r\n");
    }

    @Test
    void mechanismShouldBeRefusedWhenNotAnnounced() {
        Transcript t = everySplit(() -> new ImapHarness(ProxySettings.defaults(), ImapHarness.accounts(Duration.ZERO),
                new ImapConfig(List.of("IMAP4rev1", "AUTH=PLAIN"))), "a AUTHENTICATE LOGIN\r\nb NOOP\r\n");
        assertThat(t.received()).isEqualTo("a NO Unsupported authentication mechanism\r\nb OK NOOP completed\r\n");
    }

    @Test
    void continuationLineShouldNotBeParsedAsCommand() {
        Transcript t = everySplit("a AUTHENTICATE PLAIN\r\nb LOGOUT\r\nc NOOP\r\n");
        assertThat(t.received()).isEqualTo("+ \r\na BAD Invalid SASL response\r\nc OK NOOP completed\r\n");
        assertThat(t.open()).isTrue();
    }
}
