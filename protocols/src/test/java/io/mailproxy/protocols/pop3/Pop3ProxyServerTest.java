package io.mailproxy.protocols.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pop3Protocol in a real ProxyServer over loopback sockets, with a scripted POP3 backend. */
class Pop3ProxyServerTest {

    private final ExecutorService authExecutor = Executors.newSingleThreadExecutor();
    private final List<String> backendReceived = new CopyOnWriteArrayList<>();
    private ServerSocket backendSocket;
    private Thread backendThread;
    private ProxyServer server;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        backendSocket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        backendThread = new Thread(this::serveBackend, "fake-pop3-backend");
        backendThread.setDaemon(true);
        backendThread.start();
        BackendRoute route = BackendRoute.of("127.0.0.1", backendSocket.getLocalPort());
        // The real contract: the outcome is completed on another thread.
        Authenticator auth = request -> CompletableFuture.supplyAsync(() -> request.user().equals("alice")
                && request.password().equals("secret")
                ? new AuthOutcome.Accepted(route, request.user(), request.password())
                : new AuthOutcome.Rejected("wrong password", Duration.ofMillis(50)), authExecutor);
        server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .authenticator(auth)
                .threads(1)
                .build();
        port = server.start().get(0).port();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop();
        backendSocket.close();
        authExecutor.shutdownNow();
    }

    /** One backend session: greeting, USER/PASS, then STAT and QUIT. */
    private void serveBackend() {
        try (Socket s = backendSocket.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("+OK fake ready\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                backendReceived.add(line);
                String reply = line.startsWith("USER ") ? "+OK\r\n"
                        : line.startsWith("PASS ") ? "+OK Logged in.\r\n"
                        : line.equals("STAT") ? "+OK 1 42\r\n"
                        : line.equals("QUIT") ? "+OK bye\r\n" : "-ERR what\r\n";
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (line.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // the test closed the listening socket
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    @Test
    void pipelinedLoginShouldReachBackendAndRelayWhenRealSockets() throws Exception {
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("+OK POP3 ready");

            send(s, "CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\n");

            assertThat(List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine()))
                    .containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL", "SASL PLAIN LOGIN", ".");
            assertThat(in.readLine()).isEqualTo("+OK");
            assertThat(in.readLine()).isEqualTo("+OK Logged in.");
            assertThat(in.readLine()).isEqualTo("+OK 1 42");
            send(s, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("+OK bye");
            assertThat(in.readLine()).isNull();
        }
        backendThread.join(5_000);
        assertThat(backendReceived).containsExactly("USER alice", "PASS secret", "STAT", "QUIT");
    }

    @Test
    void wrongPasswordShouldBeAnsweredAndRetryAllowedWhenRealSockets() throws Exception {
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("+OK POP3 ready");

            send(s, "USER alice\r\nPASS nope\r\nNOOP\r\n");

            assertThat(in.readLine()).isEqualTo("+OK");
            assertThat(in.readLine()).isEqualTo("-ERR [AUTH] Authentication failed.");
            assertThat(in.readLine()).isEqualTo("+OK");
            send(s, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
            assertThat(in.readLine()).isEqualTo("+OK Logged in.");
        }
        assertThat(backendReceived).startsWith("USER alice", "PASS secret");
    }

    @Test
    void unreachableBackendShouldGiveTemporaryFailureWhenRealSockets() throws Exception {
        backendSocket.close();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("+OK POP3 ready");

            send(s, "USER alice\r\nPASS secret\r\n");

            assertThat(in.readLine()).isEqualTo("+OK");
            assertThat(in.readLine()).isEqualTo("-ERR [SYS/TEMP] Temporary failure, try again later.");
            send(s, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("+OK");
            assertThat(in.readLine()).isNull();
        }
    }
}
