package io.mailproxy.protocols.pop3;

import static io.mailproxy.protocols.testsupport.SplitFeeder.drainOutbound;
import static io.mailproxy.protocols.testsupport.SplitFeeder.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.proxy.HandlerNames;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The POP3 login phase on EmbeddedChannels, byte for byte; the backend is an EmbeddedChannel too. */
class Pop3SessionHandlerTest {

    private static final String GREETING = "+OK POP3 ready\r\n";
    private static final String AUTH_FAILED = "-ERR [AUTH] Authentication failed.\r\n";
    private static final String TEMP_FAILURE = "-ERR [SYS/TEMP] Temporary failure, try again later.\r\n";
    private static final String UNKNOWN = "-ERR unknown command\r\n";
    private static final String INVALID_STATE = "-ERR command not valid in this state\r\n";
    private static final String CAPA = "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSASL PLAIN LOGIN\r\n.\r\n";
    private static final BackendRoute ROUTE = BackendRoute.of("mailhost01", 110);
    private static final Duration REJECT_DELAY = Duration.ofSeconds(2);

    private final List<EmbeddedProxy> proxies = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();

    private ProxySettings settings = ProxySettings.defaults();
    private Pop3Config config = Pop3Config.defaults();

    private static ScriptedAuthenticator accounts() {
        return ScriptedAuthenticator.accounts(Map.of("alice", "secret", "j\u00fcrgen", "pa ss"), ROUTE, REJECT_DELAY);
    }

    private EmbeddedProxy proxy(ScriptedAuthenticator authenticator) {
        EmbeddedProxy p = new EmbeddedProxy(settings, authenticator);
        proxies.add(p);
        return p;
    }

    private EmbeddedChannel connect(EmbeddedProxy p) {
        EmbeddedChannel client = p.connect(new Pop3Protocol(config));
        clients.add(client);
        return client;
    }

    @AfterEach
    void everyBufferReleased() {
        for (EmbeddedChannel c : clients) {
            c.finishAndReleaseAll();
        }
        for (EmbeddedProxy p : proxies) {
            for (EmbeddedChannel b : p.connector().backends()) {
                b.finishAndReleaseAll();
            }
            p.alloc().assertAllReleased();
        }
    }

    private record Result(String output, boolean open, List<AuthRequest> requests, SessionRecord.Outcome outcome) {
    }

    /** One fresh session per chunking of {@code input} (Rejected answered without delay); all must agree. */
    private Result runEveryWay(String input) {
        return runEveryWay(input.getBytes(StandardCharsets.UTF_8),
                ScriptedAuthenticator.accounts(Map.of("alice", "secret"), ROUTE, Duration.ZERO));
    }

