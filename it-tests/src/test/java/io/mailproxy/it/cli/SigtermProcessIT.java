package io.mailproxy.it.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.it.support.MailBackends;
import io.mailproxy.it.support.MariaDb;
import io.mailproxy.it.support.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mailproxy serve} as a separate JVM from the shaded jar, with relayed sessions and clients
 * still logging in, stopped with SIGTERM: it stops accepting, tells the clients logging in, lets
 * relayed sessions run through {@code --shutdown-grace}, then closes them and exits 0.
 */
class SigtermProcessIT {
    private static final Pattern LISTENING = Pattern.compile("listening (pop3|imap) on 127\\.0\\.0\\.1:(\\d+)");
    private static final int GRACE_SECONDS = 3;

    private Process process;
    private Path stderr;
    private MariaDb db;
    private MailBackends backends;

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (stderr != null) {
            Files.deleteIfExists(stderr);
        }
        if (backends != null) {
            backends.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void sigtermShouldNotifyLoginPhaseClientsAndLetRelayedSessionsFinishWithinGrace() throws Exception {
        db = new MariaDb();
        backends = new MailBackends("mailhost01");
        backends.deliver("mailhost01", "alice", "alice-pw", "kept", "this message survives the shutdown");
        try (AuthStores stores = AuthStores.open(JdbcAuthConfig.builder(db.jdbcUrl())
                .user(MariaDb.USER).password(MariaDb.PASSWORD).build())) {
            stores.accounts().createSchemaIfMissing();
            stores.accounts().add("alice", "alice-pw", "mailhost01");
        }
        stderr = Files.createTempFile("mailproxy-serve", ".log");
        ProcessBuilder pb = MailproxyJar.command("serve", "--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0",
                "--db-url", db.jdbcUrl(), "--db-user", MariaDb.USER,
                "--backend", "mailhost01=" + backends.address("mailhost01"),
                "--backend-port", "pop3=" + backends.pop3Port, "--backend-port", "imap=" + backends.imapPort,
                "--shutdown-grace", GRACE_SECONDS + "s")
                .redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MAILPROXY_DB_PASSWORD", MariaDb.PASSWORD);
        process = pb.start();
        int pop3Port = listeningPort("pop3");
        int imapPort = listeningPort("imap");
        InetSocketAddress pop3 = new InetSocketAddress("127.0.0.1", pop3Port);
        InetSocketAddress imap = new InetSocketAddress("127.0.0.1", imapPort);

        try (Wire imapRelayed = new Wire(imap); Wire pop3Relayed = new Wire(pop3);
                Wire imapWaiting = new Wire(imap); Wire pop3Waiting = new Wire(pop3)) {
            assertThat(imapRelayed.line()).startsWith("* OK");
            imapRelayed.send("a1 LOGIN alice alice-pw\r\na2 SELECT INBOX\r\n");
            assertThat(imapRelayed.lineStartingWith("a1 ")).startsWith("a1 OK");
            assertThat(imapRelayed.lineStartingWith("a2 ")).startsWith("a2 OK");
            assertThat(pop3Relayed.line()).startsWith("+OK");
            pop3Relayed.send("USER alice\r\nPASS alice-pw\r\n");
            assertThat(pop3Relayed.line()).startsWith("+OK");
            assertThat(pop3Relayed.line()).startsWith("+OK");
            assertThat(imapWaiting.line()).startsWith("* OK");
            assertThat(pop3Waiting.line()).startsWith("+OK");

            long sigterm = System.nanoTime();
            process.destroy(); // SIGTERM

            assertThat(imapWaiting.line()).isEqualTo("* BYE Server shutting down.");
            assertThat(imapWaiting.line()).isNull();
            assertThat(pop3Waiting.line()).isEqualTo("-ERR [SYS/TEMP] Server shutting down.");
            assertThat(pop3Waiting.line()).isNull();
            assertThatThrownBy(() -> new Socket("127.0.0.1", imapPort).close())
                    .as("no longer accepting").isInstanceOf(IOException.class);

            // Within the grace, relayed sessions work as before and may end on their own.
            imapRelayed.send("a3 FETCH 1 BODY[TEXT]\r\n");
            assertThat(imapRelayed.lineStartingWith("this message")).startsWith("this message survives the shutdown");
            assertThat(imapRelayed.lineStartingWith("a3 ")).startsWith("a3 OK");
            imapRelayed.send("a4 LOGOUT\r\n");
            assertThat(imapRelayed.line()).startsWith("* BYE");
            assertThat(imapRelayed.lineStartingWith("a4 ")).startsWith("a4 OK");
            assertThat(imapRelayed.line()).as("the backend ended the session").isNull();
            imapRelayed.close(); // as a client does after LOGOUT
            pop3Relayed.send("STAT\r\n");
            assertThat(pop3Relayed.line()).startsWith("+OK 1 ");

            // The idle POP3 session is closed when the grace ends, not before.
            assertThat(pop3Relayed.line()).isNull();
            long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
            assertThat(closedAfterMs).isGreaterThanOrEqualTo(GRACE_SECONDS * 1000L - 200);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("serve ended after SIGTERM").isTrue();
        String log = Files.readString(stderr);
        assertThat(process.exitValue()).as(log).isZero();
        assertThat(log).contains("stopping", "shutdown grace over: closing 1 open session(s)", "stopped")
                .containsPattern("session protocol=pop3 user=alice .* outcome=shutdown")
                .containsPattern("session protocol=imap user=alice .* outcome=relayed")
                .containsPattern("session protocol=imap user=- .* outcome=shutdown")
                .doesNotContain("alice-pw");
    }

    private int listeningPort(String protocol) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(stderr));
            while (m.find()) {
                if (m.group(1).equals(protocol)) {
                    return Integer.parseInt(m.group(2));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("serve ended: " + Files.readString(stderr));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("serve did not listen on " + protocol + ": " + Files.readString(stderr));
    }
}
