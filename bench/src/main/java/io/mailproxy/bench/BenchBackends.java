package io.mailproxy.bench;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * In-process mail servers for a side-by-side run: one GreenMail per loopback host, all on the same
 * IMAP and POP3 ports (a directory maps mail_server names to hosts and protocols to one port each),
 * every server holding every account of the range with one small message, and the first account
 * also a large one (message 2).
 */
public final class BenchBackends implements AutoCloseable {
    private final List<GreenMail> servers = new ArrayList<>();
    private int imapPort;
    private int pop3Port;

    /** Starts a server on each host; port 0 picks free ports (those of the first host are reused). */
    public static BenchBackends start(List<String> hosts, int imapPort, int pop3Port) {
        BenchBackends b = new BenchBackends();
        try {
            for (String host : hosts) {
                ServerSetup imap = new ServerSetup(b.servers.isEmpty() ? imapPort : b.imapPort, host,
                        ServerSetup.PROTOCOL_IMAP);
                ServerSetup pop3 = new ServerSetup(b.servers.isEmpty() ? pop3Port : b.pop3Port, host,
                        ServerSetup.PROTOCOL_POP3);
                if (b.servers.isEmpty() && imapPort == 0) {
                    imap = imap.dynamicPort();
                }
                if (b.servers.isEmpty() && pop3Port == 0) {
                    pop3 = pop3.dynamicPort();
                }
                GreenMail g = new GreenMail(new ServerSetup[] {imap,
                    pop3});
                g.start();
                b.servers.add(g);
                if (b.servers.size() == 1) {
                    b.imapPort = g.getImap().getPort();
                    b.pop3Port = g.getPop3().getPort();
                }
            }
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    public int imapPort() {
        return imapPort;
    }

    public int pop3Port() {
        return pop3Port;
    }

    /** Creates every account on every server, each with one small message. */
    public void addUsers(List<Users.Account> accounts) {
        Session session = Session.getInstance(new Properties());
        for (GreenMail g : servers) {
            for (Users.Account a : accounts) {
                GreenMailUser u = g.setUser(a.user() + "@bench.test", a.user(), a.password());
                u.deliver(message(session, a.user(), "hello " + a.user() + "\r\n"));
            }
        }
    }

    /** Delivers a message of about {@code bytes} bytes (76-character CRLF lines) to the account on every server. */
    public void addLargeMessage(Users.Account account, int bytes) {
        StringBuilder body = new StringBuilder(bytes + 128);
        String line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+";
        int i = 0;
        while (body.length() < bytes) {
            // every 7th line starts with a dot, so POP3 dot-stuffing is exercised too
            body.append(i++ % 7 == 0 ? "." : "").append(line).append("\r\n");
        }
        Session session = Session.getInstance(new Properties());
        for (GreenMail g : servers) {
            GreenMailUser u = g.getUserManager().getUser(account.user());
            u.deliver(message(session, account.user(), body.toString()));
        }
    }

    private static MimeMessage message(Session session, String user, String body) {
        String raw = "From: bench@bench.test\r\nTo: " + user + "@bench.test\r\nSubject: bench\r\n"
                + "Message-ID: <" + user + "." + body.length() + "@bench.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body;
        try {
            return new MimeMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (GreenMail g : servers) {
            try {
                g.stop();
            } catch (RuntimeException e) {
                // stopping anyway
            }
        }
        servers.clear();
    }
}
