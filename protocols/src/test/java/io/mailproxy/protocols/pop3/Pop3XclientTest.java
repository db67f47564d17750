package io.mailproxy.protocols.pop3;

import static io.mailproxy.protocols.testsupport.SplitFeeder.drainOutbound;
import static io.mailproxy.protocols.testsupport.SplitFeeder.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.proxy.BackendLoginResult;
import io.mailproxy.proxy.ClientEndpoints;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** --forward-client-ip for POP3: XCLIENT before USER, only when the greeting or CAPA shows XCLIENT. */
class Pop3XclientTest {
    private static final String XCLIENT = Pop3BackendLogin.xclientCommand(new ClientEndpoints(
            new InetSocketAddress("192.0.2.44", 50000), new InetSocketAddress("198.51.100.1", 110), "abc"));

    private static EmbeddedChannel start(String xclient) {
        EmbeddedChannel backend = new EmbeddedChannel();
        Promise<BackendLoginResult> result = backend.eventLoop().newPromise();
        backend.pipeline().addLast(new Pop3BackendLogin(result, Duration.ofSeconds(30), "alice", "pw", xclient));
        return backend;
    }

    @Test
    void xclientShouldFollowCapaThatShowsIt() {
        assertThat(XCLIENT).isEqualTo("XCLIENT ADDR=192.0.2.44 PORT=50000 SESSION=abc");
        EmbeddedChannel b = start(XCLIENT);
        feed(b, "+OK Dovecot ready.\r\n");
        assertThat(drainOutbound(b)).isEqualTo("CAPA\r\n");
        feed(b, "+OK\r\nUSER\r\nXCLIENT\r\n.\r\n");
        assertThat(drainOutbound(b)).isEqualTo(XCLIENT + "\r\n");
        feed(b, "-ERR not trusted\r\n");
        assertThat(drainOutbound(b)).as("refused: the login goes on").isEqualTo("USER alice\r\n");
        b.finishAndReleaseAll();
    }

    @Test
    void xclientInTheGreetingShouldSkipCapa() {
        EmbeddedChannel b = start(XCLIENT);
        feed(b, "+OK [XCLIENT] ready\r\n");
        assertThat(drainOutbound(b)).isEqualTo(XCLIENT + "\r\n");
        feed(b, "+OK\r\n");
        assertThat(drainOutbound(b)).isEqualTo("USER alice\r\n");
        b.finishAndReleaseAll();
    }

    @Test
    void noXclientWhenCapaLacksItOrFails() {
        EmbeddedChannel b = start(XCLIENT);
        feed(b, "+OK ready\r\n");
        drainOutbound(b);
        feed(b, "+OK\r\nUSER\r\nTOP\r\n.\r\n");
        assertThat(drainOutbound(b)).isEqualTo("USER alice\r\n");
        b.finishAndReleaseAll();
        EmbeddedChannel c = start(XCLIENT);
        feed(c, "+OK ready\r\n");
        drainOutbound(c);
        feed(c, "-ERR what\r\n");
        assertThat(drainOutbound(c)).isEqualTo("USER alice\r\n");
        c.finishAndReleaseAll();
    }
}
