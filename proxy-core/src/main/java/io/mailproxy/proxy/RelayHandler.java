package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves bytes from its channel to the peer channel, unchanged. Backpressure by writability: when
 * the peer's outbound buffer passes the high watermark this side stops reading, and reads again
 * once it drains below the low one. Writes are flushed once per read burst. A half-close is
 * passed on (input shutdown here becomes output shutdown there); when either side closes, the
 * other is flushed and closed. Buffers are passed on (the peer's write releases them), never
 * copied.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private final Channel peer;
    private final SessionRecord session;
    private final boolean fromClient;

    RelayHandler(Channel peer, SessionRecord session, boolean fromClient) {
        this.peer = peer;
        this.session = session;
        this.fromClient = fromClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            count(buf.readableBytes());
        }
        // A failed write raises exceptionCaught in the peer's pipeline, whose relay closes both.
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our outbound buffer filled up or drained: stop or restart reading the peer.
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Half-close: this side will send nothing more; tell the peer once what we have is written.
            if (peer instanceof DuplexChannel duplex && peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    if (f.isSuccess()) {
                        duplex.shutdownOutput();
                    }
                });
            } else {
                closeOnFlush(peer);
            }
            if (ctx.channel() instanceof DuplexChannel self && self.isOutputShutdown()) {
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent) {
            session.outcome(SessionRecord.Outcome.IDLE_TIMEOUT);
            ctx.close();
            peer.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || TlsHandshakes.isTlsFailure(cause)) {
            LOG.debug("relay {} connection error: {}", fromClient ? "client" : "backend", cause.toString());
        } else {
            LOG.warn("relay {} error", fromClient ? "client" : "backend", cause);
        }
        ctx.close();
        closeOnFlush(peer);
    }

    private void count(int n) {
        if (fromClient) {
            session.addBytesFromClient(n);
        } else {
            session.addBytesToClient(n);
        }
    }

    static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
