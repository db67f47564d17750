package io.mailproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator against a real GreenMail server on loopback; no assertion on speed. */
class LoadGeneratorTest {

    private static BenchBackends backends;

    @BeforeAll
    static void startBackends() {
        backends = BenchBackends.start(List.of("127.0.0.1"), 0, 0);
        backends.addUsers(Users.range("user%d", "1-3", "benchpw").all());
        backends.addLargeMessage(new Users.Account("user1", "benchpw"), 1024 * 1024);
    }

    @AfterAll
    static void stopBackends() {
        backends.close();
    }

    private record Run(int code, Map<String, String> values) {
        long number(String key) {
            return Long.parseLong(values.get(key));
        }
    }

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        // a generous session bound: the build machine may be busy; nothing here asserts speed
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--timeout";
        all[args.length + 1] = "60s";
        int code = BenchMain.execute(new PrintWriter(out), all);
        String line = out.toString().strip();
        assertThat(line).startsWith("bench ");
        Map<String, String> values = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile(" ([a-z0-9_]+)=(\\S*)").matcher(line);
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        return new Run(code, values);
    }

    private static String port(String protocol) {
        return Integer.toString(protocol.equals("imap") ? backends.imapPort() : backends.pop3Port());
    }

    @Test
    void imapLoginRunShouldCountLoginsWithoutErrorsWhenAccountsAreRight() {
        Run r = bench("login", "--protocol", "imap", "--port", port("imap"), "--user-range", "1-3", "-c", "2",
                "-d", "1s");

        assertThat(r.code()).isZero();
        assertThat(r.number("logins")).isPositive();
        assertThat(r.number("errors")).isZero();
        assertThat(r.values()).containsEntry("errors_by_kind", "none").containsKeys("p50_ms", "p99_ms", "max_ms");
    }

    @Test
    void pop3LoginRunShouldCountLoginsWithoutErrorsWhenAccountsAreRight() {
        Run r = bench("login", "--protocol", "pop3", "--port", port("pop3"), "--user-range", "1-3", "-c", "2",
                "-d", "1s");

        assertThat(r.code()).isZero();
        assertThat(r.number("logins")).isPositive();
        assertThat(r.number("errors")).isZero();
    }

    @Test
    void openLoopLoginRunShouldStartSessionsAtTheGivenRateNotAsFastAsTheServerAllows() {
        Run r = bench("login", "--protocol", "pop3", "--port", port("pop3"), "--user-range", "1-3", "-c", "20",
                "-d", "2s", "--rate", "20", "--cpu-pid", Long.toString(ProcessHandle.current().pid()));

        assertThat(r.code()).isZero();
        assertThat(r.values()).containsEntry("rate", "20.00").containsKeys("p99_ms", "server_cpu_us_per_login");
        // 20/s for 2 s: 40 sessions are due (a closed loop of 20 clients would do far more against GreenMail);
        // the last ones may still be running at the deadline, so a few may be left out of the count
        assertThat(r.number("logins")).isBetween(30L, 41L);
        assertThat(r.number("errors")).isZero();
    }

    @Test
    void openLoopLoginRunShouldCountOverloadWhenTheInFlightCapIsReached() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // accepts (backlog) but never greets: every session stays in flight until its timeout
            StringWriter out = new StringWriter();
            int code = BenchMain.execute(new PrintWriter(out), "login", "--protocol", "pop3", "--port",
                    Integer.toString(silent.getLocalPort()), "-c", "2", "-d", "1s", "--rate", "20", "--timeout", "3s");

            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).contains("overload:").contains(" logins=0 ");
        }
    }

    @Test
    void loginRunShouldCountAuthRejectedWhenThePasswordIsWrong() {
        Run r = bench("login", "--protocol", "imap", "--port", port("imap"), "--user-range", "1-3",
                "--password", "wrong", "-c", "1", "-d", "500ms");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.number("logins")).isZero();
        assertThat(r.values().get("errors_by_kind")).startsWith("auth_rejected:");
    }

    @Test
    void loginRunShouldCountConnectErrorsWhenNothingListens() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run r = bench("login", "--protocol", "pop3", "--port", Integer.toString(closed), "-c", "1", "-d", "2s");

        assertThat(r.number("logins")).isZero();
        assertThat(r.values().get("errors_by_kind")).startsWith("connect:");
    }

    @Test
    void fetchShouldGiveTheSameDigestOverImapAndPop3WhenTheMessageIsTheSame() {
        Run imap = bench("fetch", "--protocol", "imap", "--port", port("imap"), "-n", "2", "-r", "2");
        Run pop3 = bench("fetch", "--protocol", "pop3", "--port", port("pop3"), "-n", "2", "-r", "2");

        assertThat(imap.code()).isZero();
        assertThat(pop3.code()).isZero();
        assertThat(imap.number("ok")).isEqualTo(2);
        assertThat(imap.number("bytes")).isGreaterThan(1024 * 1024);
        assertThat(pop3.number("bytes")).isEqualTo(imap.number("bytes"));
        assertThat(pop3.values().get("sha256")).isEqualTo(imap.values().get("sha256")).hasSize(64);
    }

    @Test
    void fetchShouldCountVerifyErrorsWhenTheDigestDiffers() {
        Run r = bench("fetch", "--protocol", "pop3", "--port", port("pop3"), "-n", "2", "-r", "1",
                "--sha256", "00".repeat(32));

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.number("ok")).isZero();
        assertThat(r.values().get("errors_by_kind")).isEqualTo("verify:1");
    }

    @Test
    void idleShouldHoldEverySessionWhenTheServerKeepsThem() {
        Run r = bench("idle", "--port", port("imap"), "--user-range", "1-3", "-k", "5", "--hold", "200ms");

        assertThat(r.code()).isZero();
        assertThat(r.number("established")).isEqualTo(5);
        assertThat(r.number("held")).isEqualTo(5);
        assertThat(r.values()).containsEntry("logged_out", "true");
    }

    @Test
    void runShouldBeAUsageErrorWhenTheTargetIsNotLoopback() {
        StringWriter out = new StringWriter();
        int code = BenchMain.execute(new PrintWriter(out), "login", "--host", "192.0.2.1", "-d", "1s");

        assertThat(code).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
    }
}
