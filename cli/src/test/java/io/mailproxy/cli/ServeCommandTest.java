package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.Protocol;
import io.mailproxy.proxy.BoundListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {

    @TempDir
    Path tmp;

    @Test
    void serveShouldKeepServingAndAnswerTemporaryFailureWhenTheDatabaseIsDown() throws Exception {
        CliRunner cli = new CliRunner();
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cli.exec("serve",
                "--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0",
                "--db-url", "jdbc:mysql://127.0.0.1:1/mail", "--db-connect-timeout", "300ms", "--auth-timeout", "2s",
                "--shutdown-grace", "1s"));
        try {
            List<BoundListener> bound = cli.started().get(60, TimeUnit.SECONDS);
            assertThat(bound).extracting(BoundListener::protocol).containsExactly(Protocol.POP3, Protocol.IMAP);

            try (Socket s = new Socket("127.0.0.1", bound.get(1).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a1 LOGIN alice secret\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("a1 NO [UNAVAILABLE] Temporary failure, try again later.");
            }
            try (Socket s = new Socket("127.0.0.1", bound.get(0).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                assertThat(in.readLine()).startsWith("+OK");
                out.write("USER alice\r\nPASS secret\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("+OK");
                assertThat(in.readLine()).isEqualTo("-ERR [SYS/TEMP] Temporary failure, try again later.");
            }
        } finally {
            cli.stop();
        }
        CliRunner.Result r = run.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void serveShouldAskTheAuthHttpServerInsteadOfTheDatabaseWhenGivenOne() throws Exception {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<String> users = new java.util.concurrent.CopyOnWriteArrayList<>();
        http.createContext("/auth", exchange -> {
            users.add(exchange.getRequestHeaders().getFirst("Auth-User") + " "
                    + exchange.getRequestHeaders().getFirst("X-Site"));
            exchange.getResponseHeaders().add("Auth-Status", "Invalid login or password");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        CliRunner cli = new CliRunner();
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cli.exec("serve",
                "--pop3", "off", "--imap", "127.0.0.1:0", "--data-dir", tmp.resolve("never-created").toString(),
                "--auth-http", "127.0.0.1:" + http.getAddress().getPort() + "/auth", "--auth-http-header", "X-Site: eu1",
                "--failure-delay", "0", "--shutdown-grace", "1s"));
        try {
            List<BoundListener> bound = cli.started().get(60, TimeUnit.SECONDS);
            try (Socket s = new Socket("127.0.0.1", bound.get(0).port())) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a1 LOGIN alice wrong\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("a1 NO Invalid login or password");
                assertThat(in.readLine()).isNull();
            }
        } finally {
            cli.stop();
            http.stop(0);
        }
        CliRunner.Result r = run.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(users).containsExactly("alice eu1");
        assertThat(tmp.resolve("never-created")).as("no database opened").doesNotExist();
    }

    @Test
    void authHttpFlagsShouldBeCheckedAsUsageErrors() {
        CliRunner.Result unix = CliRunner.run("serve", "--auth-http", "unix:/run/auth.sock");
        assertThat(unix.code()).isEqualTo(2);
        assertThat(unix.err()).contains("--auth-http", "unix sockets are not supported");
        CliRunner.Result both = CliRunner.run("serve", "--auth-http", "127.0.0.1/auth", "--db-url", "jdbc:mysql://db/mail");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--auth-http replaces the account database");
        CliRunner.Result host = CliRunner.run("serve", "--auth-http", "127.0.0.1/auth", "--auth-http-header", "Host: x");
        assertThat(host.code()).isEqualTo(2);
        assertThat(host.err()).contains("--auth-http-header", "Host");
    }

    @Test
    void clientAddressFlagsShouldBeCheckedAsUsageErrors() {
        CliRunner.Result noTrusted = CliRunner.run("serve", "--proxy-protocol");
        assertThat(noTrusted.code()).isEqualTo(2);
        assertThat(noTrusted.err()).contains("--proxy-protocol needs --proxy-protocol-trusted");
        CliRunner.Result badCidr = CliRunner.run("serve", "--proxy-protocol", "--proxy-protocol-trusted", "10.0.0.0/33");
        assertThat(badCidr.code()).isEqualTo(2);
        assertThat(badCidr.err()).contains("--proxy-protocol-trusted");
        CliRunner.Result trustedAlone = CliRunner.run("serve", "--proxy-protocol-trusted", "10.0.0.0/8");
        assertThat(trustedAlone.code()).isEqualTo(2);
        assertThat(trustedAlone.err()).contains("needs --proxy-protocol");
        CliRunner.Result v3 = CliRunner.run("serve", "--backend-proxy-protocol", "v3");
        assertThat(v3.code()).isEqualTo(2);
        assertThat(v3.err()).contains("--backend-proxy-protocol", "off, v1 or v2");
    }

    @Test
    void serveShouldTakeListenersFromTheConfigFileUnlessAFlagGivesThem() throws Exception {
        Path config = Files.writeString(tmp.resolve("mailproxy.properties"), String.join("\n",
                "pop3 = off",
                "imap = 127.0.0.1:0, 127.0.0.1:0",
                "data-dir = " + tmp.resolve("data"),
                ""));
        assertThat(serveAndStop("--config", config.toString()))
                .extracting(b -> b.protocol().id() + " " + b.address().getAddress().getHostAddress())
                .containsExactly("imap 127.0.0.1", "imap 127.0.0.1");

        assertThat(serveAndStop("--config", config.toString(), "--imap", "127.0.0.2:0"))
                .extracting(b -> b.protocol().id() + " " + b.address().getAddress().getHostAddress())
                .containsExactly("imap 127.0.0.2");
    }

    private List<BoundListener> serveAndStop(String... args) throws Exception {
        CliRunner cli = new CliRunner();
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> cli.exec(all));
        List<BoundListener> bound;
        try {
            bound = cli.started().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (run.isDone()) {
                throw new AssertionError("serve ended: " + run.get().err(), e);
            }
            throw e;
        } finally {
            cli.stop();
        }
        CliRunner.Result r = run.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        return bound;
    }
}
