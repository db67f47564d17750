package io.mailproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.TlsMode;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsConfig;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.mailproxy.proxy.tls.TlsProvider;
import io.mailproxy.testsupport.TestPki;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS end to end: Jakarta Mail over implicit TLS (imaps, pop3s) and STARTTLS/STLS to the proxy,
 * the proxy over implicit TLS to GreenMail backends (IMAPS, POP3S) verifying their certificate
 * against the test CA, {@code --starttls only} replies, and commands injected after STARTTLS.
 * Every certificate is made at test time by {@link TestPki}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsEndToEndIT {
    private static final String ALICE_PW = "alice-tls-pw";
    private final TestPki pki = TestPki.create("it-tls");
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private GreenMail backend;
    private AuthStores stores;
    private ServerTlsContext serverTls;
    private Path dir;
    private InetSocketAddress imaps;
    private InetSocketAddress pop3s;
    private InetSocketAddress imapStartTls;
    private InetSocketAddress pop3Only;

    @BeforeAll
    void startAll() throws Exception {
        dir = Files.createTempDirectory("mailproxy-it-tls");
        // GreenMail reads its TLS key store once per JVM, from these properties.
        char[] storePassword = "greenmail-test".toCharArray();
        Path keyStore = pki.issue("backend").writeKeyStore(dir.resolve("backend.p12"), storePassword);
        System.setProperty("greenmail.tls.keystore.file", keyStore.toString());
        System.setProperty("greenmail.tls.keystore.password", new String(storePassword));
        System.setProperty("greenmail.tls.key.password", new String(storePassword));
        int imapsPort = freePort();
        int pop3sPort = freePort();
        backend = new GreenMail(new ServerSetup[] {
                new ServerSetup(imapsPort, "127.0.0.2", ServerSetup.PROTOCOL_IMAPS),
                new ServerSetup(pop3sPort, "127.0.0.2", ServerSetup.PROTOCOL_POP3S)});
        backend.start();
        GreenMailUser alice = backend.setUser("alice@example.test", "alice", ALICE_PW);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress("sender@example.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("alice@example.test"));
        m.setSubject("over tls both ways");
        m.setText("hello");
        alice.deliver(m);

        BackendDirectory directory = BackendDirectory.builder()
                .map("mailhost01", "127.0.0.2")
                .port(Protocol.IMAP, imapsPort)
                .port(Protocol.POP3, pop3sPort)
                .build();
        stores = AuthStores.open(JdbcAuthConfig.embedded(dir.resolve("db")).directory(directory)
                .failureDelay(Duration.ZERO).build());
        stores.accounts().createSchemaIfMissing();
        stores.accounts().add("alice", ALICE_PW, "mailhost01");

        TestPki.Issued proxyCert = pki.issue("proxy");
        serverTls = ServerTlsContext.load(ServerTlsConfig.of(proxyCert.writeChain(dir.resolve("proxy-chain.pem")),
                proxyCert.writeKey(dir.resolve("proxy-key.pem"))));
        BackendTls toBackends = BackendTls.create(BackendTls.Mode.IMPLICIT, pki.writeRoot(dir.resolve("ca.pem")), true,
                TlsProvider.AUTO);
        List<BoundListener> bound = proxy(toBackends);
        imaps = bound.get(0).address();
        pop3s = bound.get(1).address();
        imapStartTls = bound.get(2).address();
        pop3Only = bound.get(3).address();
    }

    private List<BoundListener> proxy(BackendTls toBackends) throws Exception {
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        ProxyServer server = ProxyServer.builder()
                .listener(new ImapProtocol(ImapConfig.defaults()), lo, TlsMode.IMPLICIT)
                .listener(new Pop3Protocol(Pop3Config.defaults()), lo, TlsMode.IMPLICIT)
                .listener(new ImapProtocol(ImapConfig.defaults()), lo, TlsMode.STARTTLS)
                .listener(new Pop3Protocol(Pop3Config.defaults()), lo, TlsMode.STARTTLS_REQUIRED)
                .serverTls(serverTls)
                .backendTls(toBackends)
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(500)))
                .authenticator(stores.authenticator())
                .threads(2)
                .build();
        closeables.add(server);
        return server.start();
    }

    @AfterAll
    void stopAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (serverTls != null) {
            serverTls.close();
        }
        if (stores != null) {
            stores.close();
        }
        if (backend != null) {
            backend.stop();
        }
    }

    private Store connect(String protocol, InetSocketAddress at, Properties extra) throws Exception {
        Properties p = new Properties();
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "20000");
        p.put("mail." + protocol + ".ssl.socketFactory", pki.clientContext().getSocketFactory());
        p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        p.putAll(extra);
        Store store = Session.getInstance(p).getStore(protocol);
        store.connect(at.getHostString(), at.getPort(), "alice", ALICE_PW);
        return store;
    }

    private static List<String> subjects(Store store) throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        List<String> subjects = new ArrayList<>();
        for (Message m : inbox.getMessages()) {
            subjects.add(m.getSubject());
        }
        inbox.close(false);
        return subjects;
    }

    @Test
    void imapsClientShouldReadItsMailboxThroughImplicitTlsBothWays() throws Exception {
        try (Store s = connect("imaps", imaps, new Properties())) {
            assertThat(subjects(s)).containsExactly("over tls both ways");
        }
    }

    @Test
    void pop3sClientShouldReadItsMailboxThroughImplicitTlsBothWays() throws Exception {
        try (Store s = connect("pop3s", pop3s, new Properties())) {
            assertThat(subjects(s)).containsExactly("over tls both ways");
        }
    }

    @Test
    void imapClientShouldStartTlsThenLogIn() throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.starttls.enable", "true");
        p.put("mail.imap.starttls.required", "true");
        try (Store s = connect("imap", imapStartTls, p)) {
            assertThat(subjects(s)).containsExactly("over tls both ways");
        }
    }

    @Test
    void pop3ClientShouldStlsThenLogInWhereTlsIsRequired() throws Exception {
        Properties p = new Properties();
        p.put("mail.pop3.starttls.enable", "true");
        p.put("mail.pop3.starttls.required", "true");
        try (Store s = connect("pop3", pop3Only, p)) {
            assertThat(subjects(s)).containsExactly("over tls both ways");
        }
    }

    @Test
    void pop3WhereTlsIsRequiredShouldHideAndRefuseCleartextLogins() throws Exception {
        try (Raw r = new Raw(pop3Only)) {
            assertThat(r.line()).isEqualTo("+OK POP3 ready");
            r.send("CAPA\r\n");
            assertThat(r.linesUntilDot()).containsExactly("+OK Capability list follows", "TOP", "UIDL", "STLS");
            r.send("USER alice\r\n");
            assertThat(r.line()).isEqualTo("-ERR [AUTH] TLS required");
            r.send("STLS\r\n");
            assertThat(r.line()).isEqualTo("+OK Begin TLS negotiation");
            r.upgrade();
            r.send("CAPA\r\n");
            assertThat(r.linesUntilDot()).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL",
                    "SASL PLAIN LOGIN");
            r.send("USER alice\r\nPASS " + ALICE_PW + "\r\n");
            assertThat(r.line()).isEqualTo("+OK");
            assertThat(r.line()).startsWith("+OK");
        }
    }

    @Test
    void bytesInjectedAfterStartTlsShouldNeverBeAnswered() throws Exception {
        try (Raw r = new Raw(imapStartTls)) {
            assertThat(r.line()).endsWith("AUTH=LOGIN STARTTLS] IMAP4rev1 proxy ready");
            r.send("a STARTTLS\r\nb LOGIN alice " + ALICE_PW + "\r\n");
            assertThat(r.line()).isEqualTo("a OK Begin TLS negotiation now");
            r.upgrade();
            r.send("c NOOP\r\n");
            assertThat(r.line()).as("b was never answered").isEqualTo("c OK NOOP completed");
            r.send("d LOGOUT\r\n");
            assertThat(r.line()).isEqualTo("* BYE Logging out");
            assertThat(r.line()).isEqualTo("d OK LOGOUT completed");
        }
    }

    @Test
    void aBackendWhoseCertificateIsNotFromTheTrustedCaShouldBeATemporaryFailure() throws Exception {
        Path otherCa = TestPki.create("not-the-backends-ca").writeRoot(dir.resolve("other-ca.pem"));
        List<BoundListener> bound = proxy(BackendTls.create(BackendTls.Mode.IMPLICIT, otherCa, true, TlsProvider.AUTO));
        try (Raw r = new Raw(bound.get(0).address())) {
            r.upgrade();
            assertThat(r.line()).startsWith("* OK [CAPABILITY ");
            r.send("a LOGIN alice " + ALICE_PW + "\r\n");
            assertThat(r.line()).isEqualTo("a NO [UNAVAILABLE] Temporary failure, try again later.");
        }
        try (Raw r = new Raw(bound.get(1).address())) {
            r.upgrade();
            assertThat(r.line()).isEqualTo("+OK POP3 ready");
            r.send("USER alice\r\nPASS " + ALICE_PW + "\r\n");
            assertThat(r.line()).isEqualTo("+OK");
            assertThat(r.line()).isEqualTo("-ERR [SYS/TEMP] Temporary failure, try again later.");
        }
    }

    /** A raw client that can switch to TLS (trusting the test CA) mid-connection. */
    private final class Raw implements AutoCloseable {
        private Socket socket;

        Raw(InetSocketAddress at) throws IOException {
            socket = new Socket(at.getAddress(), at.getPort());
            socket.setSoTimeout(20_000);
        }

        void upgrade() throws IOException {
            SSLSocket s = (SSLSocket) pki.clientContext().getSocketFactory()
                    .createSocket(socket, "127.0.0.1", socket.getPort(), true);
            s.setSoTimeout(20_000);
            s.startHandshake();
            socket = s;
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        String line() throws IOException {
            InputStream in = socket.getInputStream();
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

        List<String> linesUntilDot() throws IOException {
            List<String> lines = new ArrayList<>();
            for (String l = line(); l != null && !l.equals("."); l = line()) {
                lines.add(l);
            }
            return lines;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
