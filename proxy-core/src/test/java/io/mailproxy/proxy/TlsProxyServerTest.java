package io.mailproxy.proxy;

import static io.mailproxy.proxy.SocketLines.readLine;
import static io.mailproxy.proxy.SocketLines.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.testsupport.TestPki;
import io.mailproxy.proxy.tls.ServerTlsConfig;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.mailproxy.proxy.tls.TlsProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** TLS in the core over real sockets: implicit TLS, STARTTLS (and what was pipelined after it), reload. */
class TlsProxyServerTest {
    private static final TestPki PKI = TestPki.create("core-test");

    @TempDir
    Path dir;

    private LineBackend backend;
    private MapAuthenticator auth;
    private ServerTlsContext tls;
    private ServerTlsConfig tlsConfig;
    private ProxyServer server;
    private int implicitPort;
    private int startTlsPort;
    private int requiredPort;
    private int plainPort;
    private ListAppender<ILoggingEvent> sessionLog;

    @BeforeEach
    void setUp() throws Exception {
        backend = new LineBackend();
        auth = new MapAuthenticator();
        auth.accounts.put("alice", new MapAuthenticator.Account("secret", BackendRoute.of("127.0.0.1", backend.port())));
        sessionLog = new ListAppender<>();
        sessionLog.start();
        ((Logger) LoggerFactory.getLogger("mailproxy.session")).addAppender(sessionLog);
        TestPki.Issued issued = PKI.issue("proxy");
        tlsConfig = ServerTlsConfig.of(issued.writeChain(dir.resolve("chain.pem")), issued.writeKey(dir.resolve("key.pem")));
        start(TlsProvider.AUTO);
    }

