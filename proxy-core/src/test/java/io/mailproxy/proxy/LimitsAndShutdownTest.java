package io.mailproxy.proxy;

import static io.mailproxy.proxy.SocketLines.readLine;
import static io.mailproxy.proxy.SocketLines.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Connection limits and graceful shutdown of a real ProxyServer over loopback sockets. */
class LimitsAndShutdownTest extends LineProxyTestBase {

    private void start(ConnectionLimits limits, Duration grace) throws Exception {
        start(serverBuilder()
                .settings(ProxySettings.defaults().withShutdownGrace(grace))
                .connectionLimits(limits));
    }

    private Socket loggedIn() throws IOException {
        Socket s = connect();
        send(s, "LOGIN alice secret\r\n");
        assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
        return s;
    }

    @Test
    void connectShouldBeRefusedWithReplyWhenGlobalLimitReached() throws Exception {
        start(new ConnectionLimits(2, 0), Duration.ofMillis(100));
        try (Socket a = connect(); Socket b = loggedIn(); Socket c = open()) {
            assertThat(readLine(c.getInputStream())).isEqualTo("BUSY");
            assertThat(c.getInputStream().read()).isEqualTo(-1);
            assertThat(server.connections().total()).isEqualTo(2);
        }
        // the session line is written when the channel's close completes, which may be just after the client sees EOF
        waitUntil(() -> sessionOutcomes().contains("outcome=too-many-connections"));
        assertThat(sessionOutcomes()).contains("outcome=too-many-connections");
    }

    @Test
    void connectShouldBeAdmittedAgainWhenAnOpenConnectionCloses() throws Exception {
        start(new ConnectionLimits(1, 0), Duration.ofMillis(100));
        try (Socket a = connect()) {
            send(a, "QUIT\r\n");
            assertThat(readLine(a.getInputStream())).isEqualTo("BYE");
        }
        waitUntil(() -> server.connections().total() == 0);
        try (Socket b = connect()) {
            assertThat(server.connections().total()).isEqualTo(1);
        }
    }

    @Test
    void connectShouldBeRefusedWhenPerIpLimitReachedAndCountReleasedAfterRelay() throws Exception {
        start(new ConnectionLimits(0, 1), Duration.ofMillis(100));
        try (Socket a = loggedIn()) {
            try (Socket b = open()) {
                assertThat(readLine(b.getInputStream())).isEqualTo("BUSY");
                assertThat(b.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.connections().fromIp(InetAddress.getLoopbackAddress())).isEqualTo(1);
        }
        waitUntil(() -> server.connections().total() == 0);
        assertThat(server.connections().trackedAddresses()).isZero();
    }

    @Test
    void stopShouldTellLoginPhaseClientsAndLetRelayedSessionsRunWithinGrace() throws Exception {
        start(ConnectionLimits.NONE, Duration.ofSeconds(20));
        try (Socket waiting = connect(); Socket relayed = loggedIn()) {
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);

            assertThat(readLine(waiting.getInputStream())).isEqualTo("SHUTDOWN");
            assertThat(waiting.getInputStream().read()).isEqualTo(-1);
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
            send(relayed, "still here\r\n");
            assertThat(readLine(relayed.getInputStream())).isEqualTo("still here");
            assertThat(stopped).isNotDone();

            send(relayed, "bye\r\n");
            relayed.shutdownOutput();
            assertThat(readLine(relayed.getInputStream())).isEqualTo("bye");
            stopped.get(10, TimeUnit.SECONDS);
        }
        assertThat(sessionOutcomes()).contains("outcome=shutdown", "outcome=relayed");
    }

    @Test
    void stopShouldCloseRelayedSessionsWhenGraceEnds() throws Exception {
        start(ConnectionLimits.NONE, Duration.ofMillis(300));
        try (Socket relayed = loggedIn()) {
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);

            assertThat(relayed.getInputStream().read()).isEqualTo(-1);
            stopped.get(10, TimeUnit.SECONDS);
        }
        waitUntil(() -> sessionOutcomes().contains("outcome=shutdown"));
        assertThat(sessionOutcomes()).doesNotContain("outcome=relayed");
    }

    private String sessionOutcomes() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : sessionLog.list) {
            sb.append(e.getFormattedMessage()).append('\n');
        }
        return sb.toString();
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
