package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.proxy.HandlerNames;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Logging in to the backend and splicing, with the backend played on an EmbeddedChannel. */
class ImapBackendLoginTest {
    private static final String BACKEND_GREETING = "* OK [CAPABILITY IMAP4rev1 LITERAL+] Dovecot ready.\r\n";
    private static final String LOGGED_IN = "* CAPABILITY IMAP4rev1 IDLE MOVE\r\n"
            + "a OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in\r\n";

    private static String utf8AsIso(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void loginShouldRelayTheBackendsReplyVerbatimButNotItsGreeting() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            assertThat(h.received()).isEmpty();
            assertThat(h.auth.requests()).hasSize(1);
            assertThat(h.backendReceived()).isEmpty();
            h.backendSends(BACKEND_GREETING);
            assertThat(h.backendReceived()).isEqualTo("a LOGIN \"alice\" \"secret\"\r\n");
            assertThat(h.received()).isEmpty();
            h.backendSends(LOGGED_IN);
            assertThat(h.received()).isEqualTo(LOGGED_IN);
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.RELAYED);
            assertThat(h.session().user()).isEqualTo("alice");
            assertThat(h.client.pipeline().get(HandlerNames.DECODER)).isNull();
            assertThat(h.client.pipeline().get(HandlerNames.SESSION)).isNull();
            assertThat(h.client.pipeline().get(HandlerNames.LOGIN_TIMEOUT)).isNull();

