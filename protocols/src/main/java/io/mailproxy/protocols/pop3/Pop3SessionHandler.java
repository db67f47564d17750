package io.mailproxy.protocols.pop3;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Protocol;
import io.mailproxy.protocols.pop3.Pop3Config.Mechanism;
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
import java.nio.charset.StandardCharsets;

/**
 * The POP3 login phase (RFC 1939, 2449 CAPA, 5034 SASL), answered by the proxy itself: CAPA, USER,
 * PASS, AUTH (PLAIN, LOGIN), NOOP, QUIT. Anything else, and any malformed line, is answered
 * {@code -ERR} and counted towards max-errors; an invalid command also forgets a pending USER
 * (as nginx does). A SASL exchange cancelled with {@code *} is answered {@code -ERR} (RFC 5034)
 * and counted too, so a client cannot loop AUTH/{@code *} without limit.
 *
 * <p>TLS: STLS is offered in CAPA and answered (only before USER) as the listener's TLS mode says;
 * where TLS is required first, CAPA hides USER and SASL and USER, PASS and AUTH get
 * {@code -ERR [AUTH] TLS required}. STLS on TLS already is an error.
 *
 * <p>Credentials holding CR, LF or NUL (possible through base64) never reach the authenticator
 * nor the backend: they get {@code -ERR [AUTH] Authentication failed.} at once, counted.
 */
public final class Pop3SessionHandler extends FrontendSessionHandler<Void> {

    static final String OK = "+OK";
    static final String GREETING = "+OK POP3 ready";
    static final String AUTH_FAILED = "-ERR [AUTH] Authentication failed.";
    static final String TEMPORARY_FAILURE = "-ERR [SYS/TEMP] Temporary failure, try again later.";
    static final String LINE_TOO_LONG = "-ERR line too long";
    static final String TOO_MANY_CONNECTIONS = "-ERR [SYS/TEMP] too many connections";
    static final String SHUTTING_DOWN = "-ERR [SYS/TEMP] Server shutting down.";
    static final String UNKNOWN_COMMAND = "-ERR unknown command";
    static final String INVALID_STATE = "-ERR command not valid in this state";
    static final String SYNTAX_ERROR = "-ERR syntax error";
    static final String UNSUPPORTED_MECHANISM = "-ERR unsupported authentication mechanism";
    static final String SASL_CANCELLED = "-ERR authentication cancelled";
    static final String SASL_INVALID = "-ERR invalid SASL response";
    static final String TLS_REQUIRED = "-ERR [AUTH] TLS required";
    static final String STLS_OK = "+OK Begin TLS negotiation";
    static final String STLS_ACTIVE = "-ERR command not permitted when TLS active";

    /** The configured multi-line replies, rendered once per protocol instance. */
    static final class Replies {
        final byte[] capa;
        /** CAPA where STLS is offered. */
        final byte[] capaStls;
        /** CAPA where TLS is required before login: STLS, no USER, no SASL. */
        final byte[] capaTlsRequired;
        final byte[] authList;
        final Pop3Config config;

        Replies(Pop3Config config) {
            this.config = config;
            this.capa = multiLine("+OK Capability list follows", config.capaLines());
            this.capaStls = multiLine("+OK Capability list follows", config.capaLines(true, false));
            this.capaTlsRequired = multiLine("+OK Capability list follows", config.capaLines(true, true));
            this.authList = multiLine("+OK methods supported:",
                    config.mechanisms().stream().map(Mechanism::name).toList());
        }

