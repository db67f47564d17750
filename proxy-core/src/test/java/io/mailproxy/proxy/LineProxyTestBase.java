package io.mailproxy.proxy;

import static io.mailproxy.proxy.SocketLines.readLine;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mailproxy.auth.BackendRoute;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

/**
 * A real ProxyServer over loopback sockets with the line test protocol, a real TCP backend, one
 * account (alice/secret) and the session log captured: the fixture of the proxy-core socket tests.
 */
abstract class LineProxyTestBase {
    protected LineBackend backend;
    protected MapAuthenticator auth;
    protected ProxyServer server;
    protected int port;
    protected ListAppender<ILoggingEvent> sessionLog;

    @BeforeEach
    void setUpBackendAndAccount() throws Exception {
        backend = new LineBackend();
        auth = new MapAuthenticator();
        auth.accounts.put("alice", new MapAuthenticator.Account("secret", BackendRoute.of("127.0.0.1", backend.port())));
        sessionLog = new ListAppender<>();
        sessionLog.start();
        ((Logger) LoggerFactory.getLogger("mailproxy.session")).addAppender(sessionLog);
    }

    @AfterEach
    void tearDownServer() throws Exception {
        if (server != null) {
            server.stop();
        }
        auth.close();
        backend.close();
        ((Logger) LoggerFactory.getLogger("mailproxy.session")).detachAppender(sessionLog);
    }

    /** A builder with the line protocol on a free loopback port, this fixture's authenticator and two threads. */
    protected ProxyServer.Builder serverBuilder() {
        return ProxyServer.builder()
                .listener(new LineTestProtocol(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .authenticator(auth)
                .threads(2);
    }

    /** Stops the running server, if any, and starts the one {@code builder} makes. */
    protected void start(ProxyServer.Builder builder) throws Exception {
        if (server != null) {
            server.stop();
        }
        server = builder.build();
        port = server.start().get(0).port();
    }

    /** A connection to the proxy, not yet greeted. */
    protected Socket open() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** A connection to the proxy, its greeting read. */
    protected Socket connect() throws IOException {
        Socket s = open();
        assertThat(readLine(s.getInputStream())).isEqualTo("READY");
        return s;
    }
}
