package io.mailproxy.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 standing for an nginx auth_http server in tests. It records
 * every request head exactly as received (bytes as ISO-8859-1, so byte-for-byte checks are
 * possible) and answers with what the {@link #respond responder} returns for it: a complete raw
 * response, {@link #HANG} (read on, never answer) or {@link #CLOSE} (close the connection).
 * Connections are kept alive as long as the client keeps them. Plain blocking sockets, one daemon
 * thread per connection: for tests only.
 */
public final class AuthHttpServer implements AutoCloseable {
    public static final String HANG = "\0hang";
    public static final String CLOSE = "\0close";

    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Function<Request, String> responder = r -> ok("127.0.0.1", 143);

    /** One request as received. */
    public record Request(String head, int connection) {
        /** The value of the first header called {@code name} (case-insensitive), or null. */
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    public AuthHttpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "auth-http-test-accept");
        t.setDaemon(true);
        t.start();
    }

    /** {@code http://127.0.0.1:PORT/auth}. */
    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/auth";
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    public AuthHttpServer respond(Function<Request, String> responder) {
        this.responder = responder;
        return this;
    }

    /** Waits up to 10 s for the next request. */
    public Request take() throws InterruptedException {
        Request r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no auth_http request within 10 s");
        }
        return r;
    }

    /** The requests received and not taken yet. */
    public List<Request> drain() {
        List<Request> out = new ArrayList<>();
        requests.drainTo(out);
        return out;
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** A response like nginx's for {@code headers} ({@code "Auth-Status: OK"}, ...), keep-alive. */
    public static String response(String... headers) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    public static String ok(String server, int port) {
        return response("Auth-Status: OK", "Auth-Server: " + server, "Auth-Port: " + port);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                int id = connections.get();
                Thread t = new Thread(() -> serve(s, id), "auth-http-test-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int id) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                Request r = new Request(head, id);
                requests.add(r);
                String answer = responder.apply(r);
                if (answer.equals(CLOSE)) {
                    return;
                }
                if (answer.equals(HANG)) {
                    while (in.read() >= 0) {
                        // hold the connection until the client gives up
                    }
                    return;
                }
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        } finally {
            sockets.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            int n = b.size();
            if (n >= 4) {
                byte[] x = b.toByteArray();
                if (x[n - 4] == '\r' && x[n - 3] == '\n' && x[n - 2] == '\r' && x[n - 1] == '\n') {
                    return b.toString(StandardCharsets.ISO_8859_1);
                }
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
