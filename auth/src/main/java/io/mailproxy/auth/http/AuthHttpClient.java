package io.mailproxy.auth.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP/1.1 client side of auth_http, on blocking sockets (run on the authenticator's bounded
 * executor, never on an event loop). Written by hand rather than with {@code java.net.http} because
 * the JDK client cannot send nginx's headers as they are: it drops every {@code Proxy-*} request
 * header, forces its own {@code Host} (with the port) and {@code Content-Length}, reorders headers
 * and refuses 8-bit bytes in values.
 *
 * <p>The request is nginx's, byte for byte, except that it says {@code HTTP/1.1} (nginx: 1.0) so the
 * connection can be kept alive: {@code GET <uri> HTTP/1.1}, {@code Host: <host>} (without the port,
 * as nginx), then the given headers in order. Idle connections are reused (LIFO) for up to
 * {@link #IDLE_MAX_MILLIS}; a request that fails on a reused connection before any response byte
 * arrived is sent once more on a new one (GET is idempotent). The response body is skipped when it
 * is small and framed (Content-Length, chunked); otherwise the connection is closed instead.
 */
final class AuthHttpClient implements AutoCloseable {
    static final long IDLE_MAX_MILLIS = 20_000;
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_SKIPPED_BODY = 64 * 1024;

    private final URI uri;
    private final String host;
    private final int port;
    private final boolean https;
    private final byte[] requestLineAndHost;
    private final int connectTimeoutMillis;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final int maxIdle;
    private volatile boolean closed;

    /** A parsed response: status code and headers (names case-insensitive, values one char per byte). */
    record Response(int status, Map<String, List<String>> headers) {
    }

    AuthHttpClient(AuthHttpConfig config) {
        this.uri = config.uri();
        this.https = uri.getScheme().equalsIgnoreCase("https");
        this.host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        this.requestLineAndHost = ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.connectTimeout().toMillis()));
        this.maxIdle = config.maxInFlight();
    }

    /** The bytes of a request with {@code headers} (after Host), blank line included. */
    byte[] request(List<AuthHttpConfig.Header> headers) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(512);
        b.writeBytes(requestLineAndHost);
        for (AuthHttpConfig.Header h : headers) {
            b.writeBytes(h.name().getBytes(StandardCharsets.ISO_8859_1));
            b.write(':');
            b.write(' ');
            b.writeBytes(h.value().getBytes(StandardCharsets.ISO_8859_1));
            b.write('\r');
            b.write('\n');
        }
        b.write('\r');
        b.write('\n');
        return b.toByteArray();
    }

    /** Lets another thread (the deadline) abort an exchange: closes its socket, stops any retry. */
    static final class Abort {
        private final AtomicReference<Socket> socket = new AtomicReference<>();
        private volatile boolean aborted;

        void abort() {
            aborted = true;
            Socket s = socket.get();
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closed anyway
                }
            }
        }

        boolean aborted() {
            return aborted;
        }

        void use(Socket s) throws IOException {
            socket.set(s);
            if (aborted) {
                s.close();
                throw new IOException("auth_http exchange aborted");
            }
        }
    }

    /** Sends {@code request} and reads the response head; {@code abort} may end it from another thread. */
    Response exchange(byte[] request, long timeoutMillis, Abort abort) throws IOException {
        Connection c = takeIdle();
        if (c != null) {
            try {
                return exchangeOn(c, request, timeoutMillis, abort);
            } catch (StaleConnectionException e) {
                // the server closed the idle connection meanwhile: once more, on a new one
                if (abort.aborted()) {
                    throw new IOException("auth_http exchange aborted", e);
                }
            }
        }
        try {
            return exchangeOn(connect(abort), request, timeoutMillis, abort);
        } catch (StaleConnectionException e) {
            throw new IOException("auth_http server closed the connection without answering", e);
        }
    }

    private Response exchangeOn(Connection c, byte[] request, long timeoutMillis, Abort abort) throws IOException {
        boolean keep = false;
        try {
            abort.use(c.socket);
            c.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
            try {
                c.out.write(request);
                c.out.flush();
            } catch (IOException e) {
                throw new StaleConnectionException(e);
            }
            int first = c.in.read();
            if (first < 0) {
                throw new StaleConnectionException(null);
            }
            Head head = readHead(c.in, first);
            keep = head.keepAlive && skipBody(c.in, head) && !closed;
            return new Response(head.status, head.headers);
        } finally {
            if (keep && !abort.aborted()) {
                c.lastUsed = System.nanoTime();
                offerIdle(c);
            } else {
                c.close();
            }
        }
    }

    private Connection connect(Abort abort) throws IOException {
        Socket plain = new Socket();
        try {
            abort.use(plain);
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            Socket s = plain;
            if (https) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, host, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.setSoTimeout(connectTimeoutMillis);
                ssl.startHandshake();
                s = ssl;
            }
            return new Connection(s);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private Connection takeIdle() {
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.lastUsed) < IDLE_MAX_MILLIS && !c.socket.isClosed()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private void offerIdle(Connection c) {
        if (closed || idle.size() >= maxIdle) {
            c.close();
            return;
        }
        idle.offerFirst(c);
        if (closed) {
            c.close();
        }
    }

    /** Connections open now (idle ones; for tests). */
    int idleConnections() {
        return idle.size();
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
    }

    private record Head(int status, Map<String, List<String>> headers, boolean keepAlive, long contentLength,
            boolean chunked) {
    }

    private static Head readHead(InputStream in, int first) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int total = 0;
        int c = first;
        while (true) {
            if (c < 0) {
                throw new IOException("auth_http server closed the connection in the response head");
            }
            if (++total > MAX_HEAD) {
                throw new IOException("auth_http response head longer than " + MAX_HEAD + " bytes");
            }
            if (c == '\n') {
                String l = line.toString(StandardCharsets.ISO_8859_1);
                if (l.endsWith("\r")) {
                    l = l.substring(0, l.length() - 1);
                }
                if (l.isEmpty() && !lines.isEmpty()) {
                    break;
                }
                lines.add(l);
                line.reset();
            } else {
                line.write(c);
            }
            c = in.read();
        }
        String status = lines.get(0);
        if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
            throw new IOException("not an HTTP response: " + AuthHttpProtocol.printable(status));
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: " + AuthHttpProtocol.printable(status), e);
        }
        boolean http11 = status.charAt(7) != '0';
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i);
            int colon = l.indexOf(':');
            if (colon <= 0 || l.charAt(0) == ' ' || l.charAt(0) == '\t') {
                throw new IOException("invalid header in auth_http response: " + AuthHttpProtocol.printable(l));
            }
            headers.computeIfAbsent(l.substring(0, colon).strip(), k -> new ArrayList<>(1))
                    .add(l.substring(colon + 1).strip());
        }
        String connection = last(headers, "Connection");
        boolean keepAlive = connection == null ? http11
                : connection.toLowerCase(Locale.ROOT).contains("keep-alive")
                        || http11 && !connection.toLowerCase(Locale.ROOT).contains("close");
        String te = last(headers, "Transfer-Encoding");
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        long length = -1;
        String cl = last(headers, "Content-Length");
        if (cl != null) {
            try {
                length = Long.parseLong(cl);
            } catch (NumberFormatException e) {
                keepAlive = false;
            }
        }
        if (code == 204 || code == 304) {
            length = 0;
        }
        return new Head(code, headers, keepAlive, length, chunked);
    }

    /** Skips a small framed body; false when the connection cannot be reused (unframed or too big). */
    private static boolean skipBody(InputStream in, Head head) throws IOException {
        if (head.chunked) {
            long total = 0;
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    return false;
                }
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return true;
                }
                total += size;
                if (total > MAX_SKIPPED_BODY) {
                    return false;
                }
                skip(in, size);
                readLine(in);
            }
        }
        if (head.contentLength < 0 || head.contentLength > MAX_SKIPPED_BODY) {
            return false;
        }
        skip(in, head.contentLength);
        return true;
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException("auth_http response body cut short");
                }
                s = 1;
            }
            left -= s;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (sb.length() > 1024) {
                throw new IOException("auth_http chunk line too long");
            }
            sb.append((char) c);
        }
        if (c < 0) {
            throw new IOException("auth_http response body cut short");
        }
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
    }

    private static String last(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    /** One kept-alive connection. */
    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long lastUsed = System.nanoTime();

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 4096);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** The request could not be sent, or no response byte came back: the connection was stale. */
    private static final class StaleConnectionException extends IOException {
        StaleConnectionException(Throwable cause) {
            super("stale connection", cause);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow
        }
    }
}
