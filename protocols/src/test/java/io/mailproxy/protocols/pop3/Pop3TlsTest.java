package io.mailproxy.protocols.pop3;

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
import io.mailproxy.proxy.tls.TlsProvider;
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

/** POP3 and TLS on EmbeddedChannels: CAPA before and after STLS, {@code --starttls only}, injection. */
class Pop3TlsTest {
    private static final TestPki PKI = TestPki.create("pop3-tls-test");
    private static final String GREETING = "+OK POP3 ready\r\n";
    private static final String CAPA = "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSASL PLAIN LOGIN\r\n.\r\n";
    private static final String CAPA_STLS = "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSASL PLAIN LOGIN\r\nSTLS\r\n.\r\n";
    private static final String CAPA_ONLY = "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n";
    private static final String TLS_REQUIRED = "-ERR [AUTH] TLS required\r\n";
    private static final String STLS_OK = "+OK Begin TLS negotiation\r\n";
    private static ServerTlsContext tls;

    private final List<EmbeddedProxy> proxies = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<EmbeddedTlsClient> tlsClients = new ArrayList<>();
    private ScriptedAuthenticator auth;

    /** JDK provider here: the harness's tracking allocator hands out heap buffers, which the OpenSSL engine cannot use (real sockets test both). */
    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        TestPki.Issued issued = PKI.issue("pop3");
        tls = ServerTlsContext.load(ServerTlsConfig.of(issued.writeChain(dir.resolve("c.pem")), issued.writeKey(dir.resolve("k.pem")))
                .withProvider(TlsProvider.JDK));
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

    private EmbeddedChannel connect(TlsMode mode) {
        auth = ScriptedAuthenticator.accounts(Map.of("alice", "secret"), BackendRoute.of("mailhost01", 110), Duration.ZERO);
        EmbeddedProxy p = new EmbeddedProxy(ProxySettings.defaults(), auth, tls, BackendTls.OFF);
        proxies.add(p);
        EmbeddedChannel ch = p.connect(new Pop3Protocol(Pop3Config.defaults()), mode);
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

    @Test
    void stlsShouldBeInCapaBeforeTlsAndGoneAfter() {
        EmbeddedChannel ch = connect(TlsMode.STARTTLS);
        assertThat(drainOutbound(ch)).isEqualTo(GREETING);
        assertThat(send(ch, "CAPA\r\nSTLS\r\n")).isEqualTo(CAPA_STLS + STLS_OK);
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.send("CAPA\r\nSTLS\r\n").received()).isEqualTo(CAPA + "-ERR command not permitted when TLS active\r\n");
        assertThat(c.send("USER alice\r\nPASS secret\r\n").received()).isEqualTo("+OK\r\n");
        assertThat(auth.requests()).singleElement().satisfies(r -> assertThat(r.secure()).isTrue());
        assertThat(EmbeddedProxy.session(ch).tlsProtocol()).isEqualTo(c.protocol());
    }

    @Test
    void stlsShouldOnlyBeValidBeforeUser() {
        EmbeddedChannel ch = connect(TlsMode.STARTTLS);
        drainOutbound(ch);
        assertThat(send(ch, "USER alice\r\nSTLS\r\n")).isEqualTo("+OK\r\n-ERR command not valid in this state\r\n");
        assertThat(send(ch, "STLS\r\n")).as("the pending USER was forgotten").isEqualTo(STLS_OK);
    }

    @Test
    void onlyShouldHideUserAndSaslAndRefuseThemUntilTls() {
        EmbeddedChannel ch = connect(TlsMode.STARTTLS_REQUIRED);
        assertThat(drainOutbound(ch)).isEqualTo(GREETING);
        String plain = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes());
        assertThat(send(ch, "CAPA\r\nUSER alice\r\nAUTH PLAIN " + plain + "\r\nAUTH\r\n"))
                .isEqualTo(CAPA_ONLY + TLS_REQUIRED + TLS_REQUIRED + TLS_REQUIRED);
        assertThat(auth.requests()).isEmpty();
        assertThat(send(ch, "STLS\r\n")).isEqualTo(STLS_OK);
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.send("CAPA\r\nAUTH PLAIN " + plain + "\r\n").received()).isEqualTo(CAPA);
        assertThat(auth.requests()).singleElement().satisfies(r -> assertThat(r.secure()).isTrue());
    }

    @Test
    void commandsPipelinedAfterStlsShouldNeverRun() {
        EmbeddedChannel ch = connect(TlsMode.STARTTLS);
        drainOutbound(ch);
        assertThat(send(ch, "STLS\r\nUSER alice\r\nPASS secret\r\n")).isEqualTo(STLS_OK);
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.received()).isEmpty();
        assertThat(c.send("PASS secret\r\n").received())
                .as("no USER survived the handshake").isEqualTo("-ERR command not valid in this state\r\n");
        assertThat(auth.requests()).isEmpty();
    }

    @Test
    void implicitTlsShouldGreetAndNotOfferStls() {
        EmbeddedChannel ch = connect(TlsMode.IMPLICIT);
        EmbeddedTlsClient c = handshake(ch);
        assertThat(c.received()).isEqualTo(GREETING);
        assertThat(c.send("CAPA\r\nSTLS\r\n").received()).isEqualTo(CAPA + "-ERR command not permitted when TLS active\r\n");
    }

    @Test
    void stlsShouldBeInvalidWhereTheListenerHasNoTls() {
        EmbeddedChannel ch = connect(TlsMode.NONE);
        drainOutbound(ch);
        assertThat(send(ch, "CAPA\r\nSTLS\r\n")).isEqualTo(CAPA + "-ERR command not valid in this state\r\n");
    }
}
