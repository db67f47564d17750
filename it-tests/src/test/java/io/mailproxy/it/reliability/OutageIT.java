package io.mailproxy.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.it.support.MailBackends;
import io.mailproxy.it.support.MariaDb;
import io.mailproxy.it.support.Wire;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.testsupport.TcpForwarder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real faults under a running proxy: the account database (MariaDB) made unreachable or hung
 * through a {@link TcpForwarder} and restored, a GreenMail backend stopped and restarted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutageIT {
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SLACK = Duration.ofSeconds(2);
    static final String IMAP_TEMP = "NO [UNAVAILABLE] Temporary failure, try again later.";
    static final String POP3_TEMP = "-ERR [SYS/TEMP] Temporary failure, try again later.";

    MariaDb db;
    TcpForwarder dbLink;
    MailBackends backends;
    AuthStores stores;
    ProxyServer server;
    InetSocketAddress pop3;
    InetSocketAddress imap;

    @BeforeAll
    void startAll() throws Exception {
        db = new MariaDb();
        dbLink = TcpForwarder.start(MariaDb.HOST, MariaDb.PORT);
        backends = new MailBackends("mailhost01", "mailhost02", "mailhost03");
        backends.deliver("mailhost01", "alice", "alice-pw", "hello", "hello alice");
        backends.user("mailhost01", "dave", "dave-pw");
        backends.deliver("mailhost02", "bob", "bob-pw", "hello", "hello bob");
        backends.stop("mailhost03");
        BackendDirectory directory = BackendDirectory.builder()
                .map("mailhost01", backends.address("mailhost01"))
                .map("mailhost02", backends.address("mailhost02"))
                // a route whose first host is down: the next one takes the login
                .map("pair", backends.address("mailhost03"), backends.address("mailhost01"))
                .port(Protocol.POP3, backends.pop3Port)
                .port(Protocol.IMAP, backends.imapPort)
                .build();
        String url = "jdbc:mysql://" + dbLink.host() + ":" + dbLink.port() + "/" + db.database();
        stores = AuthStores.open(JdbcAuthConfig.builder(url).user(MariaDb.USER).password(MariaDb.PASSWORD)
                .poolSize(2).connectTimeout(Duration.ofMillis(500)).queryTimeout(Duration.ofSeconds(1))
                .authTimeout(AUTH_TIMEOUT).failureDelay(Duration.ZERO).directory(directory).build());
        stores.accounts().createSchemaIfMissing();
        stores.accounts().add("alice", "alice-pw", "mailhost01");
        stores.accounts().add("bob", "bob-pw", "mailhost02");
        stores.accounts().add("dave", "dave-pw", "pair");
        InetAddress lo = InetAddress.getLoopbackAddress();
        server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(lo, 0))
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(lo, 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(500))
                        .withBackendConnectTimeout(Duration.ofSeconds(2)))
                .authenticator(stores.authenticator())
                .threads(2)
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
        if (dbLink != null) {
            dbLink.close();
        }
        if (backends != null) {
            backends.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // ---- clients -----------------------------------------------------------------------------------

    /** An IMAP session logged in through the proxy, INBOX selected. */
    Wire imapSession(String user, String password) throws Exception {
        Wire w = new Wire(imap);
        assertThat(w.line()).startsWith("* OK");
        w.send("a1 LOGIN " + user + " " + password + "\r\n");
        assertThat(w.lineStartingWith("a1 ")).startsWith("a1 OK");
        w.send("a2 SELECT INBOX\r\n");
        assertThat(w.lineStartingWith("a2 ")).startsWith("a2 OK");
        return w;
    }

    /** A POP3 session logged in through the proxy. */
    Wire pop3Session(String user, String password) throws Exception {
        Wire w = new Wire(pop3);
        assertThat(w.line()).startsWith("+OK");
        w.send("USER " + user + "\r\nPASS " + password + "\r\n");
        assertThat(w.line()).startsWith("+OK");
        assertThat(w.line()).startsWith("+OK");
        return w;
    }

    /** The tagged reply to one IMAP LOGIN on a fresh connection, with how long it took. */
    Timed imapLogin(String user, String password) throws Exception {
        try (Wire w = new Wire(imap)) {
            w.line();
            long t0 = System.nanoTime();
            w.send("t LOGIN " + user + " " + password + "\r\n");
            String reply = w.lineStartingWith("t ");
            return new Timed(reply, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** The reply to PASS on a fresh POP3 connection, with how long it took. */
    Timed pop3Login(String user, String password) throws Exception {
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER " + user + "\r\n");
            w.line();
            long t0 = System.nanoTime();
            w.send("PASS " + password + "\r\n");
            String reply = w.line();
            return new Timed(reply, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    record Timed(String reply, Duration took) {
    }

    static void assertImapAlive(Wire w, String tag) throws Exception {
        w.send(tag + " NOOP\r\n");
        assertThat(w.lineStartingWith(tag + " ")).startsWith(tag + " OK");
    }

    static void assertPop3Alive(Wire w) throws Exception {
        w.send("STAT\r\n");
        assertThat(w.line()).startsWith("+OK 1 ");
    }

    HikariDataSource pool() {
        return (HikariDataSource) stores.dataSource();
    }

    /** Live threads of this JVM, except GreenMail's (one per backend connection: the test's mail servers). */
    static java.util.Set<String> threadNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.getName().matches("(imap|pop3|smtp):.*")) {
                names.add(t.getName() + "#" + t.getId());
            }
        }
        return names;
    }

    static int liveThreads() {
        return threadNames().size();
    }

    // ---- the database --------------------------------------------------------------------------------

    @Test
    void databaseCutShouldGiveTemporaryFailureWithinAuthTimeoutAndSpareRelayedSessions() throws Exception {
        databaseOutage(TcpForwarder::cut, "cut");
    }

    @Test
    void databaseHangShouldGiveTemporaryFailureWithinAuthTimeoutAndSpareRelayedSessions() throws Exception {
        databaseOutage(TcpForwarder::hang, "hang");
    }

    /** What {@link ReliabilityReportIT} prints about one database outage. */
    record DatabaseOutage(String mode, Timed imapDuring, Timed pop3During, int sessionsBefore, int sessionsAliveAfter,
                          Duration recoveredAfter, int threadsBefore, int threadsAfter, int poolActiveAfter,
                          int poolTotalAfter) {
    }

    DatabaseOutage databaseOutage(Consumer<TcpForwarder> fault, String mode) throws Exception {
        try (Wire relayedImap = imapSession("alice", "alice-pw"); Wire relayedPop3 = pop3Session("bob", "bob-pw")) {
            assertThat(imapLogin("alice", "alice-pw").reply()).startsWith("t OK");
            int threadsBefore = liveThreads();
            java.util.Set<String> namesBefore = threadNames();

            fault.accept(dbLink);
            Timed imapDuring = imapLogin("alice", "alice-pw");
            Timed pop3During = pop3Login("bob", "bob-pw");

            assertThat(imapDuring.reply()).isEqualTo("t " + IMAP_TEMP);
            assertThat(imapDuring.took()).isLessThanOrEqualTo(AUTH_TIMEOUT.plus(SLACK));
            assertThat(pop3During.reply()).isEqualTo(POP3_TEMP);
            assertThat(pop3During.took()).isLessThanOrEqualTo(AUTH_TIMEOUT.plus(SLACK));
            assertImapAlive(relayedImap, "n1");
            assertPop3Alive(relayedPop3);

            dbLink.restore();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> imapLogin("alice", "alice-pw").reply().startsWith("t OK"));
            Duration recovered = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(pop3Login("bob", "bob-pw").reply()).startsWith("+OK");
            assertImapAlive(relayedImap, "n2");
            assertPop3Alive(relayedPop3);

            // Nothing left behind: no extra threads, no connection checked out of the pool.
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> liveThreads() <= threadsBefore + 1 && pool().getHikariPoolMXBean().getActiveConnections() == 0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                java.util.Set<String> now = threadNames();
                now.removeAll(namesBefore);
                throw new AssertionError("threads before " + threadsBefore + ", now " + liveThreads() + ", new: " + now
                        + "; pool active " + pool().getHikariPoolMXBean().getActiveConnections(), e);
            }
            int threadsAfter = liveThreads();
            assertThat(pool().getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(2);
            return new DatabaseOutage(mode, imapDuring, pop3During, 2, 2, recovered, threadsBefore, threadsAfter,
                    pool().getHikariPoolMXBean().getActiveConnections(), pool().getHikariPoolMXBean().getTotalConnections());
        }
    }

    // ---- a backend -----------------------------------------------------------------------------------

    /** What {@link ReliabilityReportIT} prints about one backend outage. */
    record BackendOutage(String imapRelayedEnd, String pop3RelayedEnd, String imapLoginDuring, String pop3LoginDuring,
                         String failoverLogin, String imapLoginAfterRestart) {
    }

    @Test
    void backendStopShouldCloseItsRelayedSessionsAndGiveTemporaryFailureUntilRestarted() throws Exception {
        backendOutage();
    }

    BackendOutage backendOutage() throws Exception {
        try (Wire onStopped = imapSession("bob", "bob-pw"); Wire pop3OnStopped = pop3Session("bob", "bob-pw");
                Wire elsewhere = imapSession("alice", "alice-pw")) {
            backends.stop("mailhost02");
            try {
                // The backend went away: its relayed sessions end (end of stream), no hang.
                String imapEnd = drainToEnd(onStopped);
                String pop3End = drainToEnd(pop3OnStopped);
                assertImapAlive(elsewhere, "n1");

                String imapDuring = imapLogin("bob", "bob-pw").reply();
                String pop3During = pop3Login("bob", "bob-pw").reply();
                assertThat(imapDuring).isEqualTo("t " + IMAP_TEMP);
                assertThat(pop3During).isEqualTo(POP3_TEMP);
                String failover = imapLogin("dave", "dave-pw").reply();
                assertThat(failover).as("route pair: first host down, second takes it").startsWith("t OK");

                backends.restart("mailhost02");
                backends.deliver("mailhost02", "bob", "bob-pw", "hello", "hello bob");
                String after = imapLogin("bob", "bob-pw").reply();
                assertThat(after).startsWith("t OK");
                try (Wire again = pop3Session("bob", "bob-pw")) {
                    assertPop3Alive(again);
                }
                return new BackendOutage(imapEnd, pop3End, imapDuring, pop3During, failover, after);
            } finally {
                if (backends.host("mailhost02") == null || !backends.host("mailhost02").isRunning()) {
                    backends.restart("mailhost02");
                    backends.deliver("mailhost02", "bob", "bob-pw", "hello", "hello bob");
                }
            }
        }
    }

    /** Reads what is left until the proxy closes the connection; returns a short description. */
    static String drainToEnd(Wire w) throws Exception {
        String last = null;
        for (String l; (l = w.line()) != null; ) {
            last = l;
        }
        return last == null ? "closed (end of stream)" : "'" + last + "', then closed";
    }
}
