package io.mailproxy.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mailproxy demo} as a newcomer runs it: a separate JVM from the shaded jar, on free ports,
 * logged in to over IMAP and POP3 with the credentials it prints, then stopped with SIGTERM.
 */
class DemoProcessIT {
    private static final Pattern IMAP_CURL = Pattern.compile("curl -u ([^:]+):(\\S+) imap://([0-9.]+):(\\d+)/INBOX");
    private static final Pattern POP3_CURL = Pattern.compile("curl -u ([^:]+):(\\S+) pop3://([0-9.]+):(\\d+)/1");

    private Process process;
    private Path stderr;

    @AfterEach
    void tearDown() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (stderr != null) {
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void demoShouldServeImapAndPop3WithThePrintedCredentialsAndStopCleanlyOnSigterm() throws Exception {
        stderr = Files.createTempFile("mailproxy-demo", ".log");
        process = MailproxyJar.command("demo", "--imap", "127.0.0.1:0", "--pop3", "127.0.0.1:0")
                .redirectError(stderr.toFile()).start();
        List<String> banner = readBanner(process);

        Matcher imap = find(banner, IMAP_CURL);
        Matcher pop3 = find(banner, POP3_CURL);

        try (Line c = new Line(imap.group(3), Integer.parseInt(imap.group(4)))) {
            assertThat(c.read()).startsWith("* OK");
            c.send("a1 LOGIN " + imap.group(1) + " " + wrong(imap.group(2)));
            assertThat(c.read()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
            c.send("a2 LOGIN " + imap.group(1) + " \"" + imap.group(2) + "\"");
            assertThat(c.readUntilTagged("a2")).startsWith("a2 OK");
            c.send("a3 STATUS INBOX (MESSAGES)");
            List<String> status = new ArrayList<>();
            String line;
            while (!(line = c.read()).startsWith("a3 ")) {
                status.add(line);
            }
            assertThat(line).startsWith("a3 OK");
            assertThat(status).anySatisfy(s -> assertThat(s).startsWith("* STATUS").contains("MESSAGES 3"));
            c.send("a4 LOGOUT");
            assertThat(c.read()).startsWith("* BYE");
        }

        try (Line c = new Line(pop3.group(3), Integer.parseInt(pop3.group(4)))) {
            assertThat(c.read()).startsWith("+OK");
            c.send("USER " + pop3.group(1));
            assertThat(c.read()).startsWith("+OK");
            c.send("PASS " + pop3.group(2));
            assertThat(c.read()).startsWith("+OK");
            c.send("STAT");
            assertThat(c.read()).startsWith("+OK 2 ");
            c.send("QUIT");
            assertThat(c.read()).startsWith("+OK");
        }

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("demo ended after SIGTERM").isTrue();
        String log = Files.readString(stderr);
        assertThat(process.exitValue()).as(log).isZero();
        assertThat(log).contains("listening imap on 127.0.0.1:" + imap.group(4))
                .contains("listening pop3 on 127.0.0.1:" + pop3.group(4))
                .contains("stopped")
                .doesNotContain(imap.group(2))
                .doesNotContain(pop3.group(2));
    }

    private static String wrong(String password) {
        return password + "x";
    }

    /** Standard output up to the line that says the demo is ready; the rest is drained in the background. */
    private static List<String> readBanner(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> banner = CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("Press Ctrl-C")) {
                        return lines;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("demo ended before it was ready; it printed " + lines);
        });
        List<String> lines = banner.get(120, TimeUnit.SECONDS);
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (IOException e) {
                // process gone
            }
        }, "demo-stdout");
        drain.setDaemon(true);
        drain.start();
        return lines;
    }

    private static Matcher find(List<String> lines, Pattern pattern) {
        for (String l : lines) {
            Matcher m = pattern.matcher(l);
            if (m.find()) {
                return m;
            }
        }
        throw new AssertionError("no line matching " + pattern + " in " + lines);
    }

    /** A CRLF line client. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Line(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String read() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
            return line;
        }

        String readUntilTagged(String tag) throws IOException {
            String line;
            while (!(line = read()).startsWith(tag + " ")) {
                // untagged lines (capabilities) before the tagged reply
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
