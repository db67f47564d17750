package io.mailproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.http.AuthHttpConfig;
import io.mailproxy.auth.http.HttpAuthenticator;
import io.mailproxy.auth.password.PasswordSchemes;
import io.mailproxy.it.support.MailBackends;
import io.mailproxy.it.support.Wire;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.testsupport.AuthHttpServer;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * nginx's auth_http as the auth backend, end to end: real clients -> mailproxy (HttpAuthenticator)
 * -> GreenMail, with an in-test HTTP server that answers like the seed's Perl handler (mailauth.pm:
 * look the user up, check the crypt hash, map mail_server to an IP and the protocol to a port) or
 * as each test scripts it, and records every request byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthHttpProxyIT {
    static final String ALICE_PW = "alice secret";
    static final String BOB_PW = "b0b-pw";

    MailBackends backends;
    AuthHttpServer authServer;
    HttpAuthenticator authenticator;
    ProxyServer server;
    InetSocketAddress pop3;
    InetSocketAddress imap;
    Function<AuthHttpServer.Request, String> seed;

    @BeforeAll
    void startAll() throws Exception {
        backends = new MailBackends("mailhost01", "mailhost02");
        backends.deliver("mailhost01", "alice", ALICE_PW, "for alice on mailhost01", "hello alice");
        backends.deliver("mailhost02", "bob", BOB_PW, "for bob on mailhost02", "hello bob");
        seed = seedHandler(Map.of(
                "alice", new String[] {PasswordSchemes.hash("md5-crypt", ALICE_PW), "mailhost01"},
                "bob", new String[] {PasswordSchemes.hash("sha512-crypt", BOB_PW), "mailhost02"}));
        authServer = new AuthHttpServer().respond(seed);
        authenticator = new HttpAuthenticator(AuthHttpConfig.of(authServer.url())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        InetAddress lo = InetAddress.getLoopbackAddress();
        server = ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(lo, 0))
                .listener(new ImapProtocol(ImapConfig.defaults()), new InetSocketAddress(lo, 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(500)))
                .authenticator(authenticator)
                .build();
        List<BoundListener> bound = server.start();
        pop3 = bound.get(0).address();
        imap = bound.get(1).address();
    }

    @BeforeEach
    void seedAnswers() {
        authServer.respond(seed);
        authServer.drain();
    }

    @AfterAll
    void stopAll() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (authenticator != null) {
            authenticator.close();
        }
        if (authServer != null) {
            authServer.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    /**
     * The seed's mailauth.pm handler, line for line: {@code select password,mail_server from
     * mailaccounts where username=?} (here a map), crypt check, {@code $mail_server_ip} and
     * {@code $protocol_ports}, then {@code Auth-Status: OK} + {@code Auth-Server} + {@code Auth-Port}
     * or {@code Auth-Status: Invalid login or password}. (The published Perl compares the crypt
     * result with the typed password, which never matches a real hash; this compares it with the
     * stored hash, as intended.) The headers are read raw, as {@code $r->header_in} does.
     */
    Function<AuthHttpServer.Request, String> seedHandler(Map<String, String[]> mailaccounts) {
        Map<String, String> mailServerIp = Map.of(
                "mailhost01", backends.address("mailhost01"), "mailhost02", backends.address("mailhost02"));
        Map<String, Integer> protocolPorts = Map.of("pop3", backends.pop3Port, "imap", backends.imapPort);
        return r -> {
            String[] row = mailaccounts.get(r.header("Auth-User"));
            String pass = r.header("Auth-Pass").replace("%20", " ");
            boolean authOk = row != null && PasswordSchemes.verify(pass, row[0]);
            // nginx's embedded perl answers HTTP/1.1, chunked, empty body
            String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: keep-alive\r\n";
            if (authOk) {
                head += "Auth-Status: OK\r\nAuth-Server: " + mailServerIp.get(row[1]) + "\r\nAuth-Port: "
                        + protocolPorts.get(r.header("Auth-Protocol")) + "\r\n";
            } else {
                head += "Auth-Status: Invalid login or password\r\n";
            }
            return head + "\r\n0\r\n\r\n";
        };
    }

    Store connect(String protocol, InetSocketAddress at, String user, String password) throws Exception {
        Properties p = new Properties();
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "20000");
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

    @Test
    void seedHandlerShouldRouteImapAndPop3ClientsToTheirOwnBackend() throws Exception {
        try (Store s = connect("imap", imap, "alice", ALICE_PW)) {
            assertThat(subjects(s)).containsExactly("for alice on mailhost01");
        }
        try (Store s = connect("pop3", pop3, "bob", BOB_PW)) {
            assertThat(subjects(s)).containsExactly("for bob on mailhost02");
        }
        try (Store s = connect("imap", imap, "bob", BOB_PW)) {
            assertThat(subjects(s)).containsExactly("for bob on mailhost02");
        }
    }

    @Test
    void authRequestShouldBeNginxsByteForByte() throws Exception {
        try (Wire w = new Wire(imap)) {
            w.line();
            w.send("a1 LOGIN alice \"" + ALICE_PW + "\"\r\n");
            assertThat(w.lineStartingWith("a1 ")).startsWith("a1 OK");
        }
        assertThat(authServer.take().head()).isEqualTo("GET /auth HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Auth-Method: plain\r\n"
                + "Auth-User: alice\r\n"
                + "Auth-Pass: alice%20secret\r\n"
                + "Auth-Protocol: imap\r\n"
                + "Auth-Login-Attempt: 1\r\n"
                + "Client-IP: 127.0.0.1\r\n"
                + "\r\n");
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER nobody\r\nPASS x\r\n");
            w.line();
            w.line();
        }
        assertThat(authServer.take().head()).contains("Auth-Protocol: pop3\r\n", "Auth-User: nobody\r\n",
                "Auth-Pass: x\r\n", "Auth-Login-Attempt: 1\r\n");
    }

    @Test
    void errorTextShouldReachTheClientAndCloseLikeNginx() throws Exception {
        try (Wire w = new Wire(imap)) {
            w.line();
            w.send("a1 LOGIN alice wrong\r\n");
            assertThat(w.line()).isEqualTo("a1 NO Invalid login or password");
            assertThat(w.line()).as("closed").isNull();
        }
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER alice\r\nPASS wrong\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).isEqualTo("-ERR Invalid login or password");
            assertThat(w.line()).as("closed").isNull();
        }
    }

    @Test
    void authWaitShouldDelayTheErrorAndLetTheClientRetry() throws Exception {
        authServer.respond(r -> r.header("Auth-Login-Attempt").equals("1")
                ? AuthHttpServer.response("Auth-Status: Invalid login or password", "Auth-Wait: 1")
                : seed.apply(r));
        try (Wire w = new Wire(imap)) {
            w.line();
            long start = System.nanoTime();
            w.send("a1 LOGIN alice wrong\r\n");
            assertThat(w.line()).isEqualTo("a1 NO Invalid login or password");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            w.send("a2 LOGIN alice \"" + ALICE_PW + "\"\r\n");
            assertThat(w.lineStartingWith("a2 ")).startsWith("a2 OK");
        }
        assertThat(authServer.drain()).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("1", "2");
    }

    @Test
    void waitShouldAskTheAuthServerAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        authServer.respond(r -> calls.incrementAndGet() == 1 ? AuthHttpServer.response("Auth-Status: WAIT", "Auth-Wait: 1")
                : seed.apply(r));
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER bob\r\nPASS " + BOB_PW + "\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).startsWith("+OK");
        }
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void authUserAndAuthPassShouldOverrideTheBackendLogin() throws Exception {
        authServer.respond(r -> AuthHttpServer.response("Auth-Status: OK", "Auth-Server: " + backends.address("mailhost01"),
                "Auth-Port: " + backends.imapPort, "Auth-User: alice", "Auth-Pass: " + ALICE_PW));
        try (Store s = connect("imap", imap, "alice@example.com", "token-not-a-password")) {
            assertThat(subjects(s)).containsExactly("for alice on mailhost01");
        }
    }

    @Test
    void garbageHungAndMissingAnswersShouldGiveTheTemporaryFailureReply() throws Exception {
        for (String answer : List.of("SSH-2.0-nope\r\n\r\n", AuthHttpServer.HANG, AuthHttpServer.CLOSE,
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
                AuthHttpServer.response("Auth-Status: OK", "Auth-Server: 10.0.0.1"))) {
            authServer.respond(r -> answer);
            try (Wire w = new Wire(imap)) {
                w.line();
                w.send("t1 LOGIN alice x\r\n");
                assertThat(w.line()).as(answer).isEqualTo("t1 NO [UNAVAILABLE] Temporary failure, try again later.");
                w.send("t2 NOOP\r\n");
                assertThat(w.line()).as("the session goes on").isEqualTo("t2 OK NOOP completed");
            }
        }
        try (Wire w = new Wire(pop3)) {
            w.line();
            w.send("USER alice\r\nPASS x\r\n");
            assertThat(w.line()).isEqualTo("+OK");
            assertThat(w.line()).isEqualTo("-ERR [SYS/TEMP] Temporary failure, try again later.");
        }
    }
}
