package io.mailproxy.auth.http;

import static io.mailproxy.testsupport.AuthHttpServer.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.Protocol;
import io.mailproxy.testsupport.AuthHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpAuthenticatorTest {
    private AuthHttpServer server;
    private HttpAuthenticator auth;

    @BeforeEach
    void start() throws Exception {
        server = new AuthHttpServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (auth != null) {
            auth.close();
        }
        server.close();
    }

    private HttpAuthenticator auth(AuthHttpConfig config) {
        auth = new HttpAuthenticator(config);
        return auth;
    }

    private AuthHttpConfig config() {
        return AuthHttpConfig.of(server.url()).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    private static AuthRequest imap(String user, String password, int attempt) {
        return new AuthRequest(Protocol.IMAP, user, password, "LOGIN", new InetSocketAddress("192.0.2.7", 5555),
                attempt, false);
    }

    private static AuthOutcome await(CompletableFuture<AuthOutcome> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void requestShouldCarryEveryNginxHeaderByteForByte() throws Exception {
        server.respond(r -> AuthHttpServer.ok("192.168.1.22", 143));
        auth(config().withHeaders(List.of(AuthHttpConfig.parseHeader("X-Auth-Key: s3cret"))));
        AuthOutcome o = await(auth.authenticate(imap("al ice%", "p\u00e4ss\tw\u00f6rd", 2)));
        assertThat(o).isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("192.168.1.22", 143), "al ice%",
                "p\u00e4ss\tw\u00f6rd"));
        // nginx's request, byte for byte (but HTTP/1.1, so the connection stays open): user and
        // password escaped (space, %, controls), 8-bit bytes raw, extra headers last.
        assertThat(server.take().head()).isEqualTo("GET /auth HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Auth-Method: plain\r\n"
                + "Auth-User: al%20ice%25\r\n"
                + "Auth-Pass: p\u00c3\u00a4ss%09w\u00c3\u00b6rd\r\n"
                + "Auth-Protocol: imap\r\n"
                + "Auth-Login-Attempt: 2\r\n"
                + "Client-IP: 192.0.2.7\r\n"
                + "X-Auth-Key: s3cret\r\n"
                + "\r\n");
    }

    @Test
    void requestShouldCarryAuthSslAndProxyProtocolHeadersWhenTheClientHasThem() throws Exception {
        auth(config());
        AuthRequest r = new AuthRequest(Protocol.POP3, "bob", "pw", "PLAIN", new InetSocketAddress("203.0.113.9", 41000),
                1, true, new AuthRequest.ProxiedAddresses(new InetSocketAddress("203.0.113.9", 41000),
                        new InetSocketAddress("198.51.100.1", 995)), null);
        await(auth.authenticate(r));
        AuthHttpServer.Request seen = server.take();
        assertThat(seen.header("Auth-SSL")).isEqualTo("on");
        assertThat(seen.header("Auth-Protocol")).isEqualTo("pop3");
        assertThat(seen.header("Client-IP")).isEqualTo("203.0.113.9");
        assertThat(seen.header("Proxy-Protocol-Addr")).isEqualTo("203.0.113.9");
        assertThat(seen.header("Proxy-Protocol-Port")).isEqualTo("41000");
        assertThat(seen.header("Proxy-Protocol-Server-Addr")).isEqualTo("198.51.100.1");
        assertThat(seen.header("Proxy-Protocol-Server-Port")).isEqualTo("995");
    }

    @Test
    void errorTextShouldRejectWithThatTextForTheClient() throws Exception {
        server.respond(r -> response("Auth-Status: Invalid login or password"));
        AuthOutcome o = await(auth(config()).authenticate(imap("alice", "bad", 1)));
        assertThat(o).isEqualTo(new AuthOutcome.Rejected("auth_http: Invalid login or password", Duration.ZERO,
                "Invalid login or password", null, true));
    }

    @Test
    void authWaitShouldBecomeTheDelayAndAllowARetry() throws Exception {
        server.respond(r -> response("Auth-Status: Invalid login or password", "Auth-Wait: 3"));
        AuthOutcome.Rejected o = (AuthOutcome.Rejected) await(auth(config()).authenticate(imap("alice", "bad", 1)));
        assertThat(o.delay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.closeAfterReply()).isFalse();
    }

    @Test
    void waitShouldAskAgainWithTheSameAttemptUntilAnAnswer() throws Exception {
        AtomicInteger n = new AtomicInteger();
        server.respond(r -> n.incrementAndGet() < 3 ? response("Auth-Status: WAIT", "Auth-Wait: 0")
                : AuthHttpServer.ok("10.0.0.5", 110));
        AuthOutcome o = await(auth(config()).authenticate(imap("alice", "pw", 4)));
        assertThat(o).isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("10.0.0.5", 110), "alice", "pw"));
        List<AuthHttpServer.Request> seen = List.of(server.take(), server.take(), server.take());
        assertThat(seen).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("4", "4", "4");
    }

    @Test
    void endlessWaitShouldEndUnavailable() throws Exception {
        server.respond(r -> response("Auth-Status: WAIT"));
        AuthOutcome o = await(auth(config().withMaxWaitRounds(2)).authenticate(imap("alice", "pw", 1)));
        assertThat(o).isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(((AuthOutcome.Unavailable) o).reason()).contains("WAIT");
        assertThat(server.drain()).hasSize(3);
    }

    @Test
    void garbageShouldBeUnavailable() throws Exception {
        server.respond(r -> "SSH-2.0-OpenSSH_9.6\r\n\r\n");
        AuthOutcome o = await(auth(config()).authenticate(imap("alice", "pw", 1)));
        assertThat(o).isInstanceOf(AuthOutcome.Unavailable.class);
    }

    @Test
    void aClosedConnectionShouldBeUnavailable() throws Exception {
        server.respond(r -> AuthHttpServer.CLOSE);
        AuthOutcome o = await(auth(config()).authenticate(imap("alice", "pw", 1)));
        assertThat(o).isInstanceOf(AuthOutcome.Unavailable.class);
    }

    @Test
    void anHtmlErrorPageShouldBeUnavailable() throws Exception {
        server.respond(r -> "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\noops!");
        AuthOutcome o = await(auth(config()).authenticate(imap("alice", "pw", 1)));
        assertThat(o).isEqualTo(new AuthOutcome.Unavailable("auth_http server sent no Auth-Status"));
    }

    @Test
    void aHungServerShouldBeUnavailableAfterTheTimeout() throws Exception {
        server.respond(r -> AuthHttpServer.HANG);
        auth(config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));
        long start = System.nanoTime();
        AuthOutcome o = await(auth.authenticate(imap("alice", "pw", 1)));
        assertThat(o).isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(((AuthOutcome.Unavailable) o).reason()).contains("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnreachableServerShouldBeUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        auth(AuthHttpConfig.of("127.0.0.1:" + port + "/auth"));
        AuthOutcome o = await(auth.authenticate(imap("alice", "pw", 1)));
        assertThat(o).isInstanceOf(AuthOutcome.Unavailable.class);
    }

    @Test
    void oneRequestTooManyShouldBeUnavailableAtOnce() throws Exception {
        server.respond(r -> AuthHttpServer.HANG);
        auth(config().withMaxInFlight(1).withQueueCapacity(0).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3)));
        CompletableFuture<AuthOutcome> first = auth.authenticate(imap("alice", "pw", 1));
        server.take();
        CompletableFuture<AuthOutcome> second = auth.authenticate(imap("bob", "pw", 1));
        assertThat(second).isDone();
        assertThat(second.get()).isInstanceOf(AuthOutcome.Unavailable.class);
        assertThat(auth.saturatedCount()).isEqualTo(1);
        assertThat(await(first)).isInstanceOf(AuthOutcome.Unavailable.class);
        server.respond(r -> AuthHttpServer.ok("10.0.0.1", 143));
        // the aborted exchange's thread is free again a moment after the answer
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> await(auth.authenticate(imap("carol", "pw", 1))) instanceof AuthOutcome.Accepted);
    }

    @Test
    void consecutiveLoginsShouldReuseOneConnection() throws Exception {
        auth(config());
        for (int i = 0; i < 5; i++) {
            assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        }
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aStaleKeptAliveConnectionShouldBeRetriedOnANewOne() throws Exception {
        AtomicInteger n = new AtomicInteger();
        server.respond(r -> n.incrementAndGet() == 2 ? AuthHttpServer.CLOSE : AuthHttpServer.ok("10.0.0.1", 143));
        auth(config());
        assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        assertThat(server.connections()).isEqualTo(2);
        assertThat(server.drain()).hasSize(3);
    }

    @Test
    void chunkedAndCloseDelimitedResponsesShouldBeRead() throws Exception {
        server.respond(r -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nAuth-Status: OK\r\n"
                + "Auth-Server: 10.0.0.1\r\nAuth-Port: 143\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        auth(config());
        assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        assertThat(server.connections()).as("chunked body skipped, connection reused").isEqualTo(1);
        server.respond(r -> "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 10.0.0.2\r\nAuth-Port: 110\r\n\r\n");
        assertThat(await(auth.authenticate(imap("alice", "pw", 1))))
                .isEqualTo(new AuthOutcome.Accepted(BackendRoute.of("10.0.0.2", 110), "alice", "pw"));
        server.respond(r -> AuthHttpServer.ok("10.0.0.3", 110));
        assertThat(await(auth.authenticate(imap("alice", "pw", 1)))).isInstanceOf(AuthOutcome.Accepted.class);
        assertThat(server.connections()).as("an HTTP/1.0 answer closes the connection").isEqualTo(2);
    }

    @Test
    void answersShouldNeverCompleteOnTheCallingThread() throws Exception {
        auth(config());
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> completedOn = auth.authenticate(imap("alice", "pw", 1))
                .thenApply(o -> Thread.currentThread());
        assertThat(completedOn.get(10, TimeUnit.SECONDS)).isNotSameAs(caller);
    }
}