            // Now a byte relay both ways.
            h.send("b SELECT INBOX\r\n");
            assertThat(h.backendReceived()).isEqualTo("b SELECT INBOX\r\n");
            h.backendSends("* 3 EXISTS\r\nb OK [READ-WRITE] Select completed\r\n");
            assertThat(h.received()).isEqualTo("* 3 EXISTS\r\nb OK [READ-WRITE] Select completed\r\n");
            h.advance(Duration.ofMinutes(5));
            assertThat(h.client.isOpen()).isTrue();
        }
    }

    @Test
    void loginShouldWorkWhateverWayTheBackendRepliesArrive() {
        String backend = BACKEND_GREETING + LOGGED_IN;
        for (Chunking c : ImapSplits.chunkings(backend)) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send("a LOGIN alice secret\r\n");
                for (byte[] chunk : c.chunks()) {
                    h.backendSends(new String(chunk, StandardCharsets.ISO_8859_1));
                }
                assertThat(h.backendReceived()).as(c.name()).isEqualTo("a LOGIN \"alice\" \"secret\"\r\n");
                assertThat(h.received()).as(c.name()).isEqualTo(LOGGED_IN);
                assertThat(h.session().outcome()).as(c.name()).isEqualTo(SessionRecord.Outcome.RELAYED);
            }
        }
    }

    @Test
    void loginFromClientLiteralsShouldReachTheBackendAsTheSameBytes() {
        // b\u00f6b / p"w\d\u00e9 sent by the client as literals, split every way.
        String user = utf8AsIso("b\u00f6b");
        String password = utf8AsIso("p\"w\\d\u00e9");
        String input = "a LOGIN {" + user.length() + "}\r\n" + user + " {" + password.length() + "+}\r\n" + password + "\r\n";
        for (Chunking c : ImapSplits.chunkings(input)) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send(c);
                assertThat(h.received()).as(c.name()).isEqualTo("+ OK\r\n");
                assertThat(h.auth.requests()).as(c.name()).hasSize(1);
                assertThat(h.auth.requests().get(0).user()).isEqualTo("b\u00f6b");
                assertThat(h.auth.requests().get(0).password()).isEqualTo("p\"w\\d\u00e9");
                h.backendSends(BACKEND_GREETING);
                // Literals to the backend are synchronising: nothing more until its "+".
                assertThat(h.backendReceived()).isEqualTo("a LOGIN {4}\r\n");
                h.backendSends("+ OK\r\n");
                assertThat(h.backendReceived()).isEqualTo(user + " {" + password.length() + "}\r\n");
                h.backendSends("+ go ahead\r\n");
                assertThat(h.backendReceived()).isEqualTo(password + "\r\n");
                h.backendSends(LOGGED_IN);
                assertThat(h.received()).isEqualTo(LOGGED_IN);
            }
        }
    }

    @Test
    void backendLiteralShouldBeUsedOnlyWhenQuotingCannotCarryTheValue() {
        assertThat(ImapBackendLogin.needsLiteral(bytes("alice@example.com"))).isFalse();
        assertThat(ImapBackendLogin.needsLiteral(bytes("with space (and) {braces} % * ]"))).isFalse();
        assertThat(ImapBackendLogin.needsLiteral(bytes(""))).isFalse();
        for (String s : List.of("a\"b", "a\\b", "a\rb", "a\nb", "a\tb", "a\u007fb")) {
            assertThat(ImapBackendLogin.needsLiteral(bytes(s))).as(s).isTrue();
        }
        assertThat(ImapBackendLogin.needsLiteral("\u00e9".getBytes(StandardCharsets.UTF_8))).isTrue();

        assertThat(pieces("t1", "alice", "")).containsExactly("t1 LOGIN \"alice\" \"\"\r\n");
        assertThat(pieces("t1", "alice", "a\r\nt2 LOGOUT")).containsExactly(
                "t1 LOGIN \"alice\" {12}\r\n", "a\r\nt2 LOGOUT\r\n");
        assertThat(pieces("t1", "x\"", "y\\")).containsExactly("t1 LOGIN {2}\r\n", "x\" {2}\r\n", "y\\\r\n");
        assertThat(pieces("t1", "x\"", "pw")).containsExactly("t1 LOGIN {2}\r\n", "x\" \"pw\"\r\n");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> pieces(String tag, String user, String password) {
        return ImapBackendLogin.loginCommand(tag, bytes(user), bytes(password)).stream()
                .map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void backendShouldGetTheAcceptedBackendCredentials() {
        ScriptedAuthenticator auth = new ScriptedAuthenticator(r ->
                new AuthOutcome.Accepted(ImapHarness.ROUTE, "alice@backend", "line1\r\nline2"));
        try (ImapHarness h = ImapHarness.with(auth)) {
            h.greeted().send("x9 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n");
            h.backendSends(BACKEND_GREETING);
            assertThat(h.backendReceived()).isEqualTo("x9 LOGIN \"alice@backend\" {12}\r\n");
            h.backendSends("+ \r\n");
            assertThat(h.backendReceived()).isEqualTo("line1\r\nline2\r\n");
            h.backendSends("x9 OK Logged in\r\n");
            assertThat(h.received()).isEqualTo("x9 OK Logged in\r\n");
            assertThat(h.auth.requests().get(0).mechanism()).isEqualTo("PLAIN");
            assertThat(h.proxy.connector().routes()).containsExactly(ImapHarness.ROUTE);
        }
    }

    @Test
    void pipelinedCommandShouldReachTheBackendAfterASuccessfulLogin() {
        for (Chunking c : ImapSplits.chunkings("a LOGIN alice secret\r\nb LOGOUT\r\n")) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send(c);
                h.backendSends(BACKEND_GREETING);
                assertThat(h.backendReceived()).as(c.name()).isEqualTo("a LOGIN \"alice\" \"secret\"\r\n");
                h.backendSends("a OK Logged in\r\n");
                assertThat(h.backendReceived()).as(c.name()).isEqualTo("b LOGOUT\r\n");
                h.backendSends("* BYE Logging out\r\nb OK Logout completed.\r\n");
                h.backend().close();
                h.client.runPendingTasks();
                assertThat(h.received()).as(c.name())
                        .isEqualTo("a OK Logged in\r\n* BYE Logging out\r\nb OK Logout completed.\r\n");
                assertThat(h.client.isOpen()).as(c.name()).isFalse();
            }
        }
    }

    @Test
    void pipelinedCommandShouldBeAnsweredByTheProxyAfterAFailedLogin() {
        for (Chunking c : ImapSplits.chunkings("a LOGIN alice wrong\r\nb LOGOUT\r\n")) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send(c);
                assertThat(h.received()).as(c.name()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                        + "* BYE Logging out\r\nb OK LOGOUT completed\r\n");
                assertThat(h.connectedToBackend()).isFalse();
                assertThat(h.client.isOpen()).isFalse();
            }
        }
    }

    @Test
    void backendRefusalShouldBeRelayedWithItsUntaggedLinesAndCounted() {
        try (ImapHarness h = ImapHarness.with(ProxySettings.defaults().withMaxErrors(2))) {
            h.greeted().send("a LOGIN alice secret\r\nb NOOP\r\n");
            h.backendSends(BACKEND_GREETING);
            assertThat(h.backendReceived()).isEqualTo("a LOGIN \"alice\" \"secret\"\r\n");
            h.backendSends("* NO account locked\r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
            assertThat(h.received()).isEqualTo("* NO account locked\r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                    + "b OK NOOP completed\r\n");
            assertThat(h.backend().isOpen()).isFalse();
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.BACKEND_REJECTED);
            assertThat(h.client.isOpen()).isTrue();
            h.send("c X\r\n");
            assertThat(h.received()).isEqualTo("c BAD Unknown command\r\n* BYE Too many invalid commands.\r\n");
        }
    }

    @Test
    void backendBadShouldBeRelayedLikeARefusal() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.backendSends(BACKEND_GREETING + "a bad Error in IMAP command\r\n");
            assertThat(h.received()).isEqualTo("a bad Error in IMAP command\r\n");
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.BACKEND_REJECTED);
        }
    }

    @Test
    void backendGreetingOtherThanOkShouldBeTemporaryFailure() {
        for (String greeting : List.of("* BYE Too many connections\r\n", "* PREAUTH logged in as root\r\n",
                "HTTP/1.1 400 Bad Request\r\n", "* OKAY\r\n", "+OK POP3 ready\r\n")) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send("a LOGIN alice secret\r\nb NOOP\r\n");
                h.backendSends(greeting);
                assertThat(h.backendReceived()).as(greeting).isEmpty();
                assertThat(h.received()).as(greeting)
                        .isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\nb OK NOOP completed\r\n");
                assertThat(h.backend().isOpen()).isFalse();
                assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.UNAVAILABLE);
            }
        }
    }

    @Test
    void unexpectedBackendReplyShouldBeTemporaryFailure() {
        for (String reply : List.of("b OK wrong tag\r\n", "+ more please\r\n", "a MAYBE\r\n", "a\r\n")) {
            try (ImapHarness h = ImapHarness.standard()) {
                h.greeted().send("a LOGIN alice secret\r\n");
                h.backendSends(BACKEND_GREETING + reply);
                assertThat(h.received()).as(reply).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\n");
            }
        }
    }

    @Test
    void backendRefusingTheLiteralShouldBeRelayed() {
        try (ImapHarness h = ImapHarness.with(ScriptedAuthenticator.accounts(Map.of("b\"b", "x"), ImapHarness.ROUTE,
                Duration.ZERO))) {
            h.greeted().send("a LOGIN \"b\\\"b\" x\r\n");
            h.backendSends(BACKEND_GREETING);
            assertThat(h.backendReceived()).isEqualTo("a LOGIN {3}\r\n");
            h.backendSends("a BAD literals not allowed\r\n");
            assertThat(h.backendReceived()).isEmpty();
            assertThat(h.received()).isEqualTo("a BAD literals not allowed\r\n");
        }
    }

    @Test
    void backendClosingDuringLoginShouldBeTemporaryFailure() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.backendSends(BACKEND_GREETING);
            h.backend().close();
            h.client.runPendingTasks();
            assertThat(h.received()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\n");
            assertThat(h.client.isOpen()).isTrue();
        }
    }

    @Test
    void silentBackendShouldTimeOutAsTemporaryFailure() {
        try (ImapHarness h = ImapHarness.with(ProxySettings.defaults().withBackendLoginTimeout(Duration.ofSeconds(30)))) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.advance(Duration.ofSeconds(29));
            assertThat(h.received()).isEmpty();
            h.advance(Duration.ofSeconds(1));
            assertThat(h.received()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\n");
            assertThat(h.backend().isOpen()).isFalse();
        }
    }

    @Test
    void connectorFailureShouldBeTemporaryFailure() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.proxy.connector().failing();
            h.greeted().send("a LOGIN alice secret\r\nb NOOP\r\n");
            assertThat(h.received()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\nb OK NOOP completed\r\n");
            assertThat(h.session().outcome()).isEqualTo(SessionRecord.Outcome.UNAVAILABLE);
        }
    }

    @Test
    void backendBytesAfterTheTaggedOkShouldFollowItToTheClient() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.backendSends(BACKEND_GREETING);
            h.backendSends("a OK Logged in\r\n* 1 EXISTS\r\n* partial");
            assertThat(h.received()).isEqualTo("a OK Logged in\r\n* 1 EXISTS\r\n* partial");
        }
    }

    @Test
    void tooManyUntaggedBackendLinesShouldFailTheLogin() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.backendSends(BACKEND_GREETING);
            String line = "* OK " + "x".repeat(1000) + "\r\n";
            for (int i = 0; i < 70 && h.backend().isOpen(); i++) {
                h.backendSends(line);
            }
            assertThat(h.received()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.\r\n");
            assertThat(h.backend().isOpen()).isFalse();
        }
    }

    @Test
    void clientClosingDuringBackendLoginShouldCloseTheBackend() {
        try (ImapHarness h = ImapHarness.standard()) {
            h.greeted().send("a LOGIN alice secret\r\n");
            h.backendSends(BACKEND_GREETING);
            EmbeddedChannel backend = h.backend();
            h.client.close();
            h.client.runPendingTasks();
            backend.runPendingTasks();
            assertThat(backend.isOpen()).isFalse();
            SplitFeeder.drainOutbound(backend);
        }
    }
}
