package io.mailproxy.proxy;

import io.mailproxy.auth.HostAndPort;
import io.mailproxy.proxy.tls.BackendTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Base of the protocol handlers that log in to a backend (POP3 USER/PASS, IMAP LOGIN): a line
 * reader with a bounded line length and a timeout for the whole exchange, completing a promise.
 *
 * <p>Subclasses get each backend line (CRLF included) in {@link #onLine} and finish with
 * {@link #loggedIn}, {@link #refused} or {@link #fail}. Bytes the backend sent after the line that
 * finished the exchange are appended to the reply for the client, so nothing is lost. On
 * {@code loggedIn} the handler removes itself; the relay takes over the channel.
 *
 * <p>TLS: with implicit TLS the connector has put the TLS handler in front and a failed handshake
 * fails the exchange. For STARTTLS/STLS a subclass sends the command and, on its OK, calls
 * {@link #upgradeToTls}: whatever the backend sent after the OK in cleartext is discarded, the
 * handshake runs, and {@link #onTlsEstablished} continues with the login.
 */
public abstract class BackendHandshake extends ChannelInboundHandlerAdapter {

    private final Promise<BackendLoginResult> result;
    private final Duration timeout;
    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private ScheduledFuture<?> timer;
    private final BackendTls startTls;
    private boolean discardRest;

    protected BackendHandshake(Promise<BackendLoginResult> result, Duration timeout) {
        this(result, timeout, null);
    }

    /** @param startTls TLS for STARTTLS/STLS before the login; null for none */
    protected BackendHandshake(Promise<BackendLoginResult> result, Duration timeout, BackendTls startTls) {
        this.result = result;
        this.timeout = timeout;
        this.startTls = startTls;
    }

    /** Whether the login must be preceded by STARTTLS/STLS. */
    protected final boolean startTlsFirst() {
        return startTls != null;
    }

    /** Called once the STARTTLS/STLS handshake succeeded: send the login now. */
    protected void onTlsEstablished(ChannelHandlerContext ctx) {
    }

    /**
     * The backend said OK to STARTTLS/STLS: discards what it sent after that line, adds the TLS
     * handler (verifying the backend's certificate) and calls {@link #onTlsEstablished} after the
     * handshake; a failed handshake fails the exchange (temporary failure for the client).
     */
    protected final void upgradeToTls(ChannelHandlerContext ctx) {
        if (startTls == null) {
            throw new IllegalStateException("no STARTTLS configured");
        }
        discardRest = true;
        SslHandler ssl = startTls.newHandler(ctx.alloc(), backendHost(ctx), timeout);
        ctx.pipeline().addFirst(HandlerNames.TLS, ssl);
        watchHandshake(ssl, true);
    }

    private void watchHandshake(SslHandler ssl, boolean thenLogin) {
        ssl.handshakeFuture().addListener(f -> {
            if (result.isDone()) {
                return;
            }
            if (!f.isSuccess()) {
                fail("TLS handshake with the backend failed: " + rootCause(f.cause()));
            } else if (thenLogin) {
                onTlsEstablished(ctx);
            }
        });
    }

    /** The innermost cause, which says why (untrusted issuer, no matching name) where the outer one does not. */
    private static String rootCause(Throwable t) {
        if (t == null) {
            return "?";
        }
        Throwable root = t;
        for (int i = 0; i < 10 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == t ? m : t.getMessage() + ": " + m;
    }

    private static HostAndPort backendHost(ChannelHandlerContext ctx) {
        HostAndPort host = ctx.channel().attr(ChannelAttributes.BACKEND_HOST).get();
        if (host != null) {
            return host;
        }
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        return new HostAndPort(remote.getHostString(), remote.getPort());
    }

    /** One line from the backend, CRLF (or LF) included; only valid during the call. */
    protected abstract void onLine(ChannelHandlerContext ctx, ByteBuf line) throws Exception;

    /** Called once the channel is connected and this handler added; the greeting has not been read yet. */
    protected void onConnected(ChannelHandlerContext ctx) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.pipeline().get(HandlerNames.TLS) instanceof SslHandler implicit) {
            watchHandshake(implicit, false);
        }
        timer = ctx.executor().schedule(() -> fail("backend login timed out after " + timeout.toSeconds() + " s"),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (ctx.channel().isActive()) {
            onConnected(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (result.isDone()) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        while (!result.isDone() && cumulation != null && cumulation.isReadable()) {
            int lf = Lines.indexOfLf(cumulation, ProxySettings.MAX_BACKEND_LINE);
            if (lf < 0) {
                if (cumulation.readableBytes() >= ProxySettings.MAX_BACKEND_LINE) {
                    fail("backend sent a line longer than " + ProxySettings.MAX_BACKEND_LINE + " bytes");
                }
                break;
            }
            int length = lf + 1 - cumulation.readerIndex();
            ByteBuf line = cumulation.readSlice(length);
            onLine(ctx, line);
            if (discardRest) {
                // Sent after the OK to STARTTLS but before TLS: never trusted (response injection).
                discardRest = false;
                cumulation.release();
                cumulation = null;
            }
        }
        if (!result.isDone()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail("backend closed the connection during login");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!result.isDone()) {
            cancelTimer();
            result.tryFailure(cause);
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** The backend accepted: {@code toClient} (ownership passes) is what the client will be sent. */
    protected final void loggedIn(ByteBuf toClient) {
        if (result.isDone()) {
            toClient.release();
            return;
        }
        cancelTimer();
        ByteBuf out = withLeftover(toClient);
        ctx.pipeline().remove(this);
        if (!result.trySuccess(new BackendLoginResult.LoggedIn(out))) {
            out.release();
        }
    }

    /** The backend refused the credentials; the backend channel is closed. */
    protected final void refused(ByteBuf toClient, String backendLine) {
        if (result.isDone()) {
            toClient.release();
            return;
        }
        cancelTimer();
        if (!result.trySuccess(new BackendLoginResult.Refused(toClient, backendLine))) {
            toClient.release();
        }
        ctx.close();
    }

    /** The exchange failed (protocol error, timeout, unexpected reply): temporary failure for the client. */
    protected final void fail(String reason) {
        cancelTimer();
        if (result.tryFailure(new BackendLoginException(reason))) {
            ctx.close();
        }
    }

    /** Writes a command to the backend. */
    protected final void send(ChannelHandlerContext ctx, ByteBuf command) {
        ctx.writeAndFlush(command).addListener(f -> {
            if (!f.isSuccess()) {
                fail("cannot write to backend: " + f.cause());
            }
        });
    }

    /** Text of a line without its line end, for logs and for parsing; ISO-8859-1 keeps every byte. */
    protected static String text(ByteBuf line) {
        int end = line.writerIndex();
        if (end > line.readerIndex() && line.getByte(end - 1) == '\n') {
            end--;
        }
        if (end > line.readerIndex() && line.getByte(end - 1) == '\r') {
            end--;
        }
        return line.toString(line.readerIndex(), end - line.readerIndex(), StandardCharsets.ISO_8859_1);
    }

    private ByteBuf withLeftover(ByteBuf toClient) {
        if (cumulation != null && cumulation.isReadable()) {
            ByteBuf merged = ctx.alloc().buffer(toClient.readableBytes() + cumulation.readableBytes());
            merged.writeBytes(toClient).writeBytes(cumulation);
            toClient.release();
            cumulation.release();
            cumulation = null;
            return merged;
        }
        return toClient;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** A failed backend login exchange (not a refusal of the credentials). Stack-less: it is control flow. */
    public static final class BackendLoginException extends Exception {
        public BackendLoginException(String message) {
            super(message, null, false, false);
        }
    }
}
