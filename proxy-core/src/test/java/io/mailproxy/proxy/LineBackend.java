package io.mailproxy.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real TCP backend for {@link LineTestProtocol}: greets {@code HELLO}, accepts {@code AUTH u p}
 * when p is "secret" ({@code OK welcome u}), refuses otherwise ({@code NO denied}), then echoes
 * every byte until the client half-closes, then half-closes itself.
 */
final class LineBackend implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    final List<String> authLines = new CopyOnWriteArrayList<>();

    LineBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                pool.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("HELLO\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String auth = readLine(in);
            authLines.add(auth);
            if (auth == null) {
                return;
            }
            if (!auth.endsWith(" secret")) {
                out.write("NO denied\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            out.write(("OK welcome " + auth.split(" ")[1] + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            out.flush();
            s.shutdownOutput();
        } catch (IOException ignored) {
            // client went away
        }
    }

    /** Reads one CRLF line byte by byte so that nothing after it is consumed. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }

    @SuppressWarnings("unused")
    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
    }
}
