package io.mailproxy.cli;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's two mail servers: in-process GreenMail instances speaking POP3 and IMAP. The proxy's
 * directory gives each mail_server name a host and each protocol one port, so the two servers
 * share their ports and differ by loopback address (127.0.0.1 and 127.0.0.2, both loopback on
 * Linux). Where 127.0.0.2 cannot be used, both names lead to one server.
 */
final class DemoBackends implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("mailproxy");
    static final String FIRST_HOST = "127.0.0.1";
    static final String SECOND_HOST = "127.0.0.2";

    private final List<GreenMail> servers = new ArrayList<>();
    private int pop3Port;
    private int imapPort;
    private String secondHost = SECOND_HOST;

    /** Starts the servers. */
    static DemoBackends start() {
        DemoBackends b = new DemoBackends();
        try {
            b.startServers();
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private void startServers() {
        GreenMail first = new GreenMail(new ServerSetup[] {
            new ServerSetup(0, FIRST_HOST, ServerSetup.PROTOCOL_POP3).dynamicPort(),
            new ServerSetup(0, FIRST_HOST, ServerSetup.PROTOCOL_IMAP).dynamicPort()});
        first.start();
        servers.add(first);
        pop3Port = first.getPop3().getPort();
        imapPort = first.getImap().getPort();
        if (!free(SECOND_HOST, pop3Port) || !free(SECOND_HOST, imapPort)) {
            LOG.info("{} is not usable here; both demo mail servers share {}", SECOND_HOST, FIRST_HOST);
            secondHost = FIRST_HOST;
            return;
        }
        GreenMail second = new GreenMail(new ServerSetup[] {
            new ServerSetup(pop3Port, SECOND_HOST, ServerSetup.PROTOCOL_POP3),
            new ServerSetup(imapPort, SECOND_HOST, ServerSetup.PROTOCOL_IMAP)});
        second.start();
        servers.add(second);
    }

    private static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    int pop3Port() {
        return pop3Port;
    }

    int imapPort() {
        return imapPort;
    }

    /** The host of the first (0) or second (1) server. */
    String host(int index) {
        return index == 0 ? FIRST_HOST : secondHost;
    }

    /** Creates the user on server {@code index} and delivers {@code subjects.length} messages. */
    void addUser(int index, String login, String password, String... subjects) {
        GreenMail server = servers.get(Math.min(index, servers.size() - 1));
        String email = login + "@mailhost0" + (index + 1) + ".demo";
        GreenMailUser user = server.setUser(email, login, password);
        Session session = Session.getInstance(new Properties());
        try {
            for (int i = 0; i < subjects.length; i++) {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(new InternetAddress("demo@mailproxy.demo"));
                m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(email));
                m.setSubject(subjects[i]);
                m.setSentDate(new Date());
                m.setText("Hello " + login + ",\r\n\r\nthis is demo message " + (i + 1) + " on mailhost0" + (index + 1)
                        + ", read through mailproxy.\r\n");
                user.deliver(m);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot create demo messages: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (GreenMail s : servers) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                LOG.debug("stopping a demo mail server: {}", e.toString());
            }
        }
        servers.clear();
    }

    @Override
    public String toString() {
        return "demo mail servers";
    }
}
