package io.mailproxy.proxy;

import io.mailproxy.auth.HostAndPort;
import io.mailproxy.auth.Protocol;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record per client connection: filled in as the session goes, written as exactly one log
 * line (logger {@code mailproxy.session}) when the client channel closes. Touched only on the
 * client channel's event loop. Never holds a password.
 */
public final class SessionRecord {

    private static final Logger SESSION_LOG = LoggerFactory.getLogger("mailproxy.session");

    /** How a session ended (or, while it runs, how far it got). */
    public enum Outcome {
        /** Connected, never logged in, client went away. */
        CLIENT_CLOSED("client-closed"),
        /** Client logged out before logging in. */
        LOGOUT("logout"),
        AUTH_FAILED("auth-failed"),
        UNAVAILABLE("unavailable"),
        BACKEND_REJECTED("backend-rejected"),
        LOGIN_TIMEOUT("login-timeout"),
        LINE_TOO_LONG("line-too-long"),
        TOO_MANY_ERRORS("too-many-errors"),
        /** Refused at a connection limit, before the greeting. */
        TOO_MANY_CONNECTIONS("too-many-connections"),
        /** A PROXY-protocol listener closed a connection that did not come from a trusted network. */
        PROXY_UNTRUSTED("proxy-untrusted"),
        /** A PROXY-protocol listener got no valid header in time. */
        PROXY_INVALID("proxy-invalid"),
        /** Logged in, relayed, then closed by either side. */
        RELAYED("relayed"),
        IDLE_TIMEOUT("idle-timeout"),
        SHUTDOWN("shutdown"),
        /** The TLS handshake failed or timed out (implicit TLS or after STARTTLS/STLS). */
        TLS_FAILED("tls-failed"),
        ERROR("error");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Protocol protocol;
    private SocketAddress client;
    private boolean clientFromProxyHeader;
    private final String id = newId();
    private final long startNanos = System.nanoTime();
    private String user;
    private HostAndPort backend;
    private long bytesFromClient;
    private long bytesToClient;
    private Outcome outcome = Outcome.CLIENT_CLOSED;
    private boolean finished;
    private String tlsProtocol;
    private String tlsCipher;

    public SessionRecord(Protocol protocol, SocketAddress client) {
        this.protocol = protocol;
        this.client = client;
    }

    public Protocol protocol() {
        return protocol;
    }

    public SocketAddress client() {
        return client;
    }

    /**
     * Replaces the client address with a PROXY-protocol header's source, once, before the greeting
     * (so that limits, auth, throttling and the log all see the real client).
     */
    public void proxiedClient(InetSocketAddress source) {
        if (clientFromProxyHeader) {
            throw new IllegalStateException("the client address was already set from a PROXY header");
        }
        clientFromProxyHeader = true;
        this.client = source;
    }

    /** A short random id for this session (also sent to backends as x-session-id, SESSION=). */
    public String id() {
        return id;
    }

    private static String newId() {
        byte[] b = new byte[9];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The client's IP address and port, or null when the channel has no IP address. */
    public InetSocketAddress clientInet() {
        return client instanceof InetSocketAddress inet ? inet : null;
    }

    public String user() {
        return user;
    }

    public void user(String user) {
        this.user = user;
    }

    public HostAndPort backend() {
        return backend;
    }

    public void backend(HostAndPort backend) {
        this.backend = backend;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Records how the session ended; the first final word wins once relaying ended. */
    public void outcome(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The client connection is on TLS: negotiated protocol version and cipher suite (for the log line). */
    public void tls(String protocol, String cipher) {
        this.tlsProtocol = protocol;
        this.tlsCipher = cipher;
    }

    /** {@code TLSv1.3}, ...; null while the client is not on TLS. */
    public String tlsProtocol() {
        return tlsProtocol;
    }

    public String tlsCipher() {
        return tlsCipher;
    }

    public void addBytesFromClient(long n) {
        bytesFromClient += n;
    }

    public void addBytesToClient(long n) {
        bytesToClient += n;
    }

    public long bytesFromClient() {
        return bytesFromClient;
    }

    public long bytesToClient() {
        return bytesToClient;
    }

    /** Writes the one end-of-session line; further calls do nothing. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (SESSION_LOG.isInfoEnabled()) {
            SESSION_LOG.info(logLine());
        }
    }

    /**
     * {@code session protocol=imap user=alice client=1.2.3.4:5678 backend=10.0.0.1:143 in=12 out=3456 duration_ms=789 outcome=relayed session=3kq0Vb7xT2nM},
     * with {@code tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256} after the client when it is on TLS.
     */
    public String logLine() {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        return "session protocol=" + protocol.id()
                + " user=" + (user == null ? "-" : sanitize(user))
                + " client=" + formatClient()
                + (tlsProtocol == null ? "" : " tls=" + tlsProtocol + " cipher=" + tlsCipher)
                + " backend=" + (backend == null ? "-" : backend)
                + " in=" + bytesFromClient
                + " out=" + bytesToClient
                + " duration_ms=" + millis
                + " outcome=" + outcome.id()
                + " session=" + id;
    }

    private String formatClient() {
        InetSocketAddress inet = clientInet();
        if (inet == null) {
            return String.valueOf(client);
        }
        String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + inet.getPort() : host + ":" + inet.getPort();
    }

    /**
     * Makes client-supplied text safe for a one-line log: control bytes, spaces, quotes and
     * backslashes escaped, length capped, so a user name cannot forge log lines or fields.
     */
    public static String sanitize(String text) {
        int max = Math.min(text.length(), 256);
        StringBuilder sb = new StringBuilder(max + 8);
        for (int i = 0; i < max; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '"' || c == '\\' || c == '=') {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }
}
