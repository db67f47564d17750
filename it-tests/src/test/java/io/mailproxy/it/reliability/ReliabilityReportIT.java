package io.mailproxy.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.auth.throttle.ThrottleConfig;
import io.mailproxy.auth.throttle.ThrottlingAuthenticator;
import io.mailproxy.it.support.MailBackends;
import io.mailproxy.it.support.MariaDb;
import io.mailproxy.it.support.Wire;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ConnectionLimits;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.testsupport.TcpForwarder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The reliability suite: runs the hostile, abusive and faulty situations against a real proxy
 * (MariaDB through a cuttable link, GreenMail backends, real sockets), asserts what must hold, and
 * prints what it saw as tables (also written to {@code it-tests/target/reliability-report.txt}):
 * each hostile input and its reply; failed logins from one IP with the delays observed; connections
 * refused at the limits; sessions alive through a database outage; bytes lost in relayed transfers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityReportIT {
    private static final int MESSAGE_SIZE = 2 * 1024 * 1024;
    private static final int SESSIONS = 10;

    private final StringBuilder report = new StringBuilder();
    private MariaDb db;
    private TcpForwarder dbLink;
    private MailBackends backends;
    private AuthStores stores;
    private final List<ProxyServer> servers = new ArrayList<>();
    private InetSocketAddress pop3;
    private InetSocketAddress imap;

    @BeforeAll
    void startAll() throws Exception {
        db = new MariaDb();
        dbLink = TcpForwarder.start(MariaDb.HOST, MariaDb.PORT);
        backends = new MailBackends("mailhost01");
        backends.deliver("mailhost01", "alice", "alice-pw", "big", bigBody());
        BackendDirectory directory = BackendDirectory.builder()
                .map("mailhost01", backends.address("mailhost01"))
                .port(Protocol.POP3, backends.pop3Port).port(Protocol.IMAP, backends.imapPort).build();
        String url = "jdbc:mysql://" + dbLink.host() + ":" + dbLink.port() + "/" + db.database();
        stores = AuthStores.open(JdbcAuthConfig.builder(url).user(MariaDb.USER).password(MariaDb.PASSWORD)
                .poolSize(2).connectTimeout(Duration.ofMillis(500)).queryTimeout(Duration.ofSeconds(1))
                .authTimeout(Duration.ofSeconds(2)).failureDelay(Duration.ZERO).directory(directory).build());
        stores.accounts().createSchemaIfMissing();
        stores.accounts().add("alice", "alice-pw", "mailhost01");
        List<BoundListener> bound = start(stores.authenticator(), ConnectionLimits.NONE);
        pop3 = bound.get(0).address();
        imap = bound.get(1).address();
        line("mailproxy reliability report");
        line("  account store: MariaDB via a cuttable TCP link; backend: GreenMail; clients: raw sockets on loopback");
    }

    private List<BoundListener> start(Authenticator auth, ConnectionLimits limits) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ProxyServer server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(lo, 0))
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(lo, 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(300)))
                .connectionLimits(limits)
                .authenticator(auth)
                .threads(2)
                .build();
        servers.add(server);
        return server.start();
    }

    @AfterAll
    void stopAll() throws Exception {
        for (ProxyServer s : servers) {
            s.stop();
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
        String text = report.toString();
        System.out.println(text);
        Path out = Path.of("target", "reliability-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text);
    }

    // ---- 1. hostile input ------------------------------------------------------------------------

    record Hostile(String protocol, String name, String input) {
    }

    static List<Hostile> hostileInputs() {
        String longLine = "x".repeat(70_000);
        String bigPassword = "p".repeat(65_536);
        return List.of(
                new Hostile("pop3", "70,000-byte line", longLine + "\r\n"),
                new Hostile("pop3", "NUL in USER", "USER al\0ice\r\n"),
                new Hostile("pop3", "8-bit, not UTF-8", "USER \u00ff\u00fe\r\n"),
                new Hostile("pop3", "bare LF", "USER alice\n"),
                new Hostile("pop3", "invalid base64", "AUTH PLAIN !!!!\r\n"),
                new Hostile("pop3", "empty user (SASL PLAIN)", "AUTH PLAIN " + b64("\0\0pw") + "\r\n"),
                new Hostile("pop3", "USER without name", "USER \r\n"),
                new Hostile("pop3", "64 KiB password", "USER alice\r\nPASS " + bigPassword + "\r\n"),
                new Hostile("pop3", "5,000 pipelined NOOPs", "NOOP\r\n".repeat(5000)),
                new Hostile("imap", "70,000-byte line", longLine + "\r\n"),
                new Hostile("imap", "NUL in LOGIN", "a LOGIN al\0ice pw\r\n"),
                new Hostile("imap", "NUL in literal password", "a LOGIN alice {3+}\r\np\0w\r\n"),
                new Hostile("imap", "8-bit, not UTF-8", "a LOGIN \u00ff\u00fe pw\r\n"),
                new Hostile("imap", "bare LF", "a LOGIN alice pw\n"),
                new Hostile("imap", "literal {4294967296}", "a LOGIN {4294967296}\r\n"),
                new Hostile("imap", "literal {99999999999999999999}", "a LOGIN {99999999999999999999}\r\n"),
                new Hostile("imap", "literal {4294967296+}", "a LOGIN {4294967296+}\r\n"),
                new Hostile("imap", "invalid base64", "a AUTHENTICATE PLAIN !!!!\r\n"),
                new Hostile("imap", "empty user", "a LOGIN \"\" pw\r\n"),
                new Hostile("imap", "64 KiB password (literal+)", "a LOGIN alice {65536+}\r\n" + bigPassword + "\r\n"),
                new Hostile("imap", "5,000 pipelined NOOPs", "a NOOP\r\n".repeat(5000)),
                new Hostile("imap", "untagged command", "* LOGIN alice pw\r\n"));
    }

    @Test
    @Order(1)
    void hostileInputsGetAProtocolErrorOrAClose() throws Exception {
        section("1. Hostile input (each on a fresh connection; a bystander session is answered after each)");
        row("%-5s | %-30s | %-56s | %s", "proto", "input", "reply lines (count when repeated)", "then");
        try (Wire bystander = new Wire(imap)) {
            bystander.line();
            int n = 0;
            for (Hostile h : hostileInputs()) {
                Reply r = send(h.protocol().equals("pop3") ? pop3 : imap, h.input());
                row("%-5s | %-30s | %-56s | %s", h.protocol(), h.name(), r.summary(), r.closed() ? "closed" : "open");
                assertThat(r.lines()).as(h.name()).isNotEmpty();
                assertThat(r.last()).as(h.name()).matches("-ERR .*|\\+OK.*|[a*] (BAD|NO|OK) .*");
                bystander.send("b" + n + " NOOP\r\n");
                assertThat(bystander.line()).startsWith("b" + n++ + " OK");
            }
        }
    }

    /** What came back: the lines, whether the server closed, and how long the last line took. */
    record Reply(List<String> lines, boolean closed, long lastLineMillis) {
        /** The distinct lines in order, a repeated one with its count. */
        String summary() {
            if (lines.isEmpty()) {
                return "(nothing)";
            }
            java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
            for (String l : lines) {
                counts.merge(l, 1, Integer::sum);
            }
            StringBuilder sb = new StringBuilder();
            counts.forEach((l, n) -> sb.append(sb.length() == 0 ? "" : " / ").append(l).append(n > 1 ? " (x" + n + ")" : ""));
            return sb.toString();
        }

        String last() {
            return lines.isEmpty() ? null : lines.get(lines.size() - 1);
        }
    }

    /**
     * Sends {@code input} after the greeting; collects reply lines until the server closes, until
     * {@code expectLines} lines came, or until it has been quiet for 300 ms.
     */
    private static Reply send(InetSocketAddress to, String input, int expectLines) throws IOException {
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            readLine(in);
            long t0 = System.nanoTime();
            s.getOutputStream().write(input.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            List<String> lines = new ArrayList<>();
            boolean closed = false;
            long lastMillis = -1;
            try {
                String l;
                while (lines.size() < expectLines && (l = readLine(in)) != null) {
                    lines.add(l);
                    lastMillis = (System.nanoTime() - t0) / 1_000_000;
                    if (expectLines == Integer.MAX_VALUE) {
                        s.setSoTimeout(300);
                    }
                }
                closed = lines.size() < expectLines;
            } catch (java.net.SocketTimeoutException quiet) {
                // still open, nothing more to say
            }
            return new Reply(lines, closed, lastMillis);
        }
    }

    private static Reply send(InetSocketAddress to, String input) throws IOException {
        return send(to, input, Integer.MAX_VALUE);
    }

    // ---- 2. throttling ---------------------------------------------------------------------------

    @Test
    @Order(2)
    void failedLoginsFromOneIpAreDelayedMoreEachTimeThenRefused() throws Exception {
        Duration base = Duration.ofMillis(100);
        Duration max = Duration.ofMillis(800);
        ThrottleConfig config = ThrottleConfig.defaults().withDelays(base, max).withMaxFailuresPerIp(6);
        InetSocketAddress throttled = start(new ThrottlingAuthenticator(stores.authenticator(), config),
                ConnectionLimits.NONE).get(1).address();
        section("2. Failed logins from one IP (IMAP, a new connection each; delays scaled down 20x from the defaults "
                + "2, 4, 8, 15 s: base " + base.toMillis() + " ms, max " + max.toMillis() + " ms; ceiling 6 failures per IP)");
        row("%-3s | %-36s | %-56s | %s", "#", "password", "reply", "answered after");
        String[] passwords = {"guess1", "guess2", "guess2", "guess3", "guess4", "guess5", "guess6", "guess7", "alice-pw"};
        // The delay each must wait at least: doubling per counted failure, the repeat not counted, capped.
        long[] atLeast = {100, 200, 200, 400, 800, 800, 800, 0, 0};
        String failed = "t NO [AUTHENTICATIONFAILED] Authentication failed.";
        String locked = "t NO [UNAVAILABLE] Temporary failure, try again later.";
        for (int i = 0; i < passwords.length; i++) {
            String pw = passwords[i];
            Reply r = send(throttled, "t LOGIN alice " + pw + "\r\n", 1);
            long ms = r.lastLineMillis();
            String note = i == 2 ? " (same wrong password again)" : i == 7 ? " (7th failure: ceiling)"
                    : pw.equals("alice-pw") ? " (the right one)" : "";
            row("%-3d | %-36s | %-56s | %d ms", i + 1, pw + note, r.summary(), ms);
            assertThat(r.lines()).containsExactly(i < 7 ? failed : locked);
            assertThat(ms).isGreaterThanOrEqualTo(atLeast[i]);
        }
    }

    // ---- 3. connection limits --------------------------------------------------------------------

    @Test
    @Order(3)
    void connectionsOverTheLimitsAreRefusedWithTheProtocolReply() throws Exception {
        ProxyServer limited;
        InetSocketAddress limitedImap = start(stores.authenticator(), new ConnectionLimits(8, 5)).get(1).address();
        limited = servers.get(servers.size() - 1);
        section("3. Connection limits (--max-connections 8 --max-connections-per-ip 5; IMAP)");
        row("%-3s | %-10s | %s", "#", "from", "greeting or refusal");
        List<Socket> open = new ArrayList<>();
        int refused = 0;
        try {
            String[] from = {"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1",
                "127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2"};
            for (int i = 0; i < from.length; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress(from[i], 0));
                s.connect(limitedImap, 5000);
                s.setSoTimeout(5000);
                String first = readLine(s.getInputStream());
                boolean ok = first.startsWith("* OK");
                if (ok) {
                    open.add(s);
                } else {
                    refused++;
                    assertThat(readLine(s.getInputStream())).as("closed after the refusal").isNull();
                    s.close();
                }
                row("%-3d | %-10s | %s", i + 1, from[i], ok ? "* OK ... (greeted)" : first);
            }
            assertThat(open).hasSize(8);
            assertThat(refused).isEqualTo(2);
            row("open %d, refused %d; counted by the proxy: %d", open.size(), refused, limited.connections().total());
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    // ---- 4 + 5. database outage, bytes lost --------------------------------------------------------

    @Test
    @Order(4)
    void relayedSessionsSurviveADatabaseOutageAndLoseNoBytes() throws Exception {
        section("4. Sessions alive through a database outage (" + SESSIONS + " relayed sessions, 5 IMAP + 5 POP3; "
                + "the database link cut for 3 s)");
        List<Wire> imapSessions = new ArrayList<>();
        List<Wire> pop3Sessions = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS / 2; i++) {
                imapSessions.add(imapLogin());
                pop3Sessions.add(pop3Login());
            }
            dbLink.cut();
            long t0 = System.nanoTime();
            Reply imapDuring = send(imap, "t LOGIN alice alice-pw\r\n", 1);
            Reply pop3During = send(pop3, "USER alice\r\nPASS alice-pw\r\n", 2);
            int aliveDuring = alive(imapSessions, pop3Sessions, "d");
            Thread.sleep(Math.max(0, 3000 - (System.nanoTime() - t0) / 1_000_000));
            dbLink.restore();
            int aliveAfter = alive(imapSessions, pop3Sessions, "r");
            long recovery = System.nanoTime();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> send(imap, "t LOGIN alice alice-pw\r\n", 1).lines().get(0).startsWith("t OK"));
            long recoveredMs = (System.nanoTime() - recovery) / 1_000_000;
            row("new IMAP login during the outage:  %s  (after %d ms; auth timeout 2 s)", imapDuring.last(),
                    imapDuring.lastLineMillis());
            row("new POP3 login during the outage:  %s  (after %d ms)", pop3During.last(), pop3During.lastLineMillis());
            row("relayed sessions alive during:     %d / %d", aliveDuring, SESSIONS);
            row("relayed sessions alive after:      %d / %d", aliveAfter, SESSIONS);
            row("logins succeed again after:        %d ms from restore", recoveredMs);
            assertThat(imapDuring.lines().get(0)).isEqualTo("t NO [UNAVAILABLE] Temporary failure, try again later.");
            assertThat(imapDuring.lastLineMillis()).isLessThan(4000);
            assertThat(pop3During.lines()).contains("-ERR [SYS/TEMP] Temporary failure, try again later.");
            assertThat(aliveDuring).isEqualTo(SESSIONS);
            assertThat(aliveAfter).isEqualTo(SESSIONS);

            section("5. Bytes lost (each surviving session fetches the " + MESSAGE_SIZE / (1024 * 1024)
                    + " MiB message; compared with the same command sent straight to the backend)");
            byte[] directImap = imapFetch(directImap());
            byte[] directPop3 = pop3Retr(directPop3());
            long relayed = 0;
            long lost = 0;
            int identical = 0;
            for (Wire w : imapSessions) {
                byte[] got = imapFetch(w);
                relayed += got.length;
                lost += bytesLost(directImap, got);
                identical += MessageDigest.isEqual(sha256(directImap), sha256(got)) ? 1 : 0;
            }
            for (Wire w : pop3Sessions) {
                byte[] got = pop3Retr(w);
                relayed += got.length;
                lost += bytesLost(directPop3, got);
                identical += MessageDigest.isEqual(sha256(directPop3), sha256(got)) ? 1 : 0;
            }
            row("transfers: %d, byte-identical to direct: %d, bytes relayed: %d, bytes lost: %d", SESSIONS, identical,
                    relayed, lost);
            row("sha256 IMAP BODY[] %s, POP3 RETR %s", hex(sha256(directImap)).substring(0, 16),
                    hex(sha256(directPop3)).substring(0, 16));
            assertThat(lost).isZero();
            assertThat(identical).isEqualTo(SESSIONS);
        } finally {
            for (Wire w : imapSessions) {
                w.close();
            }
            for (Wire w : pop3Sessions) {
                w.close();
            }
        }
    }

    private int alive(List<Wire> imapSessions, List<Wire> pop3Sessions, String tag) throws IOException {
        int alive = 0;
        for (Wire w : imapSessions) {
            w.send(tag + " NOOP\r\n");
            String l = w.lineStartingWith(tag + " ");
            alive += l != null && l.startsWith(tag + " OK") ? 1 : 0;
        }
        for (Wire w : pop3Sessions) {
            w.send("STAT\r\n");
            String l = w.line();
            alive += l != null && l.startsWith("+OK 1 ") ? 1 : 0;
        }
        return alive;
    }

    private Wire imapLogin() throws IOException {
        Wire w = new Wire(imap);
        w.line();
        w.send("a LOGIN alice alice-pw\r\nb SELECT INBOX\r\n");
        assertThat(w.lineStartingWith("a ")).startsWith("a OK");
        assertThat(w.lineStartingWith("b ")).startsWith("b OK");
        return w;
    }

    private Wire pop3Login() throws IOException {
        Wire w = new Wire(pop3);
        w.line();
        w.send("USER alice\r\nPASS alice-pw\r\n");
        w.line();
        assertThat(w.line()).startsWith("+OK");
        return w;
    }

    private Wire directImap() throws IOException {
        Wire w = new Wire(new InetSocketAddress(backends.address("mailhost01"), backends.imapPort));
        w.line();
        w.send("a LOGIN alice alice-pw\r\nb SELECT INBOX\r\n");
        w.lineStartingWith("b ");
        return w;
    }

    private Wire directPop3() throws IOException {
        Wire w = new Wire(new InetSocketAddress(backends.address("mailhost01"), backends.pop3Port));
        w.line();
        w.send("USER alice\r\nPASS alice-pw\r\n");
        w.line();
        w.line();
        return w;
    }

    /** {@code FETCH 1 BODY[]}: the literal's bytes. */
    private static byte[] imapFetch(Wire w) throws IOException {
        w.send("f FETCH 1 BODY[]\r\n");
        String head = w.lineStartingWith("* 1 FETCH");
        int size = Integer.parseInt(head.substring(head.lastIndexOf('{') + 1, head.lastIndexOf('}')));
        byte[] body = w.readN(size);
        assertThat(w.lineStartingWith("f ")).startsWith("f OK");
        return body;
    }

    /** {@code RETR 1}: everything up to and including the terminating dot line. */
    private static byte[] pop3Retr(Wire w) throws IOException {
        w.send("RETR 1\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(MESSAGE_SIZE + 4096);
        InputStream in = w.input();
        byte[] tail = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            out.write(c);
            matched = c == tail[matched] ? matched + 1 : (c == tail[0] ? 1 : 0);
            if (matched == tail.length) {
                break;
            }
        }
        return out.toByteArray();
    }

    /** Bytes of {@code expected} missing from or altered in {@code got} (0 when identical). */
    private static long bytesLost(byte[] expected, byte[] got) {
        long lost = Math.max(0, expected.length - got.length);
        int n = Math.min(expected.length, got.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != got[i]) {
                lost++;
            }
        }
        return lost;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void section(String title) {
        report.append('\n').append(title).append('\n');
    }

    private void line(String text) {
        report.append(text).append('\n');
    }

    private void row(String format, Object... args) {
        report.append("  ").append(String.format(format, args)).append('\n');
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String bigBody() {
        StringBuilder sb = new StringBuilder(MESSAGE_SIZE + 100);
        Random r = new Random(11);
        char[] line = new char[76];
        while (sb.length() < MESSAGE_SIZE) {
            for (int i = 0; i < line.length; i++) {
                line[i] = (char) ('!' + r.nextInt(90));
            }
            sb.append(line).append("\r\n");
        }
        return sb.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
