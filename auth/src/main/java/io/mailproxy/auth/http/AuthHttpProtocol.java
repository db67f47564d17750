package io.mailproxy.auth.http;

import io.mailproxy.auth.AddressText;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.BackendRoute;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nginx's auth_http protocol (ngx_mail_auth_http_module), as pure functions: the request headers
 * for an {@link AuthRequest}, and the {@link Answer} a response's headers give.
 *
 * <p>Request, in nginx's order: {@code Auth-Method} ({@code plain} for USER/PASS, IMAP LOGIN, SASL
 * PLAIN and LOGIN, as nginx), {@code Auth-User}, {@code Auth-Pass} (both escaped, see
 * {@link #escape}), {@code Auth-Protocol} ({@code pop3}, {@code imap}), {@code Auth-Login-Attempt},
 * {@code Client-IP}, the four {@code Proxy-Protocol-*} headers when the client came with a PROXY
 * header, {@code Auth-SSL: on} and the {@code Auth-SSL-*} details when the client is on TLS, then the
 * configured extra headers. ({@code Client-Host} is not sent: nginx fills it only for SMTP with a
 * resolver.)
 *
 * <p>Response: {@code Auth-Status: OK} with {@code Auth-Server} (an IP address or, beyond nginx, a
 * host name) and {@code Auth-Port} accepts, optionally with {@code Auth-User} / {@code Auth-Pass}
 * for the backend login (taken as sent, not unescaped, as nginx does); {@code Auth-Status: WAIT}
 * asks again after {@code Auth-Wait} seconds; any other {@code Auth-Status} is the error text the
 * client is shown, after {@code Auth-Wait} seconds with a retry allowed, or at once followed by a
 * close when there is no {@code Auth-Wait} (nginx). {@code Auth-Error-Code} is kept (SMTP). The
 * HTTP status code is ignored, as nginx ignores it. A response with no {@code Auth-Status}, or OK
 * without a usable server and port, is a misbehaving server: temporary failure.
 */
public final class AuthHttpProtocol {
    private AuthHttpProtocol() {
    }

    /** Longest auth server text shown to a client. */
    static final int MAX_CLIENT_MESSAGE = 512;
    /** Longest Auth-Wait honoured, in seconds. */
    static final long MAX_WAIT_SECONDS = 600;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The request headers after {@code Host} for {@code request}, in order; values hold bytes (one per char). */
    public static List<AuthHttpConfig.Header> requestHeaders(AuthRequest request, List<AuthHttpConfig.Header> extra) {
        List<AuthHttpConfig.Header> h = new ArrayList<>(16 + extra.size());
        h.add(header("Auth-Method", method(request.mechanism())));
        h.add(header("Auth-User", escape(request.user())));
        h.add(header("Auth-Pass", escape(request.password())));
        h.add(header("Auth-Protocol", request.protocol().id()));
        h.add(header("Auth-Login-Attempt", Integer.toString(request.attempt())));
        String client = AddressText.ip(request.clientAddress());
        h.add(header("Client-IP", client == null ? "" : client));
        AuthRequest.ProxiedAddresses proxied = request.proxied();
        if (proxied != null) {
            h.add(header("Proxy-Protocol-Addr", AddressText.ip(proxied.source())));
            h.add(header("Proxy-Protocol-Port", Integer.toString(proxied.source().getPort())));
            h.add(header("Proxy-Protocol-Server-Addr", AddressText.ip(proxied.destination())));
            h.add(header("Proxy-Protocol-Server-Port", Integer.toString(proxied.destination().getPort())));
        }
        if (request.secure()) {
            h.add(header("Auth-SSL", "on"));
            AuthRequest.TlsDetails tls = request.tls();
            if (tls != null) {
                addIfSet(h, "Auth-SSL-Protocol", tls.protocol());
                addIfSet(h, "Auth-SSL-Cipher", tls.cipher());
                addIfSet(h, "Auth-SSL-Verify", tls.verify());
                addIfSet(h, "Auth-SSL-Subject", tls.subject());
                addIfSet(h, "Auth-SSL-Issuer", tls.issuer());
                addIfSet(h, "Auth-SSL-Serial", tls.serial());
                addIfSet(h, "Auth-SSL-Fingerprint", tls.fingerprint());
            }
        }
        h.addAll(extra);
        return h;
    }

    private static void addIfSet(List<AuthHttpConfig.Header> h, String name, String value) {
        if (value != null && !value.isEmpty()) {
            h.add(header(name, hasControl(value) ? escape(value) : bytes(value)));
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20) {
                return true;
            }
        }
        return false;
    }

    /** The UTF-8 bytes of {@code s}, one per char. */
    private static String bytes(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Header without the name/value checks of configured headers (our own values are escaped already). */
    private static AuthHttpConfig.Header header(String name, String value) {
        return new AuthHttpConfig.Header(name, value);
    }

    /** nginx's Auth-Method for a mechanism: {@code plain} for everything sent in clear text. */
    static String method(String mechanism) {
        return switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "APOP" -> "apop";
            case "CRAM-MD5" -> "cram-md5";
            case "EXTERNAL" -> "external";
            default -> "plain";
        };
    }

    /**
     * nginx's {@code ngx_escape_uri(..., NGX_ESCAPE_MAIL_AUTH)} on the UTF-8 bytes of {@code text}:
     * space, {@code %} and the control bytes 0x00-0x1F become {@code %XX} (upper-case hex); every
     * other byte (DEL and 8-bit bytes included) is sent as it is. The result holds one byte per
     * char (it is written as ISO-8859-1).
     */
    public static String escape(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte value : bytes) {
            int b = value & 0xff;
            if (b <= 0x20 || b == '%') {
                sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
            } else {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    /** What one auth_http response says. */
    public sealed interface Answer {
        /** A final outcome. */
        record Final(AuthOutcome outcome) implements Answer {
        }

        /** {@code Auth-Status: WAIT}: ask again after {@code delay}. */
        record Wait(Duration delay) implements Answer {
        }
    }

    /**
     * Reads a response's headers (names case-insensitive; values one char per byte).
     */
    public static Answer answer(AuthRequest request, Map<String, List<String>> headers) {
        List<String> statuses = values(headers, "Auth-Status");
        if (statuses.isEmpty()) {
            return new Answer.Final(new AuthOutcome.Unavailable("auth_http server sent no Auth-Status"));
        }
        String error = null;
        boolean wait = false;
        for (String s : statuses) {
            if (s.equals("WAIT")) {
                wait = true;
            } else if (!s.equals("OK")) {
                error = s; // the last error wins, as in nginx
            }
        }
        long waitSeconds = waitSeconds(last(headers, "Auth-Wait"));
        if (error != null) {
            String message = clientMessage(error);
            String code = last(headers, "Auth-Error-Code");
            String reason = "auth_http: " + printable(message);
            return new Answer.Final(new AuthOutcome.Rejected(reason, Duration.ofSeconds(Math.max(0, waitSeconds)),
                    message.isEmpty() ? null : message, code == null || code.isEmpty() ? null : utf8(code),
                    waitSeconds <= 0));
        }
        if (wait) {
            return new Answer.Wait(Duration.ofSeconds(Math.max(0, waitSeconds)));
        }
        String server = last(headers, "Auth-Server");
        String port = last(headers, "Auth-Port");
        if (server == null || server.isEmpty() || port == null || port.isEmpty()) {
            return new Answer.Final(new AuthOutcome.Unavailable("auth_http server did not send server or port"));
        }
        BackendRoute route;
        try {
            route = route(server, port);
        } catch (IllegalArgumentException e) {
            return new Answer.Final(new AuthOutcome.Unavailable("auth_http server sent " + e.getMessage()));
        }
        String user = last(headers, "Auth-User");
        String pass = last(headers, "Auth-Pass");
        return new Answer.Final(new AuthOutcome.Accepted(route,
                user == null ? request.user() : utf8(user),
                pass == null ? request.password() : utf8(pass)));
    }

    private static BackendRoute route(String server, String port) {
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("invalid server port \"" + printable(port) + "\"");
        }
        BackendDirectory.HostSpec host;
        try {
            host = BackendDirectory.parseHostSpec(server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid server address \"" + printable(server) + "\"", e);
        }
        if (host.hasPort()) {
            throw new IllegalArgumentException("invalid server address \"" + printable(server)
                    + "\" (the port belongs in Auth-Port)");
        }
        return BackendRoute.of(host.host(), Integer.parseInt(port));
    }

    /** nginx's ngx_atoi: digits only, else the header is ignored (-1). */
    private static long waitSeconds(String value) {
        if (value == null || !value.matches("[0-9]{1,18}")) {
            return -1;
        }
        return Math.min(Long.parseLong(value), MAX_WAIT_SECONDS);
    }

    /** The error text for the client: bytes as UTF-8, control characters dropped, capped. */
    private static String clientMessage(String raw) {
        String text = utf8(raw);
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CLIENT_MESSAGE));
        for (int i = 0; i < text.length() && sb.length() < MAX_CLIENT_MESSAGE; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0x7f && !Character.isISOControl(c) && c != '\u2028' && c != '\u2029') {
                sb.append(c);
            }
        }
        return sb.toString().strip();
    }

    /** Header values are read one char per byte: back to bytes, then UTF-8 (invalid UTF-8 stays as it was). */
    static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
                java.nio.charset.CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
                try {
                    return d.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    return latin1;
                }
            }
        }
        return latin1;
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        List<String> out = new ArrayList<>(1);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                for (String v : e.getValue()) {
                    out.add(v.strip());
                }
            }
        }
        return out;
    }

    private static String last(Map<String, List<String>> headers, String name) {
        List<String> v = values(headers, name);
        return v.isEmpty() ? null : v.get(v.size() - 1);
    }

    /** For logs: control characters escaped, capped at 200. */
    static String printable(String text) {
        String capped = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        StringBuilder sb = new StringBuilder(capped.length());
        for (int i = 0; i < capped.length(); i++) {
            char c = capped.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
