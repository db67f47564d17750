package io.mailproxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.protocols.testsupport.ScriptedTlsBackend;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.testsupport.TestPki;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.TlsProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS from the proxy to scripted backends on real sockets: STARTTLS (IMAP) and STLS (POP3) before
 * the login, implicit TLS, certificate and host name verification, and every failure answered as a
 * temporary failure without the password ever leaving in cleartext.
 */
class BackendTlsTest {
    private static final TestPki PKI = TestPki.create("backend-tls-test");
    private static final TestPki ROGUE = TestPki.create("rogue");
    private static final String IMAP_TEMP = "a NO [UNAVAILABLE] Temporary failure, try again later.";
    private static final String POP3_TEMP = "-ERR [SYS/TEMP] Temporary failure, try again later.";
    private static Path caFile;

    private final ExecutorService authThreads = Executors.newSingleThreadExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private int imapPort;
    private int pop3Port;

    @BeforeAll
    static void ca(@TempDir Path dir) throws IOException {
        caFile = PKI.writeRoot(dir.resolve("ca.pem"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        authThreads.shutdownNow();
    }

    private ScriptedTlsBackend backend(TestPki.Issued cert, boolean implicit, ScriptedTlsBackend.Script script) throws IOException {
        ScriptedTlsBackend b = new ScriptedTlsBackend(cert.serverContext(), implicit, script);
        closeables.add(b);
        return b;
    }

    private void proxy(BackendTls tls, String host, int backendPort) throws Exception {
        BackendRoute route = BackendRoute.of(host, backendPort);
        Authenticator auth = request -> CompletableFuture.supplyAsync(() ->
                new AuthOutcome.Accepted(route, request.user(), request.password()), authThreads);
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        ProxyServer server = ProxyServer.builder()
                .listener(new ImapProtocol(ImapConfig.defaults()), lo)
                .listener(new Pop3Protocol(Pop3Config.defaults()), lo)
                .backendTls(tls)
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .authenticator(auth)
                .threads(1)
                .build();
        List<BoundListener> bound = server.start();
        closeables.add(server);
        imapPort = bound.get(0).port();
        pop3Port = bound.get(1).port();
    }

    private static BackendTls verifying(BackendTls.Mode mode, TlsProvider provider) throws Exception {
        return BackendTls.create(mode, caFile, true, provider);
    }

    private static Socket client(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(15_000);
        readLine(s.getInputStream()); // greeting
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String line = b.toString(StandardCharsets.ISO_8859_1);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            }
            b.write(c);
        }
        return null;
    }

