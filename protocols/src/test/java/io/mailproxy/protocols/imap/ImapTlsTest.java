package io.mailproxy.protocols.imap;

import static io.mailproxy.protocols.testsupport.SplitFeeder.drainOutbound;
import static io.mailproxy.protocols.testsupport.SplitFeeder.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.EmbeddedTlsClient;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.TlsMode;
import io.mailproxy.testsupport.TestPki;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsConfig;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IMAP and TLS on EmbeddedChannels: capabilities before and after, STARTTLS, {@code --starttls only}, injection. */
class ImapTlsTest {
    private static final TestPki PKI = TestPki.create("imap-tls-test");
    private static final String BASE = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN";
    private static final String REFUSED = " NO [PRIVACYREQUIRED] Plaintext login disallowed: use STARTTLS first.\r\n";
    private static ServerTlsContext tls;

    private final List<EmbeddedProxy> proxies = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<EmbeddedTlsClient> tlsClients = new ArrayList<>();
    private ScriptedAuthenticator auth;

    /** JDK provider here: the harness's tracking allocator hands out heap buffers, which the OpenSSL engine cannot use (real sockets test both). */
    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        TestPki.Issued issued = PKI.issue("imap");
        tls = ServerTlsContext.load(ServerTlsConfig.of(issued.writeChain(dir.resolve("c.pem")), issued.writeKey(dir.resolve("k.pem"))).withProvider(io.mailproxy.proxy.tls.TlsProvider.JDK));
    }

    @AfterEach
    void everythingReleased() {
        tlsClients.forEach(EmbeddedTlsClient::close);
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        proxies.forEach(p -> {
            p.connector().backends().forEach(EmbeddedChannel::finishAndReleaseAll);
            p.alloc().assertAllReleased();
        });
    }

    private EmbeddedProxy proxy() {
        auth = ScriptedAuthenticator.accounts(Map.of("alice", "secret"), BackendRoute.of("mailhost01", 143), Duration.ZERO);
        EmbeddedProxy p = new EmbeddedProxy(ProxySettings.defaults(), auth, tls, BackendTls.OFF);
        proxies.add(p);
        return p;
    }

    private EmbeddedChannel connect(EmbeddedProxy p, TlsMode mode) {
        EmbeddedChannel ch = p.connect(new ImapProtocol(ImapConfig.defaults()), mode);
        channels.add(ch);
        return ch;
    }

    private EmbeddedTlsClient handshake(EmbeddedChannel ch) {
        EmbeddedTlsClient c = new EmbeddedTlsClient(ch, PKI.clientContext());
        tlsClients.add(c);
        assertThat(c.handshakeDone()).as("handshake: %s", c.handshakeFailure()).isTrue();
        return c;
    }

    private static String send(EmbeddedChannel ch, String text) {
        feed(ch, text);
        ch.runPendingTasks();
        return drainOutbound(ch);
    }

    private static String greeting(String caps) {
        return "* OK [CAPABILITY " + caps + "] IMAP4rev1 proxy ready\r\n";
    }

    @Test
    void startTlsShouldBeAnnouncedBeforeTlsAndGoneAfterWithTheFullList() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS);
        assertThat(drainOutbound(ch)).isEqualTo(greeting(BASE + " STARTTLS"));
        assertThat(send(ch, "a CAPABILITY\r\nb STARTTLS\r\n")).isEqualTo(
                "* CAPABILITY " + BASE + " STARTTLS\r\na OK CAPABILITY completed\r\nb OK Begin TLS negotiation now\r\n");

        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.send("c CAPABILITY\r\nd STARTTLS\r\n").received()).isEqualTo(
                "* CAPABILITY " + BASE + "\r\nc OK CAPABILITY completed\r\nd BAD STARTTLS not available\r\n");
        c.send("e LOGIN alice secret\r\n");
        assertThat(auth.requests()).singleElement().satisfies(r -> assertThat(r.secure()).isTrue());
        assertThat(EmbeddedProxy.session(ch).tlsProtocol()).isEqualTo(c.protocol());
    }

    @Test
    void cleartextLoginShouldBeAllowedOnAStartTlsListenerAndNotBeSecure() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS);
        drainOutbound(ch);
        send(ch, "a LOGIN alice secret\r\n");
        assertThat(auth.requests()).singleElement().satisfies(r -> assertThat(r.secure()).isFalse());
    }

    @Test
    void onlyShouldAnnounceLoginDisabledWithoutAuthAndRefuseCleartextLoginAndAuthenticate() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS_REQUIRED);
        String before = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE STARTTLS LOGINDISABLED";
        assertThat(drainOutbound(ch)).isEqualTo(greeting(before));
        String plain = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes());
        assertThat(send(ch, "a CAPABILITY\r\nb LOGIN alice secret\r\nc AUTHENTICATE PLAIN " + plain + "\r\nd AUTHENTICATE LOGIN\r\n"))
                .isEqualTo("* CAPABILITY " + before + "\r\na OK CAPABILITY completed\r\n"
                        + "b" + REFUSED + "c" + REFUSED + "d" + REFUSED);
        assertThat(auth.requests()).isEmpty();
        assertThat(ch.isOpen()).isTrue();

        assertThat(send(ch, "e STARTTLS\r\n")).isEqualTo("e OK Begin TLS negotiation now\r\n");
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.send("f CAPABILITY\r\n").received()).isEqualTo("* CAPABILITY " + BASE + "\r\nf OK CAPABILITY completed\r\n");
        c.send("g LOGIN alice secret\r\n");
        assertThat(auth.requests()).singleElement().satisfies(r -> assertThat(r.secure()).isTrue());
    }

    @Test
    void cleartextLoginAttemptsShouldCountTowardsMaxErrorsWhenTlsIsRequired() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS_REQUIRED);
        drainOutbound(ch);
        String out = send(ch, "a LOGIN x y\r\nb LOGIN x y\r\nc LOGIN x y\r\nd LOGIN x y\r\ne LOGIN x y\r\n");
        assertThat(out).endsWith("e" + REFUSED + "* BYE Too many invalid commands.\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void commandsPipelinedAfterStartTlsShouldNeverRun() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS);
        drainOutbound(ch);
        assertThat(send(ch, "a STARTTLS\r\nb LOGIN alice secret\r\nc CAPABILITY\r\n"))
                .isEqualTo("a OK Begin TLS negotiation now\r\n");
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.received()).isEmpty();
        assertThat(c.send("d NOOP\r\n").received()).isEqualTo("d OK NOOP completed\r\n");
        assertThat(auth.requests()).isEmpty();
    }

    @Test
    void implicitTlsShouldGreetWithTheFullListAndRefuseStartTls() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.IMPLICIT);
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.received()).isEqualTo(greeting(BASE));
        assertThat(c.send("a STARTTLS\r\nb CAPABILITY\r\n").received())
                .isEqualTo("a BAD STARTTLS not available\r\n* CAPABILITY " + BASE + "\r\nb OK CAPABILITY completed\r\n");
    }

    @Test
    void startTlsShouldBeBadAndNotAnnouncedWhereTheListenerHasNoTls() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.NONE);
        assertThat(drainOutbound(ch)).isEqualTo(greeting(BASE));
        assertThat(send(ch, "a STARTTLS\r\nb NOOP\r\n")).isEqualTo("a BAD STARTTLS not available\r\nb OK NOOP completed\r\n");
    }

    @Test
    void garbageInsteadOfAHandshakeShouldCloseTheConnection() {
        EmbeddedChannel ch = connect(proxy(), TlsMode.STARTTLS);
        drainOutbound(ch);
        assertThat(send(ch, "a STARTTLS\r\n")).isEqualTo("a OK Begin TLS negotiation now\r\n");
        feed(ch, "b LOGIN alice secret\r\n");
        ch.runPendingTasks();
        drainOutbound(ch); // a TLS alert at most
        assertThat(ch.isOpen()).isFalse();
        assertThat(auth.requests()).isEmpty();
        assertThat(EmbeddedProxy.session(ch).outcome().id()).isEqualTo("tls-failed");
    }
}
