package io.mailproxy.auth.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and how {@link HttpAuthenticator} asks an nginx-style auth_http server.
 *
 * @param uri            the auth_http URL ({@code http://127.0.0.1:80/auth}); see {@link #parseUrl}
 * @param headers        extra request headers, in order (nginx {@code auth_http_header})
 * @param connectTimeout TCP connect to the auth server
 * @param timeout        the whole exchange: a request not answered by then is a temporary failure
 *                       (nginx {@code auth_http_timeout})
 * @param maxInFlight    requests under way at once (one thread and at most one connection each)
 * @param queueCapacity  logins that may wait for one of those; one more is answered Unavailable at once
 * @param maxWaitRounds  how many {@code Auth-Status: WAIT} answers in a row are followed (each asks
 *                       again after {@code Auth-Wait}); one more is a temporary failure
 */
public record AuthHttpConfig(URI uri, List<Header> headers, Duration connectTimeout, Duration timeout,
        int maxInFlight, int queueCapacity, int maxWaitRounds) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    public static final int DEFAULT_MAX_WAIT_ROUNDS = 10;

    /** Headers the request framing depends on; they cannot be configured. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public AuthHttpConfig {
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(timeout, "timeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("auth_http timeouts must be positive");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("auth_http: at least one request in flight");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("auth_http: negative queue capacity");
        }
        if (maxWaitRounds < 0) {
            throw new IllegalArgumentException("auth_http: negative WAIT rounds");
        }
    }

    /** A config for {@code url} with default timeouts and limits and no extra headers. */
    public static AuthHttpConfig of(String url) {
        return new AuthHttpConfig(parseUrl(url), List.of(), DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_MAX_IN_FLIGHT,
                DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_WAIT_ROUNDS);
    }

    public AuthHttpConfig withHeaders(List<Header> h) {
        return new AuthHttpConfig(uri, h, connectTimeout, timeout, maxInFlight, queueCapacity, maxWaitRounds);
    }

    public AuthHttpConfig withTimeouts(Duration connect, Duration whole) {
        return new AuthHttpConfig(uri, headers, connect, whole, maxInFlight, queueCapacity, maxWaitRounds);
    }

    public AuthHttpConfig withMaxInFlight(int n) {
        return new AuthHttpConfig(uri, headers, connectTimeout, timeout, n, queueCapacity, maxWaitRounds);
    }

    public AuthHttpConfig withQueueCapacity(int n) {
        return new AuthHttpConfig(uri, headers, connectTimeout, timeout, maxInFlight, n, maxWaitRounds);
    }

    public AuthHttpConfig withMaxWaitRounds(int n) {
        return new AuthHttpConfig(uri, headers, connectTimeout, timeout, maxInFlight, queueCapacity, n);
    }

    /**
     * Parses an auth_http URL as nginx's {@code auth_http} directive takes it: {@code host[:port][/uri]}
     * with or without {@code http://} (port 80 and uri {@code /} by default); {@code https://} works
     * too (beyond nginx). {@code unix:} sockets are not supported.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static URI parseUrl(String url) {
        Objects.requireNonNull(url, "url");
        String u = url.trim();
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("unix:")) {
            throw new IllegalArgumentException("auth_http '" + url + "': unix sockets are not supported; use http://HOST:PORT/PATH");
        }
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            if (lower.contains("://")) {
                throw new IllegalArgumentException("auth_http '" + url + "': only http:// and https:// URLs");
            }
            u = "http://" + u;
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("auth_http '" + url + "': " + e.getMessage(), e);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("auth_http '" + url + "': no host");
        }
        if (uri.getUserInfo() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("auth_http '" + url + "': no user info or fragment allowed");
        }
        if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            try {
                uri = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/", uri.getQuery(), null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("auth_http '" + url + "': " + e.getMessage(), e);
            }
        }
        return uri;
    }

    /**
     * Parses {@code NAME:VALUE} (nginx {@code auth_http_header NAME VALUE}); blanks around the value
     * are dropped.
     *
     * @throws IllegalArgumentException for a bad name, a control character, or a header the HTTP
     *                                  client sets itself
     */
    public static Header parseHeader(String spec) {
        Objects.requireNonNull(spec, "spec");
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("auth_http header '" + spec + "': expected NAME:VALUE");
        }
        Header h = new Header(spec.substring(0, colon).trim(), spec.substring(colon + 1).trim());
        if (RESERVED.contains(h.name().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("auth_http header " + h.name() + " is set by mailproxy itself");
        }
        for (int i = 0; i < h.value().length(); i++) {
            char c = h.value().charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException("auth_http header " + h.name() + ": the value must be printable ASCII");
            }
        }
        return h;
    }

    /**
     * One request header line. The value is written one byte per char (ISO-8859-1), so it holds
     * bytes, not characters; CR, LF and NUL are refused.
     */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("auth_http header name '" + name + "' is not an HTTP token");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                    throw new IllegalArgumentException("auth_http header " + name + ": CR, LF, NUL or a non-byte in the value");
                }
            }
        }
    }
}
