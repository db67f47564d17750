package io.mailproxy.proxy;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login phase of one client connection, protocol-independent: greeting, error counting,
 * authentication off the event loop, backend connect and login, then the splice.
 *
 * <p>Subclasses (POP3, IMAP) answer the commands they get in {@link #onCommand} and start a login
 * with {@link #login}; the base does the rest and calls back for the protocol's replies. {@code P}
 * is whatever the protocol needs to answer a login (the IMAP tag, say).
 *
 * <p>Threading: everything runs on the channel's event loop. The authenticator completes its
 * future on its own executor; the continuation hops back here. While a login is pending the
 * decoder is paused, so pipelined commands wait in order.
 */
public abstract class FrontendSessionHandler<P> extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendSessionHandler.class);

    protected final ProxyContext proxy;
    protected final Protocol protocol;
    private ChannelHandlerContext ctx;
    private PreLoginDecoder decoder;
    private SessionRecord session;
    private int errors;
    private int attempts;
    private boolean loginPending;
    private boolean closing;
    private Channel backend;

    protected FrontendSessionHandler(ProxyContext proxy, Protocol protocol) {
        this.proxy = proxy;
        this.protocol = protocol;
    }

    // ---- what a protocol provides --------------------------------------------------------------

    /** The greeting sent on connect. */
    protected abstract ByteBuf greeting(ByteBufAllocator alloc);

    /** Handles one decoded command (never reference-counted). */
    protected abstract void onCommand(ChannelHandlerContext ctx, Object command) throws Exception;

    /** The reply to a command line longer than the limit (the connection is closed after it). */
    protected abstract ByteBuf lineTooLongReply(ByteBufAllocator alloc);

    /** Sent after the reply to the error that reached max-errors, before closing; null for none. */
    protected abstract ByteBuf tooManyErrorsReply(ByteBufAllocator alloc);

    /** Wrong user or password. */
    protected abstract ByteBuf authFailedReply(ByteBufAllocator alloc, P login);

    /**
     * Wrong user or password, with the text an auth_http server gave for the client (POP3
     * {@code -ERR <text>}, IMAP {@code <tag> NO <text>}, as nginx); by default the protocol's own
     * {@link #authFailedReply(ByteBufAllocator, Object)}. {@code text} holds no control characters.
     */
    protected ByteBuf authFailedReply(ByteBufAllocator alloc, P login, String text) {
        return authFailedReply(alloc, login);
    }

    /** Authentication or backend temporarily unavailable. */
    protected abstract ByteBuf temporaryFailureReply(ByteBufAllocator alloc, P login);

    /** Makes the handler that logs in to the backend and completes {@code result}. */
    protected abstract ChannelHandler backendHandshake(AuthOutcome.Accepted accepted, P login,
                                                       Promise<BackendLoginResult> result);

    /** Reply for an unexpected internal error before the connection is closed; null for none. */
    protected ByteBuf internalErrorReply(ByteBufAllocator alloc) {
        return null;
    }

    // ---- what a protocol may call --------------------------------------------------------------

    /**
     * Sends {@code reply} to an invalid command and counts the error; when the count reaches
     * max-errors the {@link #tooManyErrorsReply} follows and the connection is closed.
     *
     * @return true while the session goes on
     */
    protected final boolean commandError(ChannelHandlerContext ctx, ByteBuf reply) {
        errors++;
        if (errors >= proxy.settings().maxErrors()) {
            session.outcome(SessionRecord.Outcome.TOO_MANY_ERRORS);
            ctx.write(reply);
            closeLingering(ctx, tooManyErrorsReply(ctx.alloc()));
            return false;
        }
        ctx.writeAndFlush(reply);
        return true;
    }

    /** Writes {@code lastReply} (may be null), flushes and closes: LOGOUT/QUIT and fatal errors. */
    protected final void closeWith(ChannelHandlerContext ctx, ByteBuf lastReply) {
        closing = true;
        decoder.pause();
        if (lastReply == null) {
            ctx.flush();
            ctx.close();
        } else {
            ctx.writeAndFlush(lastReply).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Like {@link #closeWith}, for a close the client did not ask for and may not expect: it may have
     * sent more (the rest of a long line, pipelined commands), so the reply is kept from being lost
     * to a TCP reset ({@link LingeringClose}).
     */
    private void closeLingering(ChannelHandlerContext ctx, ByteBuf lastReply) {
        closing = true;
        decoder.pause();
        LingeringClose.close(ctx, lastReply);
    }

    /** Marks the session as ended by the client's LOGOUT/QUIT, then {@link #closeWith}. */
    protected final void logout(ChannelHandlerContext ctx, ByteBuf lastReply) {
        session.outcome(SessionRecord.Outcome.LOGOUT);
        closeWith(ctx, lastReply);
    }

    /** How many logins this connection has started so far (the next one gets this plus one). */
    protected final int attempts() {
        return attempts;
    }

    /** The decoder in front of this handler (for protocol-specific state such as SASL continuations). */
    protected final PreLoginDecoder decoder() {
        return decoder;
    }

    protected final SessionRecord session() {
        return session;
    }

    /** The client channel (null before this handler is added). */
    protected final Channel clientChannel() {
        return ctx == null ? null : ctx.channel();
    }

    /**
     * Starts authenticating {@code user}: decoding pauses until the outcome is handled. On
     * acceptance the client is connected and logged in to its backend and spliced; otherwise
     * the protocol's reply is sent (after the outcome's delay) and decoding resumes.
     */
    protected final void login(ChannelHandlerContext ctx, String user, String password, String mechanism, P login) {
        if (loginPending) {
            throw new IllegalStateException("login already pending");
        }
        loginPending = true;
        attempts++;
        decoder.pause();
        session.user(user);
        boolean secure = isSecure(ctx.channel());
        AuthRequest request = new AuthRequest(protocol, user, password, mechanism, session.clientInet(),
                attempts, secure, ctx.channel().attr(ChannelAttributes.PROXIED).get(),
                secure ? TlsDetailsReader.read(ctx.channel()) : null);
        proxy.authenticator().authenticate(request).whenComplete((outcome, error) -> {
            AuthOutcome o = outcome != null ? outcome
                    : new AuthOutcome.Unavailable("authenticator failed: " + error);
            ctx.executor().execute(() -> onAuthOutcome(ctx, o, login));
        });
    }

    /** Whether the client connection is on TLS (its handshake done). */
    protected boolean isSecure(Channel channel) {
        ChannelHandler tls = channel.pipeline().get(HandlerNames.TLS);
        return tls instanceof SslHandler ssl ? ssl.handshakeFuture().isSuccess() : tls != null;
    }

    /** Whether this client is on TLS now. */
    protected final boolean isSecure() {
        return isSecure(ctx.channel());
    }

    /** Whether STARTTLS/STLS is offered to this client now: the listener offers it and the client is not on TLS yet. */
    protected final boolean startTlsAvailable() {
        Channel ch = ctx.channel();
        return ChannelAttributes.listenerTls(ch).offersStartTls() && proxy.serverTls() != null
                && ch.pipeline().get(HandlerNames.TLS) == null;
    }

    /** Whether a login must be refused now because the listener requires STARTTLS first ({@code --starttls only}). */
    protected final boolean tlsRequiredForLogin() {
        return ChannelAttributes.listenerTls(ctx.channel()) == TlsMode.STARTTLS_REQUIRED && !isSecure();
    }

    /**
     * Switches this client to TLS after its STARTTLS/STLS (call only when {@link #startTlsAvailable()}):
     * stops decoding, discards (and releases) whatever the client pipelined after the command, so
     * nothing sent in cleartext is ever executed after the handshake (CVE-2011-0411), puts the
     * TLS handler first in the pipeline in start-TLS mode, writes {@code okReply} (the last
     * cleartext bytes), and decodes again once the handshake has delivered TLS data. The handshake
     * has the configured timeout; a failed one closes the connection.
     */
    protected final void startTls(ChannelHandlerContext ctx, ByteBuf okReply) {
        decoder.pause();
        ByteBuf injected = decoder.takeLeftover();
        int discarded = injected.readableBytes();
        injected.release();
        if (discarded > 0) {
            LOG.info("{} client {} sent {} bytes after STARTTLS in cleartext; discarded", protocol.id(),
                    session.client(), discarded);
        }
        SslHandler ssl = proxy.serverTls().newHandler(ctx.alloc(), true);
        TlsHandshakes.recordClient(ssl, session);
        ctx.pipeline().addFirst(HandlerNames.TLS, ssl);
        ctx.writeAndFlush(okReply);
        decoder.resume();
    }

    // ---- the flow ----------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.decoder = ctx.pipeline().get(PreLoginDecoder.class);
        this.session = ChannelAttributes.session(ctx.channel());
        if (decoder == null || session == null) {
            throw new IllegalStateException("session handler needs a PreLoginDecoder and a SessionRecord");
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(greeting(ctx.alloc()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try {
            if (!closing) {
                onCommand(ctx, msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ShutdownEvent.INSTANCE) {
            // Still logging in while the server stops: say so (as far as the protocol can) and close.
            if (!closing) {
                session.outcome(SessionRecord.Outcome.SHUTDOWN);
                FrontendProtocol frontend = ctx.channel().attr(ChannelAttributes.FRONTEND).get();
                closeWith(ctx, frontend == null ? null : frontend.shutdownReply(ctx.alloc()));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (backend != null) {
            backend.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            session.outcome(SessionRecord.Outcome.LINE_TOO_LONG);
            closeLingering(ctx, lineTooLongReply(ctx.alloc()));
        } else if (TlsHandshakes.isTlsFailure(cause)) {
            LOG.debug("{} TLS failure from {}: {}", protocol.id(), session.client(), cause.toString());
            if (session.outcome() == SessionRecord.Outcome.CLIENT_CLOSED) {
                session.outcome(SessionRecord.Outcome.TLS_FAILED);
            }
            closing = true;
            decoder.pause();
            ctx.close();
        } else if (cause instanceof IOException) {
            ctx.fireExceptionCaught(cause);
        } else {
            LOG.warn("error in {} session from {}; closing", protocol.id(), session.client(), cause);
            session.outcome(SessionRecord.Outcome.ERROR);
            closeWith(ctx, internalErrorReply(ctx.alloc()));
        }
    }

    private void onAuthOutcome(ChannelHandlerContext ctx, AuthOutcome outcome, P login) {
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            loginPending = false;
            return;
        }
        if (outcome instanceof AuthOutcome.Accepted accepted) {
            connectBackend(ctx, accepted, login);
        } else if (outcome instanceof AuthOutcome.Rejected rejected) {
            LOG.info("{} login rejected for user={} client={}: {}", protocol.id(), SessionRecord.sanitize(session.user()),
                    session.client(), rejected.reason());
            long delay = rejected.delay().toNanos();
            if (delay > 0) {
                ctx.executor().schedule(() -> rejectLogin(ctx, rejected, login), delay, TimeUnit.NANOSECONDS);
            } else {
                rejectLogin(ctx, rejected, login);
            }
        } else if (outcome instanceof AuthOutcome.Unavailable unavailable) {
            LOG.warn("{} login unavailable for user={} client={}: {}", protocol.id(), SessionRecord.sanitize(session.user()),
                    session.client(), unavailable.reason());
            finishFailedLogin(ctx, SessionRecord.Outcome.UNAVAILABLE, temporaryFailureReply(ctx.alloc(), login));
        }
    }

    private void rejectLogin(ChannelHandlerContext ctx, AuthOutcome.Rejected rejected, P login) {
        if (!rejected.closeAfterReply() || !ctx.channel().isActive()) {
            finishFailedLogin(ctx, SessionRecord.Outcome.AUTH_FAILED, rejectedReply(ctx, rejected, login));
            return;
        }
        loginPending = false;
        session.outcome(SessionRecord.Outcome.AUTH_FAILED);
        closeWith(ctx, rejectedReply(ctx, rejected, login)); // nginx: an auth_http error without Auth-Wait ends the session
    }

    private ByteBuf rejectedReply(ChannelHandlerContext ctx, AuthOutcome.Rejected rejected, P login) {
        return rejected.clientMessage() == null ? authFailedReply(ctx.alloc(), login)
                : authFailedReply(ctx.alloc(), login, rejected.clientMessage());
    }

    private void connectBackend(ChannelHandlerContext ctx, AuthOutcome.Accepted accepted, P login) {
        Channel client = ctx.channel();
        Promise<BackendLoginResult> result = ctx.executor().newPromise();
        Future<Channel> connected = proxy.connector().connect(client, accepted.route(),
                host -> backendHandshake(accepted, login, result));
        connected.addListener(f -> {
            if (f.isSuccess()) {
                backend = connected.getNow();
            } else if (!result.isDone()) {
                result.tryFailure(f.cause());
            }
        });
        result.addListener(f -> onBackendResult(ctx, result, login));
    }

    private void onBackendResult(ChannelHandlerContext ctx, Promise<BackendLoginResult> result, P login) {
        Channel b = backend;
        if (!result.isSuccess()) {
            backend = null;
            if (b != null) {
                b.close();
            }
            if (ctx.channel().isActive()) {
                Throwable cause = result.cause();
                LOG.warn("{} backend login for user={} failed: {}", protocol.id(), SessionRecord.sanitize(session.user()),
                        cause == null ? "?" : cause.getMessage() == null ? cause.toString() : cause.getMessage());
                finishFailedLogin(ctx, SessionRecord.Outcome.UNAVAILABLE, temporaryFailureReply(ctx.alloc(), login));
            }
            return;
        }
        BackendLoginResult r = result.getNow();
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            r.toClient().release();
            if (b != null) {
                b.close();
            }
            return;
        }
        if (r instanceof BackendLoginResult.Refused refused) {
            backend = null;
            if (b != null) {
                b.close();
            }
            LOG.warn("{} backend {} refused user={} whom the account store accepted: {}", protocol.id(),
                    session.backend(), SessionRecord.sanitize(session.user()), refused.backendLine());
            finishFailedLogin(ctx, SessionRecord.Outcome.BACKEND_REJECTED, refused.toClient());
            return;
        }
        loginPending = false;
        ByteBuf pipelined = decoder.takeLeftover();
        Relay.splice(ctx.channel(), b, r.toClient(), pipelined, proxy.settings().idleTimeout());
    }

    private void finishFailedLogin(ChannelHandlerContext ctx, SessionRecord.Outcome outcome, ByteBuf reply) {
        loginPending = false;
        if (!ctx.channel().isActive()) {
            reply.release();
            return;
        }
        session.outcome(outcome);
        if (commandError(ctx, reply)) {
            decoder.resume();
        }
    }
}