    private Result runEveryWay(byte[] input, ScriptedAuthenticator template) {
        Result first = null;
        for (Chunking c : SplitFeeder.chunkings(input)) {
            ScriptedAuthenticator auth = new ScriptedAuthenticator(r -> template.authenticate(r).join());
            EmbeddedProxy p = proxy(auth);
            EmbeddedChannel client = connect(p);
            SplitFeeder.feed(client, c);
            client.runPendingTasks();
            Result r = new Result(drainOutbound(client), client.isOpen(), List.copyOf(auth.requests()),
                    EmbeddedProxy.session(client).outcome());
            client.checkException();
            client.finishAndReleaseAll();
            for (EmbeddedChannel b : p.connector().backends()) {
                b.finishAndReleaseAll();
            }
            p.alloc().assertAllReleased();
            if (first == null) {
                first = r;
            } else {
                assertThat(r).as(c.name()).isEqualTo(first);
            }
        }
        return first;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String backendWrites(EmbeddedChannel backend) {
        return drainOutbound(backend);
    }

    // ---- commands answered by the proxy ------------------------------------------------------------

    @Test
    void sessionShouldGreetWhenClientConnects() {
        Result r = runEveryWay("");

        assertThat(r.output()).isEqualTo(GREETING);
        assertThat(r.open()).isTrue();
    }

    @Test
    void capaShouldListConfiguredCapabilitiesAndSaslLine() {
        Result r = runEveryWay("CAPA\r\ncapa\r\n");

        assertThat(r.output()).isEqualTo(GREETING + CAPA + CAPA);
        assertThat(r.open()).isTrue();
    }

    @Test
    void capaShouldFollowConfigWhenCapabilitiesAndMechanismsChange() {
        config = new Pop3Config(List.of("TOP", "PIPELINING", "RESP-CODES"), List.of(Pop3Config.Mechanism.LOGIN));

        Result r = runEveryWay("CAPA\r\nAUTH\r\nAUTH PLAIN\r\n");

        assertThat(r.output()).isEqualTo(GREETING
                + "+OK Capability list follows\r\nTOP\r\nPIPELINING\r\nRESP-CODES\r\nSASL LOGIN\r\n.\r\n"
                + "+OK methods supported:\r\nLOGIN\r\n.\r\n"
                + "-ERR unsupported authentication mechanism\r\n");
    }

    @Test
    void capaShouldOmitSaslLineWhenNoMechanismConfigured() {
        config = Pop3Config.defaults().withMechanisms(List.of());

        Result r = runEveryWay("CAPA\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\n.\r\n");
    }

    @Test
    void authWithoutArgumentShouldListMechanisms() {
        Result r = runEveryWay("AUTH\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+OK methods supported:\r\nPLAIN\r\nLOGIN\r\n.\r\n");
    }

    @Test
    void noopShouldAnswerOkAndQuitShouldAnswerOkThenClose() {
        Result r = runEveryWay("NOOP\r\nQUIT\r\nNOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+OK\r\n+OK\r\n");
        assertThat(r.open()).isFalse();
        assertThat(r.outcome()).isEqualTo(SessionRecord.Outcome.LOGOUT);
    }

    @Test
    void userShouldAnswerOkWithoutAuthenticating() {
        Result r = runEveryWay("USER alice\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+OK\r\n");
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void transactionCommandsShouldBeRejectedWhenNotLoggedIn() {
        Result r = runEveryWay("STAT\r\nLIST\r\nRETR 1\r\nSTLS\r\n");

        assertThat(r.output()).isEqualTo(GREETING + INVALID_STATE.repeat(4));
        assertThat(r.open()).isTrue();
    }

    @Test
    void passShouldBeRejectedWhenNoUserCameBefore() {
        Result r = runEveryWay("PASS secret\r\n");

        assertThat(r.output()).isEqualTo(GREETING + INVALID_STATE);
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void invalidCommandShouldForgetPendingUser() {
        Result r = runEveryWay("USER alice\r\nFOO\r\nPASS secret\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+OK\r\n" + UNKNOWN + INVALID_STATE);
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void malformedLinesShouldBeAnsweredErrWhenUnknownEmptyBareLfOrNul() {
        Result r = runEveryWay("HELLO\r\n\r\nNOOP\nNO\0OP\r\nUSER\r\nNOOP x\r\n");

        // five errors is max_errors: the fifth reply is sent, then the connection closes
        assertThat(r.output()).isEqualTo(GREETING + UNKNOWN + UNKNOWN + "-ERR line must end with CRLF\r\n"
                + "-ERR NUL byte in command\r\n" + "-ERR syntax error\r\n");
        assertThat(r.open()).isFalse();
        assertThat(r.outcome()).isEqualTo(SessionRecord.Outcome.TOO_MANY_ERRORS);
    }

    @Test
    void pipelinedInvalidThenValidCommandShouldBeAnsweredInOrder() {
        Result r = runEveryWay("FOO\r\nNOOP\r\nCAPA\r\n");

        assertThat(r.output()).isEqualTo(GREETING + UNKNOWN + "+OK\r\n" + CAPA);
        assertThat(r.open()).isTrue();
    }

    @Test
    void sessionShouldCloseAfterFifthErrorReplyWhenMaxErrorsReached() {
        Result r = runEveryWay("A\r\nB\r\nC\r\nD\r\nNOOP\r\nE\r\nNOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING + UNKNOWN.repeat(4) + "+OK\r\n" + UNKNOWN);
        assertThat(r.open()).isFalse();
        assertThat(r.outcome()).isEqualTo(SessionRecord.Outcome.TOO_MANY_ERRORS);
    }

    @Test
    void sessionShouldAnswerLineTooLongAndCloseWhenLineExceedsMax() {
        settings = settings.withMaxLineLength(64);
        String ok = "USER " + "a".repeat(64 - 7) + "\r\n";
        String tooLong = "USER " + "a".repeat(64 - 6) + "\r\nNOOP\r\n";

        Result r = runEveryWay(ok + tooLong);

        assertThat(r.output()).isEqualTo(GREETING + "+OK\r\n" + "-ERR line too long\r\n");
        assertThat(r.open()).isFalse();
        assertThat(r.outcome()).isEqualTo(SessionRecord.Outcome.LINE_TOO_LONG);
    }

    @Test
    void sessionShouldAnswerLineTooLongWhenDefaultLimitExceeded() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);

        feed(client, "USER " + "a".repeat(9000) + "\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "-ERR line too long\r\n");
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void sessionShouldCloseWithoutReplyWhenLoginTimesOut() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\n");
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n");

        p.advance(client, Duration.ofSeconds(59));
        assertThat(client.isOpen()).isTrue();
        p.advance(client, Duration.ofSeconds(1));

        assertThat(client.isOpen()).isFalse();
        assertThat(drainOutbound(client)).isEmpty();
        assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.LOGIN_TIMEOUT);
    }

    // ---- USER / PASS -------------------------------------------------------------------------------

    @Test
    void userPassShouldLogInToBackendAndRelayWhenCredentialsAccepted() {
        for (Chunking c : SplitFeeder.chunkings("USER alice\r\nPASS secret\r\n")) {
            ScriptedAuthenticator auth = accounts();
            EmbeddedProxy p = proxy(auth);
            EmbeddedChannel client = connect(p);

            SplitFeeder.feed(client, c);

            assertThat(drainOutbound(client)).as(c.name()).isEqualTo(GREETING + "+OK\r\n");
            assertThat(auth.requests()).singleElement().satisfies(req -> {
                assertThat(req.user()).isEqualTo("alice");
                assertThat(req.password()).isEqualTo("secret");
                assertThat(req.mechanism()).isEqualTo("USER");
                assertThat(req.attempt()).isEqualTo(1);
            });
            assertThat(p.connector().routes()).containsExactly(ROUTE);
            EmbeddedChannel backend = p.connector().backend();
            assertThat(backendWrites(backend)).as("nothing before the greeting").isEmpty();

            feed(backend, "+OK Dovecot ready.\r\n");
            assertThat(backendWrites(backend)).isEqualTo("USER alice\r\n");
            feed(backend, "+OK\r\n");
            assertThat(backendWrites(backend)).isEqualTo("PASS secret\r\n");
            assertThat(drainOutbound(client)).as("nothing to the client before the login ends").isEmpty();
            feed(backend, "+OK Logged in.\r\n");

            assertThat(drainOutbound(client)).isEqualTo("+OK Logged in.\r\n");
            assertThat(client.pipeline().get(HandlerNames.DECODER)).isNull();
            assertThat(client.pipeline().get(HandlerNames.RELAY)).isNotNull();
            assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.RELAYED);

            feed(client, "STAT\r\n");
            assertThat(backendWrites(backend)).isEqualTo("STAT\r\n");
            feed(backend, "+OK 2 320\r\n");
            assertThat(drainOutbound(client)).isEqualTo("+OK 2 320\r\n");
        }
    }

    @Test
    void backendLoginShouldSucceedWhenBackendRepliesArriveByteByByte() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();

        for (byte b : "+OK ready\r\n+OK\r\n+OK Logged in.\r\n".getBytes(StandardCharsets.US_ASCII)) {
            backend.writeInbound(SplitFeeder.buffer(backend, new byte[] {b}));
        }

        assertThat(backendWrites(backend)).isEqualTo("USER alice\r\nPASS secret\r\n");
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n+OK Logged in.\r\n");
    }

    @Test
    void bytesPipelinedAfterPassShouldReachBackendOnlyAfterLogin() {
        for (Chunking c : SplitFeeder.chunkings("USER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\n")) {
            EmbeddedProxy p = proxy(accounts());
            EmbeddedChannel client = connect(p);
            SplitFeeder.feed(client, c);
            EmbeddedChannel backend = p.connector().backend();

            feed(backend, "+OK ready\r\n");
            feed(backend, "+OK\r\n");
            assertThat(backendWrites(backend)).as(c.name()).isEqualTo("USER alice\r\nPASS secret\r\n");
            feed(backend, "+OK Logged in.\r\n");

            assertThat(backendWrites(backend)).as(c.name()).isEqualTo("STAT\r\nLIST\r\n");
            assertThat(drainOutbound(client)).as(c.name()).isEqualTo(GREETING + "+OK\r\n+OK Logged in.\r\n");
        }
    }

    @Test
    void bytesPipelinedAfterRejectedPassShouldBeAnsweredByProxyAfterDelay() {
        for (Chunking c : SplitFeeder.chunkings("USER alice\r\nPASS wrong\r\nSTAT\r\n")) {
            EmbeddedProxy p = proxy(accounts());
            EmbeddedChannel client = connect(p);
            SplitFeeder.feed(client, c);
            assertThat(drainOutbound(client)).as(c.name()).isEqualTo(GREETING + "+OK\r\n");

            p.advance(client, REJECT_DELAY.minusMillis(1));
            assertThat(drainOutbound(client)).as("no reply before the delay").isEmpty();
            p.advance(client, Duration.ofMillis(1));

            assertThat(drainOutbound(client)).as(c.name()).isEqualTo(AUTH_FAILED + INVALID_STATE);
            assertThat(p.connector().backends()).isEmpty();
            assertThat(client.isOpen()).isTrue();
            assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
        }
    }

    @Test
    void authServerTextShouldBeTheErrReplyAndEndTheSessionWithoutAuthWait() {
        Result r = runEveryWay("USER alice\r\nPASS wrong\r\nNOOP\r\n".getBytes(StandardCharsets.UTF_8),
                ScriptedAuthenticator.always(new AuthOutcome.Rejected("auth_http: Invalid login or password",
                        Duration.ZERO, "Invalid login or password", null, true)));
        assertThat(r.output()).isEqualTo(GREETING + "+OK\r\n-ERR Invalid login or password\r\n");
        assertThat(r.open()).isFalse();
        assertThat(r.outcome()).isEqualTo(SessionRecord.Outcome.AUTH_FAILED);
    }

    @Test
    void authServerTextWithAuthWaitShouldBeTheErrReplyAfterTheWaitAndAllowARetry() {
        EmbeddedProxy p = proxy(ScriptedAuthenticator.always(new AuthOutcome.Rejected("auth_http: locked",
                Duration.ofSeconds(3), "Account locked, try again in an hour", null, false)));
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS wrong\r\nNOOP\r\n");
        p.advance(client, Duration.ofMillis(2999));
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n");
        p.advance(client, Duration.ofMillis(1));
        assertThat(drainOutbound(client)).isEqualTo("-ERR Account locked, try again in an hour\r\n+OK\r\n");
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void loginShouldSucceedOnSecondAttemptAfterRejection() {
        ScriptedAuthenticator auth = accounts();
        EmbeddedProxy p = proxy(auth);
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS nope\r\n");
        p.advance(client, REJECT_DELAY);
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + AUTH_FAILED);

        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n+OK\r\n+OK welcome\r\n");

        assertThat(backendWrites(backend)).isEqualTo("USER alice\r\nPASS secret\r\n");
        assertThat(drainOutbound(client)).isEqualTo("+OK\r\n+OK welcome\r\n");
        assertThat(auth.requests()).extracting(AuthRequest::attempt).containsExactly(1, 2);
    }

    @Test
    void passwordShouldKeepSpacesAndUserUtf8WhenSentToAuthenticatorAndBackend() {
        ScriptedAuthenticator auth = accounts();
        EmbeddedProxy p = proxy(auth);
        EmbeddedChannel client = connect(p);

        client.writeInbound(SplitFeeder.buffer(client, "USER j\u00fcrgen\r\nPASS pa ss\r\n".getBytes(StandardCharsets.UTF_8)));
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n+OK\r\n");

        assertThat(auth.requests()).singleElement().satisfies(req -> {
            assertThat(req.user()).isEqualTo("j\u00fcrgen");
            assertThat(req.password()).isEqualTo("pa ss");
        });
        assertThat(backend.<ByteBuf>readOutbound())
                .satisfies(b -> {
                    assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("USER j\u00fcrgen\r\n");
                    b.release();
                });
        assertThat(backendWrites(backend)).isEqualTo("PASS pa ss\r\n");
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenAuthenticatorUnavailable() {
        ScriptedAuthenticator auth = ScriptedAuthenticator.always(new AuthOutcome.Unavailable("db down"));
        EmbeddedProxy p = proxy(auth);
        EmbeddedChannel client = connect(p);

        feed(client, "USER alice\r\nPASS secret\r\nNOOP\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE + "+OK\r\n");
        assertThat(client.isOpen()).isTrue();
        assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.UNAVAILABLE);
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenBackendConnectFails() {
        EmbeddedProxy p = proxy(accounts());
        p.connector().failing();
        EmbeddedChannel client = connect(p);

        feed(client, "USER alice\r\nPASS secret\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
        assertThat(client.isOpen()).isTrue();
        assertThat(p.connector().routes()).containsExactly(ROUTE);
    }

    @Test
    void backendErrLineShouldBeRelayedVerbatimWhenBackendRefusesPassword() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();

        feed(backend, "+OK ready\r\n+OK\r\n-ERR [AUTH] Invalid login, 3 attempts left\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n-ERR [AUTH] Invalid login, 3 attempts left\r\n");
        assertThat(backend.isOpen()).isFalse();
        assertThat(client.isOpen()).isTrue();
        assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.BACKEND_REJECTED);
        feed(client, "NOOP\r\n");
        assertThat(drainOutbound(client)).isEqualTo("+OK\r\n");
    }

    @Test
    void backendErrLineShouldBeRelayedVerbatimWhenBackendRefusesUser() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();

        feed(backend, "+OK ready\r\n-ERR no such user\r\n");

        assertThat(backendWrites(backend)).isEqualTo("USER alice\r\n");
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n-ERR no such user\r\n");
        assertThat(backend.isOpen()).isFalse();
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenBackendGreetingIsNotOk() {
        for (String greeting : List.of("* OK IMAP4rev1 ready\r\n", "-ERR go away\r\n", "+OKAY\r\n")) {
            EmbeddedProxy p = proxy(accounts());
            EmbeddedChannel client = connect(p);
            feed(client, "USER alice\r\nPASS secret\r\n");
            EmbeddedChannel backend = p.connector().backend();

            feed(backend, greeting);

            assertThat(backendWrites(backend)).as(greeting).isEmpty();
            assertThat(drainOutbound(client)).as(greeting).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
            assertThat(backend.isOpen()).isFalse();
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenBackendAnswersPassWithGarbage() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();

        feed(backend, "+OK\r\n+OK\r\nwhat?\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
        assertThat(backend.isOpen()).isFalse();
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenBackendLoginTimesOut() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n");

        p.advance(client, settings.backendLoginTimeout());

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
        assertThat(backend.isOpen()).isFalse();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void temporaryFailureShouldBeAnsweredWhenBackendClosesDuringLogin() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n");

        backend.close();

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
    }

    @Test
    void backendShouldBeClosedWhenClientLeavesWhileAuthenticating() {
        ScriptedAuthenticator auth = accounts().deferred();
        EmbeddedProxy p = proxy(auth);
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\nSTAT\r\n");

        client.close();
        auth.complete();
        client.runPendingTasks();

        assertThat(p.connector().backends()).isEmpty();
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n");
    }

    // ---- SASL --------------------------------------------------------------------------------------

    @Test
    void authPlainShouldLogInWhenInitialResponseOnSameLine() {
        String script = "AUTH PLAIN " + b64("\0alice\0secret") + "\r\n";
        Result r = runEveryWay(script.getBytes(StandardCharsets.US_ASCII), accounts());

        assertThat(r.output()).isEqualTo(GREETING);
        assertThat(r.requests()).singleElement().satisfies(req -> {
            assertThat(req.user()).isEqualTo("alice");
            assertThat(req.password()).isEqualTo("secret");
            assertThat(req.mechanism()).isEqualTo("PLAIN");
        });
    }

    @Test
    void authPlainShouldLogInToBackendWhenResponseFollowsContinuation() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);

        feed(client, "auth plain\r\n");
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+ \r\n");
        feed(client, b64("alice\0alice\0secret") + "\r\n");
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n+OK\r\n+OK Logged in.\r\n");

        assertThat(backendWrites(backend)).isEqualTo("USER alice\r\nPASS secret\r\n");
        assertThat(drainOutbound(client)).isEqualTo("+OK Logged in.\r\n");
    }

    @Test
    void authPlainContinuationShouldAnswerEveryWay() {
        String script = "AUTH PLAIN\r\n" + b64("\0alice\0wrong") + "\r\nNOOP\r\n";

        Result r = runEveryWay(script);

        assertThat(r.output()).isEqualTo(GREETING + "+ \r\n" + AUTH_FAILED + "+OK\r\n");
        assertThat(r.requests()).extracting(AuthRequest::mechanism).containsExactly("PLAIN");
    }

    @Test
    void authPlainShouldBeRefusedWhenAuthzidNamesAnotherUser() {
        Result r = runEveryWay("AUTH PLAIN " + b64("admin\0alice\0secret") + "\r\n");

        assertThat(r.output()).isEqualTo(GREETING + AUTH_FAILED);
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void authLoginShouldPromptForUserAndPassword() {
        String script = "AUTH LOGIN\r\n" + b64("alice") + "\r\n" + b64("secret") + "\r\n";

        Result r = runEveryWay(script.getBytes(StandardCharsets.US_ASCII), accounts());

        assertThat(r.output()).isEqualTo(GREETING + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n");
        assertThat(r.requests()).singleElement().satisfies(req -> {
            assertThat(req.user()).isEqualTo("alice");
            assertThat(req.password()).isEqualTo("secret");
            assertThat(req.mechanism()).isEqualTo("LOGIN");
        });
    }

    @Test
    void authLoginShouldSkipUserPromptWhenInitialResponseGiven() {
        EmbeddedProxy p = proxy(accounts());
        EmbeddedChannel client = connect(p);

        feed(client, "AUTH LOGIN " + b64("alice") + "\r\n" + b64("secret") + "\r\n");
        EmbeddedChannel backend = p.connector().backend();
        feed(backend, "+OK\r\n+OK\r\n+OK hi\r\n");

        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+ UGFzc3dvcmQ6\r\n+OK hi\r\n");
        assertThat(backendWrites(backend)).isEqualTo("USER alice\r\nPASS secret\r\n");
    }

    @Test
    void saslExchangeShouldBeCancelledWithErrWhenClientSendsStar() {
        Result r = runEveryWay("AUTH PLAIN\r\n*\r\nAUTH LOGIN\r\n*\r\nAUTH LOGIN\r\n" + b64("alice") + "\r\n*\r\nNOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING
                + "+ \r\n-ERR authentication cancelled\r\n"
                + "+ VXNlcm5hbWU6\r\n-ERR authentication cancelled\r\n"
                + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n-ERR authentication cancelled\r\n"
                + "+OK\r\n");
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void saslCancelShouldCountTowardsMaxErrors() {
        Result r = runEveryWay("AUTH PLAIN\r\n*\r\n".repeat(5) + "NOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+ \r\n-ERR authentication cancelled\r\n".repeat(5));
        assertThat(r.open()).isFalse();
    }

    @Test
    void badBase64ShouldBeAnsweredErrWithoutCrashing() {
        Result r = runEveryWay("AUTH PLAIN !!!!\r\nAUTH PLAIN\r\nnot base64\r\nAUTH LOGIN\r\n=x=\r\nNOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "-ERR invalid SASL response\r\n"
                + "+ \r\n-ERR invalid SASL response\r\n"
                + "+ VXNlcm5hbWU6\r\n-ERR invalid SASL response\r\n"
                + "+OK\r\n");
        assertThat(r.open()).isTrue();
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void malformedPlainMessageShouldBeAnsweredErr() {
        Result r = runEveryWay("AUTH PLAIN " + b64("alice secret") + "\r\nAUTH PLAIN =\r\nAUTH PLAIN " + b64("\0\0pw") + "\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "-ERR invalid SASL response\r\n".repeat(3));
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void unknownMechanismShouldBeAnsweredErr() {
        Result r = runEveryWay("AUTH CRAM-MD5\r\nAUTH XOAUTH2 abc\r\nAUTH PLAIN a b\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "-ERR unsupported authentication mechanism\r\n".repeat(2)
                + "-ERR syntax error\r\n");
    }

    @Test
    void saslResponseWithBareLfShouldAbortExchange() {
        Result r = runEveryWay("AUTH LOGIN\r\n" + b64("alice") + "\nNOOP\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "+ VXNlcm5hbWU6\r\n-ERR line must end with CRLF\r\n+OK\r\n");
    }

    // ---- credentials that must never reach the backend --------------------------------------------

    @Test
    void credentialsWithCrLfOrNulShouldBeRefusedBeforeAuthenticating() {
        String script = "AUTH PLAIN " + b64("\0alice\0sec\r\nDELE 1") + "\r\n"
                + "AUTH PLAIN " + b64("\0ali\nce\0secret") + "\r\n"
                + "AUTH LOGIN " + b64("alice\r\nDELE 1") + "\r\n" + b64("secret") + "\r\n"
                + "AUTH LOGIN " + b64("alice") + "\r\n" + b64("sec\rret") + "\r\n"
                + "USER al\rice\r\nPASS secret\r\n";

        Result r = runEveryWay(script.getBytes(StandardCharsets.US_ASCII), accounts());

        assertThat(r.output()).isEqualTo(GREETING + AUTH_FAILED + AUTH_FAILED
                + "+ UGFzc3dvcmQ6\r\n" + AUTH_FAILED
                + "+ UGFzc3dvcmQ6\r\n" + AUTH_FAILED
                + "+OK\r\n" + AUTH_FAILED);
        assertThat(r.requests()).isEmpty();
        assertThat(r.open()).isFalse(); // five failures reached max_errors
    }

    @Test
    void nulInSaslLoginResponseShouldBeAnsweredErr() {
        Result r = runEveryWay("AUTH LOGIN " + b64("ali\0ce") + "\r\n");

        assertThat(r.output()).isEqualTo(GREETING + "-ERR invalid SASL response\r\n");
        assertThat(r.requests()).isEmpty();
    }

    @Test
    void backendLoginShouldFailWhenAuthenticatorSuppliesUnsafeBackendUser() {
        EmbeddedProxy p = proxy(ScriptedAuthenticator.always(new AuthOutcome.Accepted(ROUTE, "alice\r\nDELE 1", "secret")));
        EmbeddedChannel client = connect(p);
        feed(client, "USER alice\r\nPASS secret\r\n");
        EmbeddedChannel backend = p.connector().backend();

        feed(backend, "+OK\r\n");

        assertThat(backendWrites(backend)).isEmpty();
        assertThat(drainOutbound(client)).isEqualTo(GREETING + "+OK\r\n" + TEMP_FAILURE);
    }

    // ---- configuration ---------------------------------------------------------------------------------

    @Test
    void configShouldRejectCapabilitiesItDerivesOrDoesNotSupport() {
        for (String bad : List.of("SASL PLAIN", "sasl", "STLS", "TOP\r\nX", "", ".", " TOP", "T\u00d6P")) {
            assertThatIllegalArgumentException()
                    .as(bad).isThrownBy(() -> Pop3Config.defaults().withCapabilities(List.of(bad)));
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Pop3Config.defaults().withMechanisms(List.of(Pop3Config.Mechanism.PLAIN, Pop3Config.Mechanism.PLAIN)));
        assertThat(Pop3Config.defaults().capaLines()).containsExactly("TOP", "USER", "UIDL", "SASL PLAIN LOGIN");
    }
}
