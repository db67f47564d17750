package io.mailproxy.protocols.imap;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Protocol;
import io.mailproxy.protocols.sasl.Sasl;
import io.mailproxy.protocols.sasl.SaslCredentials;
import io.mailproxy.proxy.BackendLoginResult;
import io.mailproxy.proxy.ClientEndpoints;
import io.mailproxy.proxy.FrontendSessionHandler;
import io.mailproxy.proxy.ProxyContext;
import io.mailproxy.proxy.SessionRecord;
import io.mailproxy.proxy.tls.BackendTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;

/**
 * The IMAP session before login (RFC 3501/9051, nginx mail where it is right): answers
 * CAPABILITY, NOOP, LOGOUT and ID itself, captures credentials from LOGIN or AUTHENTICATE
 * PLAIN/LOGIN (RFC 4959 initial response or {@code +} continuations) and hands them to the core's
 * login flow, which logs in to the backend with the client's own tag ({@code P}).
 *
 * <p>TLS: STARTTLS is offered (and answered) as the listener's TLS mode says; where TLS is required
 * first, LOGINDISABLED is announced, no {@code AUTH=}, and LOGIN/AUTHENTICATE in cleartext get
 * {@code NO [PRIVACYREQUIRED]}. After the handshake the full capability list applies. STARTTLS on
 * TLS already, or where it is not offered, is {@code BAD}.
 *
 * <p>Which commands are valid in which {@link ImapState} is declared by {@link ImapCommandType}
 * and checked by the decoder; this handler only sees commands valid in its state.
 */
public final class ImapSessionHandler extends FrontendSessionHandler<String> {
    private static final String MECH_PLAIN = "PLAIN";
    private static final String MECH_LOGIN = "LOGIN";

    private final ImapConfig config;
    private ImapState state = ImapState.NOT_AUTHENTICATED;
    private SaslExchange sasl;

    public ImapSessionHandler(ProxyContext proxy, ImapConfig config) {
        super(proxy, Protocol.IMAP);
        this.config = config;
    }

    /** The connection state (the decoder checks commands against it). */
    public ImapState state() {
        return state;
    }

    private ImapCommandDecoder imapDecoder() {
        return (ImapCommandDecoder) decoder();
    }

