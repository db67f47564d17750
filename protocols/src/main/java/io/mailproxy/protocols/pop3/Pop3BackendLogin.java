package io.mailproxy.protocols.pop3;

import io.mailproxy.auth.AddressText;
import io.mailproxy.proxy.BackendHandshake;
import io.mailproxy.proxy.ClientEndpoints;
import io.mailproxy.proxy.BackendLoginResult;
import io.mailproxy.proxy.tls.BackendTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Logs in to a POP3 backend with USER/PASS: waits for the {@code +OK} greeting, sends
 * {@code USER <user>}, expects {@code +OK}, sends {@code PASS <password>}, expects {@code +OK}; that
 * last line goes to the client verbatim. A {@code -ERR} to USER or PASS is a refusal (the client gets
 * that line verbatim); a {@code -ERR} greeting or any other reply fails the exchange (temporary
 * failure for the client).
 *
 * <p>User name and password come from the authenticator; one holding CR, LF or NUL would inject a
 * command, so the exchange fails before anything is sent.
 *
 * <p>With STARTTLS to the backend, {@code STLS} goes first (RFC 2595); its {@code +OK} upgrades the
 * connection (anything sent after it in cleartext is discarded) and the rest (CAPA/XCLIENT, USER,
 * PASS) follows over TLS. A refusal, or a failed handshake or certificate check, fails the login:
 * the password never goes out in cleartext.
 */
public final class Pop3BackendLogin extends BackendHandshake {

    private enum Step { GREETING, STLS_SENT, TLS_HANDSHAKE, CAPA, XCLIENT, USER_SENT, PASS_SENT }

    private final String user;
    private final String password;
    /** With --forward-client-ip: {@code XCLIENT ADDR=... PORT=... SESSION=...} to send when the backend announces XCLIENT. */
    private final String xclient;
    private Step step = Step.GREETING;
    private boolean capaOk;
    private boolean backendHasXclient;

    public Pop3BackendLogin(Promise<BackendLoginResult> result, Duration timeout, String user, String password) {
        this(result, timeout, user, password, null);
    }

    /**
     * @param xclient the XCLIENT command line (no CRLF) to send before USER when the backend's greeting
     *                or CAPA shows {@code XCLIENT}; null for none. CAPA and XCLIENT replies are not relayed.
     */
    public Pop3BackendLogin(Promise<BackendLoginResult> result, Duration timeout, String user, String password,
            String xclient) {
        this(result, timeout, user, password, xclient, null);
    }

    /** @param startTls TLS for an STLS before anything else; null for none */
    public Pop3BackendLogin(Promise<BackendLoginResult> result, Duration timeout, String user, String password,
            String xclient, BackendTls startTls) {
        super(result, timeout, startTls);
        this.user = user;
        this.password = password;
        this.xclient = xclient;
    }

    /** {@code XCLIENT ADDR=<client ip> PORT=<client port> SESSION=<id>} (Dovecot's POP3 XCLIENT). */
    static String xclientCommand(ClientEndpoints e) {
        return e == null ? null : "XCLIENT ADDR=" + AddressText.ip(e.client()) + " PORT=" + e.client().getPort()
                + " SESSION=" + e.sessionId();
    }

