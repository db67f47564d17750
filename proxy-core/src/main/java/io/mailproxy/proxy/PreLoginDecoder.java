package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Base of the front-end command decoders (POP3, IMAP) before login.
 *
 * <p>Unlike {@link ByteToMessageDecoder} it can be <em>paused</em>: while a login is being
 * authenticated the session calls {@link #pause()}, nothing further is decoded and the channel is
 * not read, so commands the client pipelined after its login command wait in the cumulation. On
 * success the session takes them with {@link #takeLeftover()} and hands them to the relay (they
 * reach the backend after the login, nothing lost, nothing duplicated); on failure it calls
 * {@link #resume()} and they are decoded in order.
 *
 * <p>The channel is accepted with auto-read off and this decoder owns the switch: it turns auto-read
 * on when the session starts and off only when it must stop reading, so a client cannot make the
 * proxy buffer more than {@code maxCommandLength} bytes of undecoded input plus one socket read
 * (while paused, reading goes on until that much is buffered). Nor can it make the proxy buffer
 * replies it does not read: while the channel is not writable (its outbound buffer above the high
 * water mark) nothing is decoded and nothing read; decoding and reading resume when it drains.
 * Auto-read rather than one {@code read()} per command: with epoll every {@code read()} on a channel
 * whose auto-read is off arms and then disarms EPOLLIN, two {@code epoll_ctl} calls per command;
 * in the common case (a login that succeeds) the switch is now flipped once per session.
 *
 * <p>A command longer than {@code maxCommandLength} (literals included) raises
 * {@link TooLongFrameException} towards the session handler, which answers and closes; the
 * decoder discards everything after that.
 *
 * <p>When the client half-closes (input shutdown, needs {@code ALLOW_HALF_CLOSURE}), whatever is
 * already buffered is still decoded; the channel is closed once there is nothing left to do.
 */
public abstract class PreLoginDecoder extends ChannelInboundHandlerAdapter {

    private final int maxCommandLength;
    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private boolean paused;
    private boolean failed;
    private boolean decoding;
    private boolean inputShutdown;

    protected PreLoginDecoder(int maxCommandLength) {
        if (maxCommandLength < 16) {
            throw new IllegalArgumentException("maxCommandLength too small: " + maxCommandLength);
        }
        this.maxCommandLength = maxCommandLength;
    }

    /**
     * Decodes one command from {@code in}, advancing its reader index past it, or returns
     * {@code null} (leaving the reader index alone) when more bytes are needed. Never returns a
     * reference-counted object that the session handler would have to release.
     *
     * <p>Search for line ends with {@link Lines#indexOfLf(ByteBuf, int)} bounded by
     * {@link #maxCommandLength()}, and throw {@link TooLongFrameException} as soon as a command is
     * known to be too long (an announced literal that does not fit, say).
     */
    protected abstract Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception;

    public final int maxCommandLength() {
        return maxCommandLength;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        requestMore();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            in.release();
            return;
        }
        cumulation = cumulation == null
                ? in
                : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        if (paused) {
            requestMore(); // reading on while paused, up to the limit
        } else {
            drain();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            drain();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Stops decoding until {@link #resume()}; reading goes on until {@code maxCommandLength} bytes
     * are buffered.
     */
    public final void pause() {
        paused = true;
    }

    /** Decodes what is buffered, then reads on. Call on the channel's event loop. */
    public final void resume() {
        paused = false;
        drain();
    }

    public final boolean isPaused() {
        return paused;
    }

    /**
     * Hands over the bytes received but not yet decoded (the caller owns the buffer and must
     * release it); afterwards this decoder is empty and may be removed.
     */
    public final ByteBuf takeLeftover() {
        ByteBuf left = cumulation;
        cumulation = null;
        return left == null ? Unpooled.EMPTY_BUFFER : left;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCumulation();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseCumulation();
        ctx.fireChannelInactive();
    }

    private void drain() {
        if (decoding || ctx == null || ctx.isRemoved()) {
            return;
        }
        decoding = true;
        try {
            while (!paused && !failed && cumulation != null && cumulation.isReadable()
                    && !ctx.isRemoved() && ctx.channel().isActive() && ctx.channel().isWritable()) {
                Object command;
                try {
                    command = decode(ctx, cumulation);
                } catch (TooLongFrameException e) {
                    fail(e);
                    return;
                }
                if (command == null) {
                    if (cumulation.readableBytes() > maxCommandLength) {
                        fail(new TooLongFrameException("command longer than " + maxCommandLength + " bytes"));
                        return;
                    }
                    break;
                }
                ctx.fireChannelRead(command);
            }
            if (cumulation != null && !cumulation.isReadable()) {
                releaseCumulation();
            } else if (cumulation != null) {
                cumulation.discardSomeReadBytes();
            }
        } catch (Exception e) {
            fail(e);
            return;
        } finally {
            decoding = false;
        }
        requestMore();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            // The client read what it was sent: answer what it pipelined meanwhile, then read on.
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void requestMore() {
        if (failed || ctx == null || ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        boolean writable = ctx.channel().isWritable();
        if (!paused && writable && inputShutdown) {
            // Nothing more will come and nothing buffered forms a command: done.
            ctx.close();
            return;
        }
        boolean read = writable
                && (!paused || cumulation == null || cumulation.readableBytes() <= maxCommandLength);
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    private void fail(Throwable cause) {
        failed = true;
        releaseCumulation();
        ctx.fireExceptionCaught(cause);
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }
}
