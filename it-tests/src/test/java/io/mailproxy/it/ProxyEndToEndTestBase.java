package io.mailproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.it.support.MailBackends;
import io.mailproxy.it.support.Wire;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end over real sockets: real clients (Jakarta Mail, raw sockets) -> mailproxy -> GreenMail
 * backends standing for mailhost01/mailhost02, with accounts in a real account store (MariaDB or
 * embedded H2, by subclass), exactly as the seed's nginx + Perl setup is wired.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProxyEndToEndTestBase {
    static final String ALICE_PW = "alice-secret";
    // Quotes and a backslash exercise the IMAP quoting towards the backend. No space: GreenMail's
    // POP3 PASS takes only the first word (real servers such as Dovecot take the rest of the line).
    static final String BOB_PW = "b0b\"with\\quotes";
    static final int BIG_SIZE = 20 * 1024 * 1024;

    MailBackends backends;
    AuthStores stores;
    ProxyServer server;
    InetSocketAddress pop3;
    InetSocketAddress imap;
    String bigMessageSha256;

    /** The store's JDBC config builder (a MariaDB database or an H2 file), directory still unset. */
    abstract JdbcAuthConfig.Builder storeConfig() throws Exception;

    @BeforeAll
    void startAll() throws Exception {
        backends = new MailBackends("mailhost01", "mailhost02", "mailhost03");
        backends.deliver("mailhost01", "alice", ALICE_PW, "for alice on mailhost01", "hello alice");
        backends.deliver("mailhost02", "bob", BOB_PW, "for bob on mailhost02", "hello bob");
        backends.deliver("mailhost02", "bob", BOB_PW, "second for bob", "hello again");
        backends.user("mailhost03", "carol", "carol-pw");
        backends.stop("mailhost03");
        backends.deliver("mailhost01", "big", "big-pw", "big", bigBody());

        BackendDirectory directory = BackendDirectory.builder()
                .map("mailhost01", backends.address("mailhost01"))
                .map("mailhost02", backends.address("mailhost02"))
                .map("mailhost03", backends.address("mailhost03"))
                .port(Protocol.POP3, backends.pop3Port)
                .port(Protocol.IMAP, backends.imapPort)
                .build();
        stores = AuthStores.open(storeConfig().directory(directory).failureDelay(Duration.ZERO).build());
        stores.accounts().createSchemaIfMissing();
        stores.accounts().add("alice", ALICE_PW, "mailhost01");
        stores.accounts().add("bob", BOB_PW, "mailhost02");
        stores.accounts().add("carol", "carol-pw", "mailhost03");
        stores.accounts().add("big", "big-pw", "mailhost01");
        // Accepted by the store, unknown to the backend: the backend's refusal must reach the client.
        stores.accounts().add("ghost", "ghost-pw", "mailhost01");

        InetAddress lo = InetAddress.getLoopbackAddress();
        server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(lo, 0))
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(lo, 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(500)))
                .authenticator(stores.authenticator())
                .build();
        List<BoundListener> bound = server.start();
        pop3 = bound.get(0).address();
        imap = bound.get(1).address();
    }

    @AfterAll
    void stopAll() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (stores != null) {
            stores.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    private String bigBody() throws Exception {
        // 20 MiB of printable lines (a text body GreenMail stores and serves as is).
        StringBuilder sb = new StringBuilder(BIG_SIZE + 100);
        Random r = new Random(7);
        char[] line = new char[76];
        while (sb.length() < BIG_SIZE) {
            for (int i = 0; i < line.length; i++) {
                line[i] = (char) ('!' + r.nextInt(90));
            }
            sb.append(line).append("\r\n");
        }
        return sb.toString();
    }

    Store connect(String protocol, InetSocketAddress at, String user, String password, Properties extra) throws Exception {
        Properties p = new Properties();
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "20000");
        p.putAll(extra);
        Store store = Session.getInstance(p).getStore(protocol);
        store.connect(at.getHostString(), at.getPort(), user, password);
        return store;
    }

    List<String> subjects(Store store) throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        List<String> subjects = new ArrayList<>();
        for (Message m : inbox.getMessages()) {
            subjects.add(m.getSubject());
        }
        inbox.close(false);
        return subjects;
    }

    // ---- the right mailbox, through each protocol -------------------------------------------

    @Test
    void imapClientShouldReadItsOwnMailboxOnEachBackend() throws Exception {
        try (Store s = connect("imap", imap, "alice", ALICE_PW, new Properties())) {
            assertThat(subjects(s)).containsExactly("for alice on mailhost01");
        }
        try (Store s = connect("imap", imap, "bob", BOB_PW, new Properties())) {
            assertThat(subjects(s)).containsExactly("for bob on mailhost02", "second for bob");
        }
    }

    @Test
    void imapClientShouldLogInWithTheLoginCommandToo() throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.auth.plain.disable", "true");
        p.put("mail.imap.auth.login.disable", "true");
        try (Store s = connect("imap", imap, "bob", BOB_PW, p)) {
            assertThat(subjects(s)).containsExactly("for bob on mailhost02", "second for bob");
        }
    }

    @Test
    void pop3ClientShouldReadItsOwnMailboxOnEachBackend() throws Exception {
        try (Store s = connect("pop3", pop3, "alice", ALICE_PW, new Properties())) {
            assertThat(subjects(s)).containsExactly("for alice on mailhost01");
        }
        try (Store s = connect("pop3", pop3, "bob", BOB_PW, new Properties())) {
            assertThat(subjects(s)).containsExactly("for bob on mailhost02", "second for bob");
        }
    }

    // ---- failures -------------------------------------------------------------------------

    @Test
    void wrongPasswordAndUnknownUserShouldFailAuthenticationInBothProtocols() {
        for (String proto : List.of("imap", "pop3")) {
            InetSocketAddress at = proto.equals("imap") ? imap : pop3;
            assertThatThrownBy(() -> connect(proto, at, "alice", "wrong", new Properties()))
                    .as(proto + " wrong password").isInstanceOf(AuthenticationFailedException.class);
            assertThatThrownBy(() -> connect(proto, at, "nobody", "x", new Properties()))
                    .as(proto + " unknown user").isInstanceOf(AuthenticationFailedException.class);
        }
    }

    @Test
    void wrongPasswordShouldGetTheExactFailureReplies() throws Exception {
        try (Wire w = new Wire(imap)) {
            assertThat(w.line()).startsWith("* OK [CAPABILITY ");
            w.send("a1 LOGIN alice wrong\r\n");
            assertThat(w.line()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
        }
        try (Wire w = new Wire(pop3)) {
            assertThat(w.line()).isEqualTo("+OK POP3 ready");
            w.send("USER alice\r\nPASS wrong\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).isEqualTo("-ERR [AUTH] Authentication failed.");
        }
    }

    @Test
    void stoppedBackendShouldGiveTheTemporaryFailureReply() throws Exception {
        try (Wire w = new Wire(imap)) {
            w.line();
            w.send("t1 LOGIN carol carol-pw\r\n");
            assertThat(w.line()).isEqualTo("t1 NO [UNAVAILABLE] Temporary failure, try again later.");
        }
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER carol\r\nPASS carol-pw\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).isEqualTo("-ERR [SYS/TEMP] Temporary failure, try again later.");
        }
    }

    @Test
    void backendRefusalShouldReachTheClient() throws Exception {
        try (Wire w = new Wire(imap)) {
            w.line();
            w.send("g1 LOGIN ghost ghost-pw\r\n");
            assertThat(w.lineStartingWith("g1 ")).startsWith("g1 NO");
        }
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER ghost\r\nPASS ghost-pw\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).startsWith("-ERR");
        }
    }

    // ---- pipelining -----------------------------------------------------------------------

    @Test
    void loginAndLogoutPipelinedInOneWriteShouldBothBeAnswered() throws Exception {
        try (Wire w = new Wire(imap)) {
            assertThat(w.line()).startsWith("* OK");
            w.send("a LOGIN alice " + quoted(ALICE_PW) + "\r\nb LOGOUT\r\n");
            assertThat(w.lineStartingWith("a ")).startsWith("a OK");
            assertThat(w.lineStartingWith("* BYE")).isNotNull();
            assertThat(w.lineStartingWith("b ")).startsWith("b OK");
            assertThat(w.line()).isNull();
        }
    }

    @Test
    void pop3CommandsPipelinedAfterPassShouldReachTheBackend() throws Exception {
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER bob\r\nPASS " + BOB_PW + "\r\nSTAT\r\nQUIT\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).startsWith("+OK");
            assertThat(w.line()).startsWith("+OK 2 ");
            assertThat(w.line()).startsWith("+OK");
            assertThat(w.line()).isNull();
        }
    }

    // ---- a large message, byte for byte ----------------------------------------------------

    @Test
    void largeImapFetchThroughTheProxyShouldBeByteIdenticalToTheDirectFetch() throws Exception {
        InetSocketAddress direct = new InetSocketAddress(backends.address("mailhost01"), backends.imapPort);
        String viaProxy = imapFetchDigest(imap);
        String viaDirect = imapFetchDigest(direct);
        assertThat(viaProxy).isEqualTo(viaDirect);
    }

    @Test
    void largePop3RetrThroughTheProxyShouldBeByteIdenticalToTheDirectRetr() throws Exception {
        InetSocketAddress direct = new InetSocketAddress(backends.address("mailhost01"), backends.pop3Port);
        String viaProxy = pop3RetrDigest(pop3);
        String viaDirect = pop3RetrDigest(direct);
        assertThat(viaProxy).isEqualTo(viaDirect);
    }

    private String imapFetchDigest(InetSocketAddress at) throws Exception {
        try (Wire w = new Wire(at)) {
            w.line();
            w.send("a LOGIN big big-pw\r\n");
            assertThat(w.lineStartingWith("a ")).startsWith("a OK");
            w.send("b SELECT INBOX\r\n");
            assertThat(w.lineStartingWith("b ")).startsWith("b OK");
            w.send("c FETCH 1 BODY[]\r\n");
            String head = w.lineStartingWith("* 1 FETCH");
            Matcher m = Pattern.compile("\\{(\\d+)}$").matcher(head);
            assertThat(m.find()).as(head).isTrue();
            int n = Integer.parseInt(m.group(1));
            assertThat(n).isGreaterThan(BIG_SIZE);
            byte[] body = w.readN(n);
            assertThat(body).hasSize(n);
            assertThat(w.lineStartingWith("c ")).startsWith("c OK");
            w.send("d LOGOUT\r\n");
            return sha256(body);
        }
    }

    private String pop3RetrDigest(InetSocketAddress at) throws Exception {
        try (Wire w = new Wire(at)) {
            w.line();
            w.send("USER big\r\nPASS big-pw\r\n");
            assertThat(w.line()).startsWith("+OK");
            assertThat(w.line()).startsWith("+OK");
            w.send("RETR 1\r\n");
            assertThat(w.line()).startsWith("+OK");
            ByteArrayOutputStream body = new ByteArrayOutputStream(BIG_SIZE + 1024);
            String line;
            while (!(line = w.line()).equals(".")) {
                body.write(line.getBytes(StandardCharsets.UTF_8));
                body.write('\r');
                body.write('\n');
            }
            assertThat(body.size()).isGreaterThan(BIG_SIZE);
            w.send("QUIT\r\n");
            return sha256(body.toByteArray());
        }
    }

    // ---- concurrency ------------------------------------------------------------------------

    @Test
    void twoHundredConcurrentSessionsShouldAllSucceed() throws Exception {
        int sessions = 200;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                boolean useImap = i % 2 == 0;
                results.add(pool.submit(() -> useImap ? imapSession() : pop3Session()));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(outcomes).hasSize(sessions).allMatch(o -> o.equals("ok"), "every session ok");
        } finally {
            pool.shutdownNow();
        }
    }

    private String imapSession() throws IOException {
        try (Wire w = new Wire(imap)) {
            w.line();
            w.send("a LOGIN bob " + quoted(BOB_PW) + "\r\n");
            String ok = w.lineStartingWith("a ");
            w.send("b SELECT INBOX\r\n");
            String exists = w.lineStartingWith("* 2 EXISTS");
            String selected = w.lineStartingWith("b ");
            w.send("c LOGOUT\r\n");
            String bye = w.lineStartingWith("c ");
            boolean good = ok != null && ok.startsWith("a OK") && exists != null && selected.startsWith("b OK")
                    && bye != null && bye.startsWith("c OK");
            return good ? "ok" : "imap: " + ok + " / " + selected + " / " + bye;
        }
    }

    private String pop3Session() throws IOException {
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER alice\r\nPASS " + ALICE_PW + "\r\nSTAT\r\nQUIT\r\n");
            String user = w.line();
            String pass = w.line();
            String stat = w.line();
            String quit = w.line();
            boolean good = "+OK".equals(user) && pass.startsWith("+OK") && stat.startsWith("+OK 1 ") && quit.startsWith("+OK");
            return good ? "ok" : "pop3: " + user + " / " + pass + " / " + stat + " / " + quit;
        }
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
