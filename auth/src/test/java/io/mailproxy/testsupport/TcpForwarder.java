package io.mailproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 for failure tests: put it between a client and a server (a
 * database, a backend) and make the server look dead or hung without touching it.
 *
 * <ul>
 *   <li>{@link #restore()} (the initial state): bytes flow both ways.</li>
 *   <li>{@link #hang()}: connections are still accepted, but no byte is passed on in either
 *       direction: a server that hangs. Bytes already read are held, not lost, and flow on after
 *       {@link #restore()}.</li>
 *   <li>{@link #cut()}: every connection is closed and the port stops listening, so new
 *       connections are refused: a server that died. {@link #restore()} listens again on the same
 *       port.</li>
 * </ul>
 * Plain blocking sockets and two daemon threads per connection: for tests only.
 */
public final class TcpForwarder implements AutoCloseable {

    private enum Mode { FORWARD, HANG, CUT, CLOSED }

    private static final AtomicInteger IDS = new AtomicInteger();

    private final InetSocketAddress target;
    private final int port;
    private final String name;
    private final Object lock = new Object();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private Mode mode = Mode.FORWARD;
    private ServerSocket server;

    private TcpForwarder(InetSocketAddress target) throws IOException {
        this.target = target;
        this.name = "tcp-forwarder-" + IDS.incrementAndGet();
        this.server = listen(0);
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    /** Starts forwarding 127.0.0.1:{@link #port()} to {@code host:port}. */
    public static TcpForwarder start(String host, int port) {
        try {
            return new TcpForwarder(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The listening host: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The listening port (the same across {@link #cut()} and {@link #restore()}). */
    public int port() {
        return port;
    }

    /** Connections accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections open now (client sides and server sides counted together). */
    public int openSockets() {
        return sockets.size();
    }

    /** Stop passing bytes; keep accepting. */
    public void hang() {
        synchronized (lock) {
            requireOpen();
            if (mode == Mode.CUT) {
                relisten();
            }
            mode = Mode.HANG;
        }
    }

    /** Close every connection and stop listening. */
    public void cut() {
        synchronized (lock) {
            requireOpen();
            mode = Mode.CUT;
            closeQuietly(server);
            closeAll();
            lock.notifyAll();
        }
    }

    /** Pass bytes again; listen again after {@link #cut()}. */
    public void restore() {
        synchronized (lock) {
            requireOpen();
            if (mode == Mode.CUT) {
                relisten();
            }
            mode = Mode.FORWARD;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            mode = Mode.CLOSED;
            closeQuietly(server);
            closeAll();
            lock.notifyAll();
        }
    }

    private void requireOpen() {
        if (mode == Mode.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private void relisten() {
        try {
            server = listen(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen again on port " + port, e);
        }
        startAccepting(server);
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return s;
    }

    private void startAccepting(ServerSocket listening) {
        Thread t = new Thread(() -> acceptLoop(listening), name + "-accept");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
            accepted.incrementAndGet();
            sockets.add(client);
            Thread t = new Thread(() -> connect(client), name + "-connect");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            upstream.connect(target, 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        pump(client, upstream, "up");
        pump(upstream, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!awaitForwarding()) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side went away: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    /** Waits while hung; false when the connection should end. */
    private boolean awaitForwarding() {
        synchronized (lock) {
            while (mode == Mode.HANG) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return mode == Mode.FORWARD;
        }
    }

    private void closeAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private void closeQuietly(java.io.Closeable c) {
        if (c instanceof Socket s) {
            sockets.remove(s);
        }
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return name + "[127.0.0.1:" + port + " -> " + target + ", " + mode + "]";
    }
}
