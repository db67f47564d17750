package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client that has not finished logging in within a fixed time from connect (an absolute
 * deadline, not an idle timer), after the protocol's reply. Removed when the session is spliced.
 */
public final class LoginTimeoutHandler extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private final FrontendProtocol protocol;
    private ScheduledFuture<?> task;

    public LoginTimeoutHandler(Duration timeout, FrontendProtocol protocol) {
        this.timeout = timeout;
        this.protocol = protocol;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        task = ctx.executor().schedule(() -> expire(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        task = null;
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        SessionRecord session = ChannelAttributes.session(ctx.channel());
        if (session != null) {
            session.outcome(SessionRecord.Outcome.LOGIN_TIMEOUT);
        }
        ByteBuf reply = protocol.loginTimeoutReply(ctx.alloc());
        if (reply == null) {
            ctx.channel().close();
        } else {
            ctx.channel().writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
