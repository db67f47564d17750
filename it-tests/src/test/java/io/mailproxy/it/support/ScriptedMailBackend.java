package io.mailproxy.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny mail server for tests that must see what the proxy sends a backend (GreenMail ignores a
 * PROXY header, ID and XCLIENT): it records, per connection, a leading PROXY header (v1 line or v2
 * bytes) and every command line, and answers like a mail server that accepts any login. Plain
 * blocking sockets, one daemon thread per connection.
 */
public final class ScriptedMailBackend implements AutoCloseable {
    private static final byte[] V2_SIGNATURE = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

    public enum Kind { IMAP, POP3 }

    /** What one connection received. */
    public static final class Session {
        /** The PROXY header as received (v1 text or v2 bytes), or null. */
        public volatile byte[] proxyHeader;
        public final List<String> lines = new CopyOnWriteArrayList<>();
    }

    private final Kind kind;
    private final String greeting;
    private final List<String> capabilities;
    private final ServerSocket server;
    private final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();

    /**
     * @param greeting     the greeting line, without CRLF
     * @param capabilities IMAP CAPABILITY atoms, or POP3 CAPA lines
     */
    public ScriptedMailBackend(Kind kind, String greeting, List<String> capabilities) throws IOException {
        this.kind = kind;
        this.greeting = greeting;
        this.capabilities = List.copyOf(capabilities);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "scripted-" + kind + "-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next connection's record, once it has sent its login (waits up to 10 s). */
    public Session take() throws InterruptedException {
        Session s = sessions.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no backend login within 10 s");
        }
        return s;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "scripted-" + kind);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Session session = new Session();
        try (socket) {
            socket.setSoTimeout(20_000);
            PushbackInputStream in = new PushbackInputStream(socket.getInputStream(), 16);
            OutputStream out = socket.getOutputStream();
            write(out, greeting);
            session.proxyHeader = readProxyHeader(in);
            String line;
            while ((line = readLine(in)) != null) {
                session.lines.add(line);
                if (!answer(out, line, session)) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }

    /** Answers one line; false to close. */
    private boolean answer(OutputStream out, String line, Session session) throws IOException {
        if (kind == Kind.POP3) {
            String cmd = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (cmd) {
                case "CAPA" -> {
                    StringBuilder sb = new StringBuilder("+OK\r\n");
                    capabilities.forEach(c -> sb.append(c).append("\r\n"));
                    out.write(sb.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                case "PASS" -> {
                    write(out, "+OK Logged in.");
                    sessions.add(session);
                }
                case "QUIT" -> {
                    write(out, "+OK bye");
                    return false;
                }
                default -> write(out, "+OK");
            }
            return true;
        }
        String[] parts = line.split(" ", 3);
        String tag = parts[0];
        String cmd = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
        switch (cmd) {
            case "CAPABILITY" -> write(out, "* CAPABILITY " + String.join(" ", capabilities) + "\r\n" + tag + " OK done");
            case "ID" -> write(out, "* ID (\"name\" \"scripted\")\r\n" + tag + " OK ID completed");
            case "LOGIN" -> {
                write(out, tag + " OK [CAPABILITY IMAP4rev1] Logged in");
                sessions.add(session);
            }
            case "LOGOUT" -> {
                write(out, "* BYE bye\r\n" + tag + " OK LOGOUT completed");
                return false;
            }
            default -> write(out, tag + " OK " + cmd + " completed");
        }
        return true;
    }

    /** A leading PROXY header (v2 starts with CR, v1 with "PROXY "), or null when the first line is a command. */
    private static byte[] readProxyHeader(PushbackInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first == 0x0d) {
            byte[] start = new byte[16];
            start[0] = 0x0d;
            int n = in.readNBytes(start, 1, 15);
            if (n < 15 || !Arrays.equals(Arrays.copyOf(start, 12), V2_SIGNATURE)) {
                throw new IOException("bad PROXY v2 signature");
            }
            int len = ((start[14] & 0xff) << 8) | (start[15] & 0xff);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(start);
            b.writeBytes(in.readNBytes(len));
            return b.toByteArray();
        }
        in.unread(first);
        if (first != 'P') {
            return null;
        }
        byte[] six = in.readNBytes(6);
        in.unread(six);
        if (!new String(six, StandardCharsets.ISO_8859_1).equals("PROXY ")) {
            return null;
        }
        return (readLine(in) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static void write(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
