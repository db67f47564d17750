package io.mailproxy.protocols.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A mail backend on a real loopback socket, played by a script per connection, that can speak
 * implicit TLS or switch to TLS mid-connection (STARTTLS/STLS) with a given server context. Every
 * line it reads is recorded with whether it came over TLS ({@code tls:} or {@code plain:} prefix).
 */
public final class ScriptedTlsBackend implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final SSLContext tls;
    private final boolean implicit;
    private final Script script;
    /** Every line received, prefixed {@code plain:} or {@code tls:}. */
    public final List<String> received = new CopyOnWriteArrayList<>();

    /** One connection's dialogue. */
    @FunctionalInterface
    public interface Script {
        void play(Conversation c) throws IOException;
    }

    public ScriptedTlsBackend(SSLContext tls, boolean implicit, Script script) throws IOException {
        this.tls = tls;
        this.implicit = implicit;
        this.script = script;
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.submit(() -> {
                    try (Conversation c = new Conversation(s)) {
                        if (implicit) {
                            c.upgrade();
                        }
                        script.play(c);
                    } catch (IOException e) {
                        received.add("error:" + e);
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    /** The backend's side of one connection. */
    public final class Conversation implements AutoCloseable {
        private Socket socket;
        private boolean secure;

        Conversation(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
        }

        /** Sends {@code text} as is (several lines in one write, if it holds several). */
        public void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** Reads one line (CRLF stripped) and records it; null at end of stream. */
        public String readLine() throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String line = b.toString(StandardCharsets.ISO_8859_1);
                    line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                    received.add((secure ? "tls:" : "plain:") + line);
                    return line;
                }
                b.write(c);
            }
            received.add((secure ? "tls:" : "plain:") + "<eof>");
            return null;
        }

        /** Switches to TLS as the server (after sending the OK to STARTTLS/STLS). */
        public void upgrade() throws IOException {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            s.setUseClientMode(false);
            s.startHandshake();
            socket = s;
            secure = true;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
