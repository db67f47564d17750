package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after a last reply without losing that reply. Closing a socket whose
 * receive buffer still holds unread bytes (the rest of an over-long line, commands pipelined after
 * the one that ended the session) makes the kernel send a reset, and a reset can discard the reply
 * before the client reads it. So: write the reply, shut the output down (the client reads the reply,
 * then end of stream), read and drop whatever the client still sends, and close when it closes or
 * after {@link #LINGER} at the most (like Apache's lingering close).
 */
public final class LingeringClose {
    /** How long a closing connection keeps draining the client's input at the most. */
    public static final Duration LINGER = Duration.ofSeconds(2);
    static final String HANDLER_NAME = "lingering-close";

    private LingeringClose() {
    }

    /** Writes {@code lastReply} (may be null), then closes as described above. Call on the event loop. */
    public static void close(ChannelHandlerContext ctx, ByteBuf lastReply) {
        Channel ch = ctx.channel();
        if (!(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
            if (lastReply == null) {
                ctx.flush();
                ctx.close();
            } else {
                ctx.writeAndFlush(lastReply).addListener(f -> ch.close());
            }
            return;
        }
        (lastReply == null ? ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER) : ctx.writeAndFlush(lastReply))
                .addListener(written -> {
                    if (!written.isSuccess() || !ch.isActive()) {
                        ch.close();
                        return;
                    }
                    duplex.shutdownOutput().addListener(shut -> linger(ch));
                });
    }

    private static void linger(Channel ch) {
        if (!ch.isActive() || (ch instanceof DuplexChannel d && d.isInputShutdown())) {
            ch.close();
            return;
        }
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
            ch.close();
        }, LINGER.toNanos(), TimeUnit.NANOSECONDS);
        ch.closeFuture().addListener(f -> deadline.cancel(false));
        if (ch.pipeline().get(HANDLER_NAME) == null) {
            ch.pipeline().addFirst(HANDLER_NAME, new Drain());
        }
        ch.config().setAutoRead(true);
    }

    /** Drops every byte the client still sends; closes at its end of stream. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
