package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IMAP front-end on real sockets: a ProxyServer on port 0, an authenticator answering on its
 * own thread, and a scripted IMAP backend on a plain ServerSocket that insists on the
 * synchronising-literal handshake.
 */
class ImapRealSocketTest {
    private final ExecutorService authThreads = Executors.newSingleThreadExecutor();
    private ServerSocket backend;
    private ProxyServer server;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        backend = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        BackendRoute route = BackendRoute.of("127.0.0.1", backend.getLocalPort());
        Authenticator auth = request -> CompletableFuture.supplyAsync(() ->
                request.user().equals("alice") && request.password().equals("se\"ret")
                        ? new AuthOutcome.Accepted(route, "alice", request.password())
                        : new AuthOutcome.Rejected("wrong password", Duration.ofMillis(50)), authThreads);
        server = ProxyServer.builder()
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .authenticator(auth)
                .threads(1)
                .build();
        port = server.start().get(0).port();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop();
        backend.close();
        authThreads.shutdownNow();
    }

    @Test
    void pipelinedLoginWithLiteralShouldReachTheBackendAndRelayOverRealSockets() throws Exception {
        CompletableFuture<String> backendSaw = CompletableFuture.supplyAsync(this::playBackend);
        try (Socket client = connect()) {
            send(client, "a LOGIN alice {6+}\r\nse\"ret\r\nb NOOP\r\n");
            assertThat(readLine(client.getInputStream())).isEqualTo("a OK [CAPABILITY IMAP4rev1 X-REAL] Logged in");
            assertThat(readLine(client.getInputStream())).isEqualTo("b OK real backend");
            send(client, "c LOGOUT\r\n");
            assertThat(readLine(client.getInputStream())).isEqualTo("* BYE bye");
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(backendSaw.get(10, TimeUnit.SECONDS))
                .isEqualTo("a LOGIN \"alice\" {6}\r\n" + "se\"ret\r\n" + "b NOOP\r\n" + "c LOGOUT\r\n");
    }

    @Test
    void wrongPasswordShouldBeRefusedAfterTheDelayOverRealSockets() throws Exception {
        try (Socket client = connect()) {
            long start = System.nanoTime();
            send(client, "a LOGIN alice wrong\r\nb LOGOUT\r\n");
            assertThat(readLine(client.getInputStream())).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(readLine(client.getInputStream())).isEqualTo("* BYE Logging out");
            assertThat(readLine(client.getInputStream())).isEqualTo("b OK LOGOUT completed");
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** One backend session; returns everything the proxy sent it. */
    private String playBackend() {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try (Socket s = backend.accept()) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write("* OK [CAPABILITY IMAP4rev1 LITERAL+] test backend ready\r\n".getBytes(StandardCharsets.US_ASCII));
            String login = readLine(in);
            seen.writeBytes((login + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (!login.endsWith("{6}")) {
                return seen.toString(StandardCharsets.ISO_8859_1);
            }
            // The proxy must wait for this before sending the literal: check nothing came early.
            Thread.sleep(100);
            if (in.available() > 0) {
                return "literal sent before the continuation";
            }
            out.write("+ OK\r\n".getBytes(StandardCharsets.US_ASCII));
            String rest = readLine(in);
            seen.writeBytes((rest + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write("a OK [CAPABILITY IMAP4rev1 X-REAL] Logged in\r\n".getBytes(StandardCharsets.US_ASCII));
            String noop = readLine(in);
            seen.writeBytes((noop + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write("b OK real backend\r\n".getBytes(StandardCharsets.US_ASCII));
            String logout = readLine(in);
            seen.writeBytes((logout + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write("* BYE bye\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | InterruptedException e) {
            seen.writeBytes(("backend failed: " + e).getBytes(StandardCharsets.ISO_8859_1));
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        assertThat(readLine(s.getInputStream())).isEqualTo(ImapHarness.GREETING.trim());
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One CRLF line without its CRLF (ISO-8859-1). */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        throw new IOException("connection closed after '" + line.toString(StandardCharsets.ISO_8859_1) + "'");
    }
}
