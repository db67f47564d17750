package io.mailproxy.proxy;

import static io.mailproxy.proxy.SocketLines.readLine;
import static io.mailproxy.proxy.SocketLines.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.HostAndPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The core over real sockets, driven by a minimal line protocol and a real TCP backend. */
class ProxyServerTest extends LineProxyTestBase {

    @BeforeEach
    void startServer() throws Exception {
        start(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(200)));
    }

    private void start(ProxySettings settings) throws Exception {
        start(serverBuilder().settings(settings));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    @Test
    void startShouldReportTheBoundPortWhenPortZeroIsAsked() {
        assertThat(port).isPositive();
        assertThat(server.boundListeners()).hasSize(1);
    }

    @Test
    void loginShouldSpliceAndDeliverPipelinedBytesAfterTheLogin() throws Exception {
        try (Socket s = connect()) {
            send(s, "LOGIN alice secret\r\nhello world\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
            assertThat(readLine(s.getInputStream())).isEqualTo("hello world");
            send(s, "more\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("more");
        }
        assertThat(backend.authLines).containsExactly("AUTH alice secret");
    }

    @Test
    void halfCloseShouldStillDeliverEverythingBothWays() throws Exception {
        try (Socket s = connect()) {
            send(s, "LOGIN alice secret\r\nlast words\r\n");
            s.shutdownOutput();
            String rest = new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(rest).isEqualTo("OK welcome alice\r\nlast words\r\n");
        }
    }

    @Test
    void relayShouldMoveManyMegabytesByteIdenticalBothWays() throws Exception {
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        try (Socket s = connect()) {
            send(s, "LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.getInputStream().readNBytes(payload.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            OutputStream out = s.getOutputStream();
            for (int off = 0; off < payload.length; off += 100_000) {
                out.write(payload, off, Math.min(100_000, payload.length - off));
            }
            out.flush();
            byte[] back = received.get(60, TimeUnit.SECONDS);
            assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
        }
    }

    @Test
    void wrongPasswordShouldBeAnsweredAfterTheDelayAndAllowARetry() throws Exception {
        auth.failureDelay = Duration.ofMillis(300);
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            send(s, "LOGIN alice wrong\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("AUTHFAIL alice");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            send(s, "LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
        }
    }

    @Test
    void commandsPipelinedAfterAFailedLoginShouldBeAnsweredInOrderByTheProxy() throws Exception {
        try (Socket s = connect()) {
            send(s, "LOGIN alice wrong\r\nNOOP\r\nQUIT\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("AUTHFAIL alice");
            assertThat(readLine(s.getInputStream())).isEqualTo("NOOP OK");
            assertThat(readLine(s.getInputStream())).isEqualTo("BYE");
            assertThat(readLine(s.getInputStream())).isNull();
        }
    }

    @Test
    void unavailableAuthenticatorShouldGiveTheTemporaryFailure() throws Exception {
        auth.unavailable = true;
        try (Socket s = connect()) {
            send(s, "LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("TEMPFAIL");
        }
    }

    @Test
    void unreachableBackendShouldGiveTheTemporaryFailure() throws Exception {
        int closed = closedPort();
        auth.accounts.put("bob", new MapAuthenticator.Account("secret", BackendRoute.of("127.0.0.1", closed)));
        try (Socket s = connect()) {
            send(s, "LOGIN bob secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("TEMPFAIL");
        }
    }

    @Test
    void connectorShouldFailOverToTheNextHostOfTheRoute() throws Exception {
        int closed = closedPort();
        auth.accounts.put("carol", new MapAuthenticator.Account("secret", new BackendRoute(List.of(
                new HostAndPort("127.0.0.1", closed), new HostAndPort("127.0.0.1", backend.port())))));
        try (Socket s = connect()) {
            send(s, "LOGIN carol secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome carol");
        }
    }

    @Test
    void backendRefusalShouldBeRelayedToTheClient() throws Exception {
        // The store accepts "dave"/"pw" but the backend only takes "secret".
        auth.accounts.put("dave", new MapAuthenticator.Account("pw", BackendRoute.of("127.0.0.1", backend.port())));
        try (Socket s = connect()) {
            send(s, "LOGIN dave pw\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("NO denied");
            send(s, "NOOP\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("NOOP OK");
        }
    }

    @Test
    void maxErrorsShouldSendTheLastReplyThenClose() throws Exception {
        try (Socket s = connect()) {
            send(s, "X\r\nX\r\nX\r\nX\r\nX\r\nX\r\n");
            for (int i = 0; i < 5; i++) {
                assertThat(readLine(s.getInputStream())).isEqualTo("ERR");
            }
            assertThat(readLine(s.getInputStream())).isEqualTo("TOOMANY");
            assertThat(readLine(s.getInputStream())).isNull();
        }
    }

    @Test
    void overLongLineShouldBeAnsweredThenClosed() throws Exception {
        try (Socket s = connect()) {
            send(s, "X".repeat(9000));
            assertThat(readLine(s.getInputStream())).isEqualTo("TOOLONG");
            assertThat(readLine(s.getInputStream())).isNull();
        }
    }

    @Test
    void loginTimeoutShouldCloseATricklingClient() throws Exception {
        start(ProxySettings.defaults().withLoginTimeout(Duration.ofMillis(400)).withShutdownGrace(Duration.ofMillis(100)));
        try (Socket s = connect()) {
            send(s, "NO");
            Thread.sleep(200);
            send(s, "O");
            assertThat(readLine(s.getInputStream())).isEqualTo("TIMEOUT");
            assertThat(readLine(s.getInputStream())).isNull();
        }
    }

    @Test
    void sessionLogShouldHaveOneLinePerSessionWithoutThePassword() throws Exception {
        try (Socket s = connect()) {
            send(s, "LOGIN alice secret\r\nabc\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
            assertThat(readLine(s.getInputStream())).isEqualTo("abc");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sessionLog.list.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sessionLog.list).hasSize(1);
        String line = sessionLog.list.get(0).getFormattedMessage();
        assertThat(line).contains("user=alice", "backend=127.0.0.1:" + backend.port(), "outcome=relayed", "in=5",
                "out=" + ("OK welcome alice\r\nabc\r\n".length()));
        assertThat(line).doesNotContain("secret");
    }

    @Test
    void stopShouldCloseListenersAndOpenSessions() throws Exception {
        Socket s = connect();
        send(s, "LOGIN alice secret\r\n");
        assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
        server.stop();
        assertThat(readLine(s.getInputStream())).isNull();
        s.close();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void startShouldFailWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProxyServer other = ProxyServer.builder()
                    .listener(new LineTestProtocol(), new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()))
                    .authenticator(auth)
                    .build();
            assertThatThrownBy(other::start)
                    .isInstanceOfSatisfying(ProxyServer.ListenerBindException.class, e ->
                            assertThat(e.reason()).isEqualTo(ProxyServer.ListenerBindException.Reason.ADDRESS_IN_USE));
            // nothing stays bound after a failed start
            assertThat(other.boundListeners()).isEmpty();
        }
    }

    @Test
    void bindFailuresShouldBeClassifiedFromNioAndEpollMessages() {
        assertThat(ProxyServer.ListenerBindException.classify(new java.net.BindException("Permission denied")))
                .isEqualTo(ProxyServer.ListenerBindException.Reason.PERMISSION_DENIED);
        assertThat(ProxyServer.ListenerBindException.classify(new IOException("bind(..) failed with error(-98): Address already in use")))
                .isEqualTo(ProxyServer.ListenerBindException.Reason.ADDRESS_IN_USE);
        assertThat(ProxyServer.ListenerBindException.classify(new IOException("x")))
                .isEqualTo(ProxyServer.ListenerBindException.Reason.OTHER);
    }

    @Test
    void sanitizeShouldEscapeControlBytesAndSpacesInLoggedNames() {
        assertThat(SessionRecord.sanitize("a b\r\nuser=x")).isEqualTo("a\\x20b\\x0d\\x0auser\\x3dx");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        }
    }

    @SuppressWarnings("unused")
    private static void expectNoData(Socket s) throws IOException {
        s.setSoTimeout(200);
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketTimeoutException expected) {
            // nothing came
        }
    }
}