    private void start(TlsProvider provider) throws Exception {
        if (server != null) {
            server.stop();
            tls.close();
        }
        tls = ServerTlsContext.load(tlsConfig.withProvider(provider));
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        server = ProxyServer.builder()
                .listener(new LineTestProtocol(), lo, TlsMode.IMPLICIT)
                .listener(new LineTestProtocol(), lo, TlsMode.STARTTLS)
                .listener(new LineTestProtocol(), lo, TlsMode.STARTTLS_REQUIRED)
                .listener(new LineTestProtocol(), lo)
                .serverTls(tls)
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(200)))
                .authenticator(auth)
                .threads(2)
                .build();
        List<BoundListener> bound = server.start();
        assertThat(bound).extracting(BoundListener::tls)
                .containsExactly(TlsMode.IMPLICIT, TlsMode.STARTTLS, TlsMode.STARTTLS_REQUIRED, TlsMode.NONE);
        implicitPort = bound.get(0).port();
        startTlsPort = bound.get(1).port();
        requiredPort = bound.get(2).port();
        plainPort = bound.get(3).port();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.stop();
        tls.close();
        auth.close();
        backend.close();
        ((Logger) LoggerFactory.getLogger("mailproxy.session")).detachAppender(sessionLog);
    }

    private SSLSocket implicitTls(String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), implicitPort);
        s.setSoTimeout(10_000);
        if (protocols.length > 0) {
            s.setEnabledProtocols(protocols);
        }
        s.startHandshake();
        return s;
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        assertThat(readLine(s.getInputStream())).isEqualTo("READY");
        return s;
    }

    private static SSLSocket upgrade(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) PKI.clientContext().getSocketFactory()
                .createSocket(plain, "localhost", plain.getPort(), true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }


    private String awaitSessionLine() {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !sessionLog.list.isEmpty());
        return sessionLog.list.get(0).getFormattedMessage();
    }

    @Test
    void implicitTlsShouldGreetAfterTheHandshakeAndLogProtocolAndCipher() throws Exception {
        try (SSLSocket s = implicitTls()) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            // Issued by the intermediate; the client trusts only the root: the chain was served whole.
            assertThat(s.getSession().getPeerCertificates()).hasSize(2);
            assertThat(readLine(s.getInputStream())).isEqualTo("READY");
            send(s, "SECURE\r\nQUIT\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("SECURE true false");
            assertThat(readLine(s.getInputStream())).isEqualTo("BYE");
        }
        assertThat(awaitSessionLine()).contains(" tls=TLSv1.3 cipher=TLS_", "outcome=logout");
    }

    @Test
    void implicitTlsShouldAcceptTls12AndRefuseTls11ByDefault() throws Exception {
        try (SSLSocket s = implicitTls("TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(readLine(s.getInputStream())).isEqualTo("READY");
        }
        assertThatThrownBy(() -> implicitTls("TLSv1.1").close()).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void loginOverImplicitTlsShouldTellTheAuthenticatorAndRelay() throws Exception {
        try (SSLSocket s = implicitTls()) {
            assertThat(readLine(s.getInputStream())).isEqualTo("READY");
            send(s, "LOGIN alice secret\r\nhello over tls\r\n");
            assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
            assertThat(readLine(s.getInputStream())).isEqualTo("hello over tls");
        }
        assertThat(auth.last.secure()).isTrue();
        assertThat(awaitSessionLine()).contains("user=alice", " tls=TLSv1.3 ", "outcome=relayed");
    }

    @Test
    void cleartextToTheImplicitListenerShouldBeClosedAndLoggedAsTlsFailure() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), implicitPort)) {
            s.setSoTimeout(10_000);
            send(s, "LOGIN alice secret\r\n");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(awaitSessionLine()).contains("outcome=tls-failed").doesNotContain("tls=");
        assertThat(auth.last).isNull();
    }

    @Test
    void startTlsShouldUpgradeTheConnectionAndNotBeOfferedTwice() throws Exception {
        try (Socket plain = plain(startTlsPort)) {
            send(plain, "SECURE\r\nSTARTTLS\r\n");
            assertThat(readLine(plain.getInputStream())).isEqualTo("SECURE false false");
            assertThat(readLine(plain.getInputStream())).isEqualTo("GO");
            try (SSLSocket s = upgrade(plain)) {
                send(s, "SECURE\r\nSTARTTLS\r\nLOGIN alice secret\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("SECURE true false");
                assertThat(readLine(s.getInputStream())).isEqualTo("NOTLS");
                assertThat(readLine(s.getInputStream())).isEqualTo("OK welcome alice");
            }
        }
        assertThat(auth.last.secure()).isTrue();
        assertThat(awaitSessionLine()).contains(" tls=TLSv1.3 ", "outcome=relayed");
    }

    @Test
    void commandsPipelinedAfterStartTlsShouldBeDiscardedNotRunAfterTheHandshake() throws Exception {
        try (Socket plain = plain(startTlsPort)) {
            send(plain, "STARTTLS\r\nSECURE\r\nLOGIN alice secret\r\n");
            assertThat(readLine(plain.getInputStream())).isEqualTo("GO");
            try (SSLSocket s = upgrade(plain)) {
                send(s, "NOOP\r\n");
                // Had the injected SECURE or LOGIN run, their replies would come first.
                assertThat(readLine(s.getInputStream())).isEqualTo("NOOP OK");
                send(s, "QUIT\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("BYE");
            }
        }
        assertThat(auth.last).isNull();
    }

    @Test
    void requiredStartTlsShouldBeReportedBeforeTheHandshakeAndLiftedAfter() throws Exception {
        try (Socket plain = plain(requiredPort)) {
            send(plain, "SECURE\r\nSTARTTLS\r\n");
            assertThat(readLine(plain.getInputStream())).isEqualTo("SECURE false true");
            assertThat(readLine(plain.getInputStream())).isEqualTo("GO");
            try (SSLSocket s = upgrade(plain)) {
                send(s, "SECURE\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("SECURE true false");
            }
        }
    }

    @Test
    void startTlsShouldBeAnErrorOnAListenerWithoutIt() throws Exception {
        try (Socket plain = plain(plainPort)) {
            send(plain, "STARTTLS\r\nSECURE\r\n");
            assertThat(readLine(plain.getInputStream())).isEqualTo("NOTLS");
            assertThat(readLine(plain.getInputStream())).isEqualTo("SECURE false false");
        }
    }

    @Test
    void aReloadedCertificateShouldGoToNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
        X509Certificate before = tls.certificate();
        try (SSLSocket old = implicitTls()) {
            assertThat(readLine(old.getInputStream())).isEqualTo("READY");
            assertThat(old.getSession().getPeerCertificates()[0]).isEqualTo(before);

            TestPki.Issued renewed = PKI.issue("proxy-renewed");
            renewed.writeChain(tlsConfig.certificateChain());
            renewed.writeKey(tlsConfig.privateKey());
            assertThat(tls.reloadIfChanged()).isTrue();

            try (SSLSocket fresh = implicitTls()) {
                assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(renewed.certificate());
                assertThat(readLine(fresh.getInputStream())).isEqualTo("READY");
            }
            send(old, "NOOP\r\n");
            assertThat(readLine(old.getInputStream())).isEqualTo("NOOP OK");
        }
    }

    @Test
    void sessionsShouldBeResumedWithEitherProviderAndEitherVersion() throws Exception {
        for (TlsProvider provider : List.of(TlsProvider.OPENSSL, TlsProvider.JDK)) {
            start(provider);
            for (String version : List.of("TLSv1.3", "TLSv1.2")) {
                javax.net.ssl.SSLContext client = PKI.clientContext();
                long first = -1;
                for (int i = 0; i < 3; i++) {
                    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                            implicitPort)) {
                        s.setSoTimeout(10_000);
                        s.setEnabledProtocols(new String[] {version});
                        assertThat(readLine(s.getInputStream())).isEqualTo("READY");
                        long created = s.getSession().getCreationTime();
                        if (i == 0) {
                            first = created;
                        } else {
                            assertThat(created).as("%s %s connection %d resumed the first session", provider, version, i)
                                    .isEqualTo(first);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bothProvidersShouldServeImplicitTlsAndStartTls() throws Exception {
        for (TlsProvider provider : List.of(TlsProvider.JDK, TlsProvider.OPENSSL)) {
            start(provider);
            try (SSLSocket s = implicitTls()) {
                assertThat(readLine(s.getInputStream())).as(provider.name()).isEqualTo("READY");
            }
            try (Socket plain = plain(startTlsPort)) {
                send(plain, "STARTTLS\r\n");
                assertThat(readLine(plain.getInputStream())).isEqualTo("GO");
                try (SSLSocket s = upgrade(plain)) {
                    send(s, "SECURE\r\n");
                    assertThat(readLine(s.getInputStream())).as(provider.name()).isEqualTo("SECURE true false");
                }
            }
        }
    }
}
