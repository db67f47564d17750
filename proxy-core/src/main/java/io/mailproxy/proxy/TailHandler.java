package io.mailproxy.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of every client pipeline: what nothing else handled ends here. Expected transport
 * errors (connection reset, ...) are logged quietly; anything else is logged once with its stack
 * and the connection is closed. Stray messages are released.
 */
@ChannelHandler.Sharable
public final class TailHandler extends ChannelInboundHandlerAdapter {
    public static final TailHandler INSTANCE = new TailHandler();
    private static final Logger LOG = LoggerFactory.getLogger(TailHandler.class);

    private TailHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SessionRecord session = ChannelAttributes.session(ctx.channel());
        if (cause instanceof IOException || TlsHandshakes.isTlsFailure(cause)) {
            LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("unexpected error on {}; closing", ctx.channel().remoteAddress(), cause);
            if (session != null && session.outcome() != SessionRecord.Outcome.RELAYED) {
                session.outcome(SessionRecord.Outcome.ERROR);
            }
        }
        ctx.close();
    }
}
