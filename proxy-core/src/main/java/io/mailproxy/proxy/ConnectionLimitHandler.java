package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a client connection against the server's {@link ConnectionCounter} when it becomes active,
 * before the greeting: over a limit, the protocol's reply ({@code -ERR [SYS/TEMP] too many
 * connections}, {@code * BYE Too many connections}) is written and the channel closed, and nothing
 * after this handler sees the connection become active. Admitted, it is counted until the channel
 * closes and the handler removes itself.
 *
 * <p>The client address is the session record's ({@link SessionRecord#clientInet()}), which is the
 * address from the PROXY protocol header when there is one: a PROXY decoder in front of this
 * handler must hold {@code channelActive} back until it has read the header.
 */
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final ConnectionCounter counter;
    private final FrontendProtocol protocol;

    public ConnectionLimitHandler(ConnectionCounter counter, FrontendProtocol protocol) {
        this.counter = counter;
        this.protocol = protocol;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SessionRecord session = ChannelAttributes.session(ctx.channel());
        InetSocketAddress inet = session == null ? null : session.clientInet();
        InetAddress client = inet == null ? null : inet.getAddress();
        ConnectionCounter.Admission admission = counter.tryAcquire(client);
        if (admission != ConnectionCounter.Admission.ADMITTED) {
            refuse(ctx, session, admission);
            return;
        }
        ctx.channel().closeFuture().addListener(f -> counter.release(client));
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, SessionRecord session, ConnectionCounter.Admission admission) {
        if (session != null) {
            session.outcome(SessionRecord.Outcome.TOO_MANY_CONNECTIONS);
        }
        LOG.debug("refused {}: {}", ctx.channel().remoteAddress(), admission);
        ByteBuf reply = protocol.tooManyConnectionsReply(ctx.alloc());
        if (reply == null) {
            ctx.close();
        } else {
            ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