    @Override
    protected void onLine(ChannelHandlerContext ctx, ByteBuf line) {
        String text = text(line);
        switch (step) {
            case GREETING -> {
                if (!isOk(text)) {
                    fail("unexpected backend greeting: " + printable(text));
                } else if (!Pop3SessionHandler.isSafe(user) || !Pop3SessionHandler.isSafe(password)) {
                    fail("backend user or password holds CR, LF or NUL");
                } else if (startTlsFirst()) {
                    step = Step.STLS_SENT;
                    send(ctx, command(ctx, "STLS", ""));
                } else {
                    beforeUser(ctx, text.substring(3));
                }
            }
            case STLS_SENT -> {
                if (isOk(text)) {
                    step = Step.TLS_HANDSHAKE;
                    upgradeToTls(ctx);
                } else {
                    fail("backend refused STLS: " + printable(text));
                }
            }
            case TLS_HANDSHAKE -> fail("backend sent data during the TLS handshake");
            case CAPA -> {
                if (!capaOk) {
                    if (isOk(text)) {
                        capaOk = true;
                    } else {
                        sendUser(ctx); // no CAPA: no XCLIENT either
                    }
                } else if (text.equals(".")) {
                    if (backendHasXclient) {
                        sendXclient(ctx);
                    } else {
                        sendUser(ctx);
                    }
                } else if (text.toUpperCase(java.util.Locale.ROOT).equals("XCLIENT")
                        || text.toUpperCase(java.util.Locale.ROOT).startsWith("XCLIENT ")) {
                    backendHasXclient = true;
                }
            }
            case XCLIENT -> {
                if (isOk(text) || isErr(text)) {
                    sendUser(ctx); // refused: the login goes on without it
                } else {
                    fail("unexpected reply to XCLIENT: " + printable(text));
                }
            }
            case USER_SENT -> {
                if (isOk(text)) {
                    step = Step.PASS_SENT;
                    send(ctx, command(ctx, "PASS ", password));
                } else if (isErr(text)) {
                    refused(copy(ctx, line), "USER: " + printable(text));
                } else {
                    fail("unexpected reply to USER: " + printable(text));
                }
            }
            case PASS_SENT -> {
                if (isOk(text)) {
                    loggedIn(copy(ctx, line));
                } else if (isErr(text)) {
                    refused(copy(ctx, line), "PASS: " + printable(text));
                } else {
                    fail("unexpected reply to PASS: " + printable(text));
                }
            }
            default -> throw new IllegalStateException(step.name());
        }
    }

    @Override
    protected void onTlsEstablished(ChannelHandlerContext ctx) {
        beforeUser(ctx, null); // what the cleartext greeting said is not trusted
    }

    /** XCLIENT when wanted and announced ({@code greeting} text, or CAPA when null), then USER. */
    private void beforeUser(ChannelHandlerContext ctx, String greeting) {
        if (xclient == null) {
            sendUser(ctx);
        } else if (greeting != null && hasXclient(greeting)) {
            sendXclient(ctx);
        } else {
            step = Step.CAPA;
            send(ctx, command(ctx, "CAPA", ""));
        }
    }

    private void sendUser(ChannelHandlerContext ctx) {
        step = Step.USER_SENT;
        send(ctx, command(ctx, "USER ", user));
    }

    private void sendXclient(ChannelHandlerContext ctx) {
        step = Step.XCLIENT;
        send(ctx, command(ctx, xclient, ""));
    }

    private static boolean hasXclient(String greeting) {
        for (String word : greeting.trim().split("[ \\[\\]]+")) {
            if (word.equalsIgnoreCase("XCLIENT")) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuf command(ChannelHandlerContext ctx, String keyword, String argument) {
        byte[] arg = argument.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = ctx.alloc().buffer(keyword.length() + arg.length + 2);
        buf.writeCharSequence(keyword, StandardCharsets.US_ASCII);
        buf.writeBytes(arg);
        buf.writeByte('\r').writeByte('\n');
        return buf;
    }

    private static ByteBuf copy(ChannelHandlerContext ctx, ByteBuf line) {
        return ctx.alloc().buffer(line.readableBytes()).writeBytes(line, line.readerIndex(), line.readableBytes());
    }

    static boolean isOk(String line) {
        return line.startsWith("+OK") && (line.length() == 3 || line.charAt(3) == ' ');
    }

    static boolean isErr(String line) {
        return line.startsWith("-ERR") && (line.length() == 4 || line.charAt(4) == ' ');
    }

    /** A backend line for the log: control characters escaped, capped. */
    private static String printable(String text) {
        String capped = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        StringBuilder sb = new StringBuilder(capped.length());
        for (int i = 0; i < capped.length(); i++) {
            char c = capped.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