        private static byte[] multiLine(String first, Iterable<String> lines) {
            StringBuilder sb = new StringBuilder(first).append("\r\n");
            for (String l : lines) {
                sb.append(l).append("\r\n");
            }
            return sb.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Replies replies;
    private Pop3State state = Pop3State.AUTHORIZATION;
    /** From USER, or the first step of SASL LOGIN; cleared when used or forgotten. */
    private String user;

    public Pop3SessionHandler(ProxyContext proxy, Pop3Config config) {
        this(proxy, config, new Replies(config));
    }

    Pop3SessionHandler(ProxyContext proxy, Pop3Config config, Replies replies) {
        super(proxy, Protocol.POP3);
        if (replies.config != config) {
            throw new IllegalArgumentException("replies rendered for another config");
        }
        this.replies = replies;
    }

    /** The current state (for tests and diagnostics). */
    public Pop3State state() {
        return state;
    }

    // ---- replies the core asks for ---------------------------------------------------------------

    @Override
    protected ByteBuf greeting(ByteBufAllocator alloc) {
        return line(alloc, GREETING);
    }

    @Override
    protected ByteBuf lineTooLongReply(ByteBufAllocator alloc) {
        return line(alloc, LINE_TOO_LONG);
    }

    @Override
    protected ByteBuf tooManyErrorsReply(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    protected ByteBuf authFailedReply(ByteBufAllocator alloc, Void login) {
        return line(alloc, AUTH_FAILED);
    }

    @Override
    protected ByteBuf authFailedReply(ByteBufAllocator alloc, Void login, String text) {
        return utf8Line(alloc, "-ERR " + text);
    }

    @Override
    protected ByteBuf temporaryFailureReply(ByteBufAllocator alloc, Void login) {
        return line(alloc, TEMPORARY_FAILURE);
    }

    @Override
    protected ByteBuf internalErrorReply(ByteBufAllocator alloc) {
        return line(alloc, TEMPORARY_FAILURE);
    }

    @Override
    protected ChannelHandler backendHandshake(AuthOutcome.Accepted accepted, Void login,
                                              Promise<BackendLoginResult> result) {
        String xclient = proxy.forwardClientAddress()
                ? Pop3BackendLogin.xclientCommand(ClientEndpoints.of(clientChannel())) : null;
        return new Pop3BackendLogin(result, proxy.settings().backendLoginTimeout(),
                accepted.backendUser(), accepted.backendPassword(), xclient,
                proxy.backendTls().mode() == BackendTls.Mode.STARTTLS ? proxy.backendTls() : null);
    }

    // ---- commands --------------------------------------------------------------------------------

    @Override
    protected void onCommand(ChannelHandlerContext ctx, Object command) {
        Pop3Request request = (Pop3Request) command;
        if (state == Pop3State.AUTHENTICATING) {
            // Decoding is paused while a login is pending: a line arriving now means that login
            // failed (its reply is out) and decoding resumed.
            state = Pop3State.AUTHORIZATION;
        }
        if (state.expectsSaslResponse()) {
            onSaslResponse(ctx, request);
            return;
        }
        if (request.problem() != null) {
            error(ctx, request.problem().reply());
            return;
        }
        Pop3Command c = request.command();
        if (c == null) {
            error(ctx, UNKNOWN_COMMAND);
            return;
        }
        if (!c.isValidIn(state)) {
            error(ctx, INVALID_STATE);
            return;
        }
        switch (c) {
            case CAPA -> {
                if (noArgument(ctx, request)) {
                    byte[] capa = tlsRequiredForLogin() ? replies.capaTlsRequired
                            : startTlsAvailable() ? replies.capaStls : replies.capa;
                    ctx.writeAndFlush(ctx.alloc().buffer(capa.length).writeBytes(capa));
                }
            }
            case STLS -> stls(ctx, request);
            case USER, PASS, AUTH -> {
                if (tlsRequiredForLogin()) {
                    error(ctx, TLS_REQUIRED);
                } else {
                    credentials(ctx, c, request);
                }
            }
            case NOOP -> {
                if (noArgument(ctx, request)) {
                    reply(ctx, OK);
                }
            }
            case QUIT -> {
                if (noArgument(ctx, request)) {
                    logout(ctx, line(ctx.alloc(), OK));
                }
            }
            default -> error(ctx, INVALID_STATE);
        }
    }

    /** STLS (RFC 2595): only before USER; the pending state is forgotten, the handshake follows the OK. */
    private void stls(ChannelHandlerContext ctx, Pop3Request request) {
        if (!noArgument(ctx, request)) {
            return;
        }
        if (startTlsAvailable()) {
            state = Pop3State.AUTHORIZATION;
            user = null;
            startTls(ctx, line(ctx.alloc(), STLS_OK));
        } else if (isSecure()) {
            error(ctx, STLS_ACTIVE);
        } else {
            error(ctx, INVALID_STATE);
        }
    }

    private void credentials(ChannelHandlerContext ctx, Pop3Command c, Pop3Request request) {
        switch (c) {
            case USER -> {
                if (request.argument() == null) {
                    error(ctx, SYNTAX_ERROR);
                } else {
                    user = request.argument();
                    state = Pop3State.AWAIT_PASS;
                    reply(ctx, OK);
                }
            }
            case PASS -> {
                if (request.argument() == null) {
                    error(ctx, SYNTAX_ERROR);
                } else {
                    startLogin(ctx, user, request.argument(), "USER");
                }
            }
            case AUTH -> auth(ctx, request);
            default -> throw new IllegalStateException(c.name());
        }
    }

    private void auth(ChannelHandlerContext ctx, Pop3Request request) {
        String[] args = request.arguments();
        if (args.length == 0) {
            ctx.writeAndFlush(ctx.alloc().buffer(replies.authList.length).writeBytes(replies.authList));
            return;
        }
        if (args.length > 2) {
            error(ctx, SYNTAX_ERROR);
            return;
        }
        Mechanism mechanism = Mechanism.lookup(args[0]);
        if (mechanism == null || !replies.config.mechanisms().contains(mechanism)) {
            error(ctx, UNSUPPORTED_MECHANISM);
            return;
        }
        String initialResponse = args.length == 2 ? args[1] : null;
        try {
            switch (mechanism) {
                case PLAIN -> {
                    if (initialResponse == null) {
                        state = Pop3State.SASL_PLAIN;
                        reply(ctx, "+ ");
                    } else {
                        plain(ctx, initialResponse);
                    }
                }
                case LOGIN -> {
                    if (initialResponse == null) {
                        state = Pop3State.SASL_LOGIN_USER;
                        reply(ctx, "+ " + Sasl.LOGIN_USER_PROMPT);
                    } else {
                        loginUser(ctx, initialResponse);
                    }
                }
                default -> throw new IllegalStateException(mechanism.name());
            }
        } catch (Sasl.SaslException e) {
            error(ctx, SASL_INVALID);
        }
    }

    private void onSaslResponse(ChannelHandlerContext ctx, Pop3Request request) {
        Pop3State step = state;
        state = Pop3State.AUTHORIZATION;
        if (request.problem() != null) {
            error(ctx, request.problem().reply());
            return;
        }
        String response = request.line();
        if (response.equals(Sasl.CANCEL)) {
            error(ctx, SASL_CANCELLED);
            return;
        }
        try {
            switch (step) {
                case SASL_PLAIN -> plain(ctx, response);
                case SASL_LOGIN_USER -> loginUser(ctx, response);
                case SASL_LOGIN_PASS -> startLogin(ctx, user, Sasl.decodeLoginResponse(response), "LOGIN");
                default -> throw new IllegalStateException(step.name());
            }
        } catch (Sasl.SaslException e) {
            error(ctx, SASL_INVALID);
        }
    }

    private void plain(ChannelHandlerContext ctx, String base64) throws Sasl.SaslException {
        SaslCredentials credentials = Sasl.decodePlain(base64);
        if (!credentials.authzid().isEmpty() && !credentials.authzid().equals(credentials.user())) {
            // Logging in as someone else (proxy authorization) is not supported.
            rejectCredentials(ctx);
            return;
        }
        startLogin(ctx, credentials.user(), credentials.password(), "PLAIN");
    }

    private void loginUser(ChannelHandlerContext ctx, String base64) throws Sasl.SaslException {
        user = Sasl.decodeLoginResponse(base64);
        state = Pop3State.SASL_LOGIN_PASS;
        reply(ctx, "+ " + Sasl.LOGIN_PASSWORD_PROMPT);
    }

    private void startLogin(ChannelHandlerContext ctx, String loginUser, String password, String mechanism) {
        user = null;
        if (loginUser == null || loginUser.isEmpty() || !isSafe(loginUser) || !isSafe(password)) {
            rejectCredentials(ctx);
            return;
        }
        state = Pop3State.AUTHENTICATING;
        login(ctx, loginUser, password, mechanism, null);
    }

    /** Credentials refused without asking the authenticator (unsafe bytes, foreign authzid). */
    private void rejectCredentials(ChannelHandlerContext ctx) {
        state = Pop3State.AUTHORIZATION;
        user = null;
        session().outcome(SessionRecord.Outcome.AUTH_FAILED);
        commandError(ctx, line(ctx.alloc(), AUTH_FAILED));
    }

    private boolean noArgument(ChannelHandlerContext ctx, Pop3Request request) {
        if (request.argument() != null) {
            error(ctx, SYNTAX_ERROR);
            return false;
        }
        return true;
    }

    /** An invalid command: {@code -ERR}, counted; a pending USER is forgotten. */
    private void error(ChannelHandlerContext ctx, String reply) {
        state = Pop3State.AUTHORIZATION;
        user = null;
        commandError(ctx, line(ctx.alloc(), reply));
    }

    private static void reply(ChannelHandlerContext ctx, String text) {
        ctx.writeAndFlush(line(ctx.alloc(), text));
    }

    static ByteBuf line(ByteBufAllocator alloc, String text) {
        ByteBuf buf = alloc.buffer(text.length() + 2);
        buf.writeCharSequence(text, StandardCharsets.US_ASCII);
        return buf.writeByte('\r').writeByte('\n');
    }

    static ByteBuf utf8Line(ByteBufAllocator alloc, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(bytes.length + 2).writeBytes(bytes).writeByte('\r').writeByte('\n');
    }

    /** Whether {@code s} can go into a protocol line: no CR, LF or NUL. */
    static boolean isSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }
}