    @Override
    protected ByteBuf greeting(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.greeting(capabilities()));
    }

    /** The capabilities for this connection now: STARTTLS and LOGINDISABLED follow the listener's TLS mode. */
    private String capabilities() {
        return config.capabilityLine(startTlsAvailable(), tlsRequiredForLogin());
    }

    @Override
    protected void onCommand(ChannelHandlerContext ctx, Object msg) {
        if (sasl != null) {
            onSaslResponse(ctx, msg);
        } else if (msg instanceof ImapCommand command) {
            onImapCommand(ctx, command);
        } else if (msg instanceof ImapDecodeError error) {
            commandError(ctx, ImapReplies.bad(ctx.alloc(), error.tag(), error.message()));
        } else {
            throw new IllegalStateException("unexpected message " + msg);
        }
    }

    private void onImapCommand(ChannelHandlerContext ctx, ImapCommand c) {
        String tag = c.tag();
        switch (c.type()) {
            case CAPABILITY -> ctx.writeAndFlush(ImapReplies.lines(ctx.alloc(),
                    "* CAPABILITY " + capabilities(), tag + " OK CAPABILITY completed"));
            case NOOP -> ctx.writeAndFlush(ImapReplies.line(ctx.alloc(), tag + " OK NOOP completed"));
            case LOGOUT -> {
                state = ImapState.LOGOUT;
                logout(ctx, ImapReplies.lines(ctx.alloc(), "* BYE Logging out", tag + " OK LOGOUT completed"));
            }
            case ID -> {
                ctx.channel().attr(ImapAttributes.CLIENT_ID).set(((ImapArguments.Id) c.args()).clientId());
                ctx.writeAndFlush(ImapReplies.lines(ctx.alloc(), "* ID NIL", tag + " OK ID completed"));
            }
            case LOGIN -> {
                if (tlsRequiredForLogin()) {
                    privacyRequired(ctx, tag);
                    return;
                }
                ImapArguments.Login login = (ImapArguments.Login) c.args();
                startLogin(ctx, tag, login.user(), login.password(), MECH_LOGIN);
            }
            case AUTHENTICATE -> {
                if (tlsRequiredForLogin()) {
                    privacyRequired(ctx, tag);
                    return;
                }
                authenticate(ctx, tag, (ImapArguments.Authenticate) c.args());
            }
            case STARTTLS -> {
                if (startTlsAvailable()) {
                    startTls(ctx, ImapReplies.tagged(ctx.alloc(), tag, ImapReplies.STARTTLS_OK));
                } else {
                    // Already on TLS, or not offered on this listener.
                    commandError(ctx, ImapReplies.bad(ctx.alloc(), tag, ImapReplies.STARTTLS_UNAVAILABLE));
                }
            }
            default -> commandError(ctx, ImapReplies.bad(ctx.alloc(), tag, c.type().name() + " not allowed now"));
        }
    }

    /** LOGIN/AUTHENTICATE in cleartext where TLS is required first: refused (RFC 3501 LOGINDISABLED), counted. */
    private void privacyRequired(ChannelHandlerContext ctx, String tag) {
        commandError(ctx, ImapReplies.tagged(ctx.alloc(), tag, ImapReplies.PRIVACY_REQUIRED));
    }

    // ---- SASL ------------------------------------------------------------------------------------

    private void authenticate(ChannelHandlerContext ctx, String tag, ImapArguments.Authenticate a) {
        String mechanism = a.mechanism();
        boolean supported = (mechanism.equals(MECH_PLAIN) || mechanism.equals(MECH_LOGIN))
                && config.announces("AUTH=" + mechanism);
        if (!supported) {
            commandError(ctx, ImapReplies.tagged(ctx.alloc(), tag, "NO Unsupported authentication mechanism"));
            return;
        }
        sasl = new SaslExchange(tag, mechanism);
        if (a.initialResponse() != null) {
            onSaslResponse(ctx, new ImapContinuationLine(a.initialResponse()));
        } else {
            askFor(ctx, mechanism.equals(MECH_PLAIN) ? "" : Sasl.LOGIN_USER_PROMPT);
        }
    }

    private void askFor(ChannelHandlerContext ctx, String challenge) {
        ctx.writeAndFlush(ImapReplies.line(ctx.alloc(), "+ " + challenge));
        imapDecoder().expectContinuationLine();
    }

    private void onSaslResponse(ChannelHandlerContext ctx, Object msg) {
        SaslExchange exchange = sasl;
        String tag = exchange.tag;
        if (msg instanceof ImapDecodeError error) {
            sasl = null;
            commandError(ctx, ImapReplies.bad(ctx.alloc(), tag, error.message()));
            return;
        }
        String response = ((ImapContinuationLine) msg).text();
        if (response.equals(Sasl.CANCEL)) {
            sasl = null;
            ctx.writeAndFlush(ImapReplies.bad(ctx.alloc(), tag, "AUTHENTICATE cancelled"));
            return;
        }
        try {
            if (exchange.mechanism.equals(MECH_PLAIN)) {
                SaslCredentials credentials = Sasl.decodePlain(response);
                sasl = null;
                if (!credentials.authzid().isEmpty() && !credentials.authzid().equals(credentials.user())) {
                    // Acting as someone else is not something a proxy can grant.
                    authFailedNow(ctx, tag);
                    return;
                }
                startLogin(ctx, tag, credentials.user(), credentials.password(), MECH_PLAIN);
            } else if (exchange.user == null) {
                exchange.user = loginResponse(response);
                askFor(ctx, Sasl.LOGIN_PASSWORD_PROMPT);
            } else {
                String password = loginResponse(response);
                sasl = null;
                startLogin(ctx, tag, exchange.user, password, MECH_LOGIN);
            }
        } catch (Sasl.SaslException e) {
            sasl = null;
            commandError(ctx, ImapReplies.bad(ctx.alloc(), tag, "Invalid SASL response"));
        }
    }

    /** A SASL LOGIN response; NUL (which cannot reach a backend) is kept so it fails as a login. */
    private static String loginResponse(String base64) throws Sasl.SaslException {
        byte[] raw = Sasl.decodeBase64(base64);
        for (byte b : raw) {
            if (b == 0) {
                return "\0";
            }
        }
        return Sasl.decodeLoginResponse(base64);
    }

    // ---- login -----------------------------------------------------------------------------------

    private void startLogin(ChannelHandlerContext ctx, String tag, String user, String password, String mechanism) {
        if (user.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
            // No backend could be sent this; no account has it.
            authFailedNow(ctx, tag);
            return;
        }
        login(ctx, user, password, mechanism, tag);
    }

    private void authFailedNow(ChannelHandlerContext ctx, String tag) {
        session().outcome(SessionRecord.Outcome.AUTH_FAILED);
        commandError(ctx, authFailedReply(ctx.alloc(), tag));
    }

    @Override
    protected ByteBuf lineTooLongReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.LINE_TOO_LONG);
    }

    @Override
    protected ByteBuf tooManyErrorsReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.TOO_MANY_ERRORS);
    }

    @Override
    protected ByteBuf authFailedReply(ByteBufAllocator alloc, String tag) {
        return ImapReplies.tagged(alloc, tag, ImapReplies.AUTH_FAILED);
    }

    @Override
    protected ByteBuf authFailedReply(ByteBufAllocator alloc, String tag, String text) {
        return ImapReplies.utf8Line(alloc, tag + " NO " + text);
    }

    @Override
    protected ByteBuf temporaryFailureReply(ByteBufAllocator alloc, String tag) {
        return ImapReplies.tagged(alloc, tag, ImapReplies.TEMPORARY_FAILURE);
    }

    @Override
    protected ByteBuf internalErrorReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.INTERNAL_ERROR);
    }

    @Override
    protected ChannelHandler backendHandshake(AuthOutcome.Accepted accepted, String tag,
                                              Promise<BackendLoginResult> result) {
        String forwardedId = proxy.forwardClientAddress()
                ? ImapForwardedId.parameters(ClientEndpoints.of(clientChannel()), ImapAttributes.clientId(clientChannel()))
                : null;
        return new ImapBackendLogin(result, proxy.settings().backendLoginTimeout(), tag,
                accepted.backendUser(), accepted.backendPassword(), forwardedId, backendStartTls());
    }

    private BackendTls backendStartTls() {
        return proxy.backendTls().mode() == BackendTls.Mode.STARTTLS ? proxy.backendTls() : null;
    }

    /** An AUTHENTICATE exchange waiting for the client's next response. */
    private static final class SaslExchange {
        final String tag;
        final String mechanism;
        String user;

        SaslExchange(String tag, String mechanism) {
            this.tag = tag;
            this.mechanism = mechanism;
        }
    }
}
