package io.mailproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The limit check on EmbeddedChannels, the session record carrying the client address. */
class ConnectionLimitHandlerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);

    private final ConnectionCounter counter = new ConnectionCounter(new ConnectionLimits(0, 1));

    /** Records whether the connection was passed on as active (the greeting would be sent then). */
    private static final class ActiveProbe extends ChannelInboundHandlerAdapter {
        boolean active;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }
    }

    private EmbeddedChannel channel(ActiveProbe probe) throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.attr(ChannelAttributes.SESSION).set(new SessionRecord(Protocol.POP3, CLIENT));
        ch.pipeline().addLast(HandlerNames.CONNECTION_LIMITS, new ConnectionLimitHandler(counter, new LineTestProtocol()));
        ch.pipeline().addLast(probe);
        ch.register();
        return ch;
    }

    @Test
    void channelActiveShouldPassOnAndRemoveItselfWhenAdmitted() throws Exception {
        ActiveProbe probe = new ActiveProbe();

        EmbeddedChannel ch = channel(probe);

        assertThat(probe.active).isTrue();
        assertThat(ch.pipeline().get(HandlerNames.CONNECTION_LIMITS)).isNull();
        assertThat(counter.fromIp(CLIENT.getAddress())).isEqualTo(1);
        assertThat((Object) ch.readOutbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void closeShouldReleaseTheCountWhenAdmittedConnectionEnds() throws Exception {
        EmbeddedChannel ch = channel(new ActiveProbe());

        ch.close().sync();

        assertThat(counter.total()).isZero();
        assertThat(counter.trackedAddresses()).isZero();
    }

    @Test
    void channelActiveShouldReplyAndCloseWithoutGreetingWhenOverPerIpLimit() throws Exception {
        EmbeddedChannel first = channel(new ActiveProbe());
        ActiveProbe probe = new ActiveProbe();

        EmbeddedChannel second = channel(probe);

        ByteBuf reply = second.readOutbound();
        assertThat(reply.toString(StandardCharsets.US_ASCII)).isEqualTo("BUSY\r\n");
        reply.release();
        assertThat(probe.active).isFalse();
        assertThat(second.isOpen()).isFalse();
        assertThat(ChannelAttributes.session(second).outcome()).isEqualTo(SessionRecord.Outcome.TOO_MANY_CONNECTIONS);
        assertThat(counter.fromIp(CLIENT.getAddress())).isEqualTo(1);
        second.finishAndReleaseAll();
        first.finishAndReleaseAll();
        assertThat(counter.total()).isZero();
    }
}
