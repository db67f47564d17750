package io.mailproxy.protocols;

import static io.mailproxy.protocols.testsupport.SplitFeeder.drainOutbound;
import static io.mailproxy.protocols.testsupport.SplitFeeder.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.imap.ImapProtocol;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.protocols.testsupport.EmbeddedProxy;
import io.mailproxy.protocols.testsupport.ScriptedAuthenticator;
import io.mailproxy.proxy.ConnectionLimits;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.mailproxy.proxy.ShutdownEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterEach;

/**
 * The POP3 and IMAP wording of the connection-limit refusal and of the shutdown notice, byte for
 * byte: on EmbeddedChannels for the shutdown, on real sockets for the limit.
 */
class LimitsAndShutdownRepliesTest {
    private static final String POP3_SHUTDOWN = "-ERR [SYS/TEMP] Server shutting down.\r\n";
    private static final String IMAP_SHUTDOWN = "* BYE Server shutting down.\r\n";

    private final List<EmbeddedProxy> proxies = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();

    static List<Arguments> protocols() {
        return List.of(
                Arguments.of("pop3", new Pop3Protocol(Pop3Config.defaults()), "+OK",
                        "USER alice\r\nPASS secret\r\n", POP3_SHUTDOWN, "-ERR [SYS/TEMP] too many connections\r\n"),
                Arguments.of("imap", new ImapProtocol(ImapConfig.defaults()), "* OK",
                        "a LOGIN alice secret\r\n", IMAP_SHUTDOWN, "* BYE Too many connections\r\n"));
    }

    @AfterEach
    void everyBufferReleased() {
        for (EmbeddedChannel c : clients) {
            c.finishAndReleaseAll();
        }
        for (EmbeddedProxy p : proxies) {
            p.alloc().assertAllReleased();
        }
    }

    private EmbeddedChannel connect(FrontendProtocol protocol, ScriptedAuthenticator auth) {
        EmbeddedProxy p = new EmbeddedProxy(ProxySettings.defaults(), auth);
        proxies.add(p);
        EmbeddedChannel client = p.connect(protocol);
        clients.add(client);
        drainOutbound(client);
        return client;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void shutdownShouldSendNoticeAndCloseWhenClientIsLoggingIn(String name, FrontendProtocol protocol, String greeting,
                                                               String login, String shutdown, String busy) {
        EmbeddedChannel client = connect(protocol, ScriptedAuthenticator.always(new AuthOutcome.Rejected("no", Duration.ZERO)));

        client.pipeline().fireUserEventTriggered(ShutdownEvent.INSTANCE);
        client.runPendingTasks();

        assertThat(drainOutbound(client)).isEqualTo(shutdown);
        assertThat(client.isOpen()).isFalse();
        assertThat(EmbeddedProxy.session(client).outcome()).isEqualTo(SessionRecord.Outcome.SHUTDOWN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void shutdownShouldCloseWithNoticeWhenLoginIsPendingAndIgnoreTheLateOutcome(
            String name, FrontendProtocol protocol, String greeting, String login, String shutdown, String busy) {
        ScriptedAuthenticator auth = ScriptedAuthenticator.always(
                new AuthOutcome.Accepted(BackendRoute.of("mailhost01", 110), "alice", "secret")).deferred();
        EmbeddedChannel client = connect(protocol, auth);
        feed(client, login);
        assertThat(auth.pendingCount()).isEqualTo(1);

        client.pipeline().fireUserEventTriggered(ShutdownEvent.INSTANCE);
        client.runPendingTasks();
        auth.complete();
        client.runPendingTasks();

        assertThat(drainOutbound(client)).endsWith(shutdown);
        assertThat(client.isOpen()).isFalse();
        assertThat(proxies.get(0).connector().backends()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocols")
    void connectShouldGetTheProtocolRefusalWhenOverTheLimit(String name, FrontendProtocol protocol, String greeting,
                                                            String login, String shutdown, String busy) throws Exception {
        ProxyServer server = ProxyServer.builder()
                .listener(protocol, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .connectionLimits(new ConnectionLimits(0, 1))
                .authenticator(ScriptedAuthenticator.always(new AuthOutcome.Unavailable("test")))
                .threads(1)
                .build();
        int port = server.start().get(0).port();
        try (Socket first = socket(port); Socket second = socket(port)) {
            assertThat(readLine(first.getInputStream())).startsWith(greeting);
            assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(busy);
        } finally {
            server.stop();
        }
    }

    private static Socket socket(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }
}