    /** IMAP backend offering STARTTLS; after its OK it also sends a line in cleartext that must never reach the client. */
    private static void imapStartTls(ScriptedTlsBackend.Conversation c) throws IOException {
        c.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] backend ready\r\n");
        String cmd = c.readLine();
        if (cmd == null || !cmd.endsWith(" STARTTLS")) {
            return;
        }
        c.send(cmd.split(" ")[0] + " OK Begin TLS\r\n* OK [ALERT] injected before TLS\r\n");
        c.upgrade();
        String login = c.readLine();
        c.send(login.split(" ")[0] + " OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
        String next = c.readLine();
        c.send(next.split(" ")[0] + " OK backend over tls\r\n");
        c.readLine();
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"OPENSSL", "JDK"})
    void imapStartTlsShouldLogInOverTlsAndDropWhatTheBackendSentInCleartextAfterItsOk(TlsProvider provider) throws Exception {
        ScriptedTlsBackend b = backend(PKI.issue("backend"), false, BackendTlsTest::imapStartTls);
        proxy(verifying(BackendTls.Mode.STARTTLS, provider), "127.0.0.1", b.port());
        try (Socket s = client(imapPort)) {
            send(s, "a LOGIN alice secret\r\nb NOOP\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("a OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
            assertThat(readLine(s.getInputStream())).isEqualTo("b OK backend over tls");
        }
        assertThat(b.received).startsWith("plain:mpx STARTTLS", "tls:a LOGIN \"alice\" \"secret\"", "tls:b NOOP");
    }

    @Test
    void pop3StlsShouldLogInOverTls() throws Exception {
        ScriptedTlsBackend b = backend(PKI.issue("backend"), false, c -> {
            c.send("+OK POP3 backend ready\r\n");
            if (!"STLS".equals(c.readLine())) {
                return;
            }
            c.send("+OK Begin TLS\r\n");
            c.upgrade();
            c.readLine();
            c.send("+OK\r\n");
            c.readLine();
            c.send("+OK maildrop locked\r\n");
            c.readLine();
            c.send("+OK 0 0\r\n");
            c.readLine();
        });
        proxy(verifying(BackendTls.Mode.STARTTLS, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(pop3Port)) {
            send(s, "USER alice\r\nPASS secret\r\nSTAT\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK");
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK maildrop locked");
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK 0 0");
        }
        assertThat(b.received).startsWith("plain:STLS", "tls:USER alice", "tls:PASS secret", "tls:STAT");
    }

    @Test
    void implicitTlsBackendShouldBeVerifiedAndLoggedInto() throws Exception {
        ScriptedTlsBackend b = backend(PKI.issue("backend"), true, c -> {
            c.send("* OK backend on 993\r\n");
            String login = c.readLine();
            c.send(login.split(" ")[0] + " OK Logged in\r\n");
            c.readLine();
        });
        proxy(verifying(BackendTls.Mode.IMPLICIT, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(imapPort)) {
            send(s, "a LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("a OK Logged in");
        }
        assertThat(b.received).first().isEqualTo("tls:a LOGIN \"alice\" \"secret\"");
    }

    @ParameterizedTest
    @EnumSource(value = BackendTls.Mode.class, names = {"IMPLICIT", "STARTTLS"})
    void aBackendCertificateFromAnotherCaShouldBeATemporaryFailure(BackendTls.Mode mode) throws Exception {
        ScriptedTlsBackend b = backend(ROGUE.issue("rogue"), mode == BackendTls.Mode.IMPLICIT, mode == BackendTls.Mode.IMPLICIT
                ? c -> {
                    c.send("* OK rogue\r\n");
                    c.readLine();
                }
                : BackendTlsTest::imapStartTls);
        proxy(verifying(mode, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(imapPort)) {
            send(s, "a LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo(IMAP_TEMP);
        }
        assertThat(b.received).noneMatch(l -> l.contains("LOGIN"));
    }

    @Test
    void aBackendWhoseCertificateNamesAnotherHostShouldBeATemporaryFailure() throws Exception {
        ScriptedTlsBackend b = backend(PKI.issue("elsewhere", false, List.of("mail.elsewhere.example")), true, c -> {
            c.send("+OK elsewhere\r\n");
            c.readLine();
        });
        proxy(verifying(BackendTls.Mode.IMPLICIT, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(pop3Port)) {
            send(s, "USER alice\r\nPASS secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK");
            assertThat(readLine(s.getInputStream())).isEqualTo(POP3_TEMP);
        }
        assertThat(b.received).noneMatch(l -> l.contains("alice"));
    }

    @Test
    void aBackendRefusingStartTlsShouldBeATemporaryFailureAndNeverSeeThePassword() throws Exception {
        ScriptedTlsBackend b = backend(PKI.issue("backend"), false, c -> {
            c.send("+OK no tls here\r\n");
            c.readLine();
            c.send("-ERR STLS not supported\r\n");
            c.readLine();
        });
        proxy(verifying(BackendTls.Mode.STARTTLS, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(pop3Port)) {
            send(s, "USER alice\r\nPASS secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK");
            assertThat(readLine(s.getInputStream())).isEqualTo(POP3_TEMP);
        }
        assertThat(b.received).startsWith("plain:STLS").noneMatch(l -> l.contains("USER") || l.contains("PASS"));
    }

    @Test
    void verificationOffShouldAcceptAnyCertificateWhenAskedFor() throws Exception {
        ScriptedTlsBackend b = backend(ROGUE.issue("rogue", false, List.of("mail.elsewhere.example")), true, c -> {
            c.send("* OK rogue\r\n");
            String login = c.readLine();
            c.send(login.split(" ")[0] + " OK Logged in\r\n");
            c.readLine();
        });
        proxy(BackendTls.create(BackendTls.Mode.IMPLICIT, null, false, TlsProvider.AUTO), "127.0.0.1", b.port());
        try (Socket s = client(imapPort)) {
            send(s, "a LOGIN alice secret\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("a OK Logged in");
        }
    }
}
