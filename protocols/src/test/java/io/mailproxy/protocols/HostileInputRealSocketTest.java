package io.mailproxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile inputs of {@link HostileInputTest} over real sockets, against one ProxyServer with a
 * single event loop: each is answered as on an EmbeddedChannel, and a client connected alongside
 * is still answered at once (nothing stalled the loop). A client pipelining 200,000 commands
 * without reading the replies makes the proxy stop reading, not buffer.
 */
class HostileInputRealSocketTest {
    private static ProxyServer server;
    private static int pop3Port;
    private static int imapPort;

    @BeforeAll
    static void start() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(lo, 0))
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(lo, 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .authenticator(ScriptedAuthenticator.accounts(Map.of("alice", "secret"),
                        BackendRoute.of("127.0.0.1", 1), Duration.ZERO))
                .threads(1)
                .build();
        List<BoundListener> bound = server.start();
        pop3Port = bound.get(0).port();
        imapPort = bound.get(1).port();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static Socket connect(String protocol) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), protocol.equals("pop3") ? pop3Port : imapPort);
        s.setSoTimeout(10_000);
        String greeting = readLine(s.getInputStream());
        assertThat(greeting).startsWith(protocol.equals("pop3") ? "+OK" : "* OK");
        return s;
    }

    static java.util.stream.Stream<HostileInputTest.Case> cases() {
        return HostileInputTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInputShouldBeAnsweredOverRealSocketsWithoutStallingOthers(HostileInputTest.Case c) throws Exception {
        try (Socket bystander = connect(c.protocol()); Socket s = connect(c.protocol())) {
            OutputStream out = s.getOutputStream();
            out.write(c.input().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            byte[] expected = c.reply().getBytes(StandardCharsets.ISO_8859_1);
            if (c.staysOpen()) {
                assertThat(new String(s.getInputStream().readNBytes(expected.length), StandardCharsets.ISO_8859_1))
                        .isEqualTo(c.reply());
            } else {
                assertThat(readUntilClosed(s)).isEqualTo(c.reply());
            }
            bystander.getOutputStream().write((c.protocol().equals("pop3") ? "NOOP\r\n" : "b NOOP\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            bystander.getOutputStream().flush();
            assertThat(readLine(bystander.getInputStream())).isIn("+OK", "b OK NOOP completed");
        }
    }

    @Test
    void pipelinedCommandFloodShouldBeAnsweredWhileProxyBuffersOnlyAWriteWindow() throws Exception {
        int commands = 200_000;
        byte[] reply = "+OK methods supported:\r\nPLAIN\r\nLOGIN\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        // Paranoid leak detection takes a stack trace per buffer and per access: 400,000 buffers would
        // take most of a minute. Sampled detection still watches them; every other test is paranoid.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try (Socket s = new Socket()) {
            // A small receive window, so the replies (9 MB) cannot all hide in kernel buffers.
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), pop3Port));
            s.setSoTimeout(10_000);
            assertThat(readLine(s.getInputStream())).startsWith("+OK");
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] batch = "AUTH\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < commands / 10_000; i++) {
                        out.write(batch);
                        written.addAndGet(batch.length);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The client does not read: once the kernel buffers are full the proxy must stop decoding
            // (and reading) rather than queue replies. What the client wrote waits in kernel buffers.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() < 600_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long maxPending = 0;
            for (int i = 0; i < 30; i++) {
                maxPending = Math.max(maxPending, pendingOutboundBytes());
                Thread.sleep(10);
            }
            assertThat(maxPending).as("reply bytes queued in the proxy").isLessThanOrEqualTo(64 * 1024 + 1024);

            long expectedBytes = (long) commands * reply.length;
            byte[] buf = new byte[256 * 1024];
            long got = 0;
            InputStream in = s.getInputStream();
            while (got < expectedBytes) {
                int n = in.read(buf);
                assertThat(n).as("connection still open after %d of %d bytes", got, expectedBytes).isPositive();
                got += n;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(expectedBytes);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    /** Bytes waiting in the outbound buffers of the proxy's client channels. */
    private static long pendingOutboundBytes() throws Exception {
        long total = 0;
        for (Channel ch : server.context().clients()) {
            total += ch.eventLoop().submit(() -> {
                var buffer = ch.unsafe().outboundBuffer();
                return buffer == null ? 0L : buffer.totalPendingWriteBytes();
            }).get(5, TimeUnit.SECONDS);
        }
        return total;
    }

    private static String readUntilClosed(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        String line = b.toString(StandardCharsets.ISO_8859_1);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
