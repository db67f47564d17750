package io.mailproxy.it.support;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * GreenMail servers standing for the seed's mail hosts. As in production, every host listens on
 * the same POP3 and IMAP ports but on its own address (mailhost01 = 127.0.0.2, mailhost02 =
 * 127.0.0.3, ...), so the proxy maps mail_server to a host and the protocol to a port exactly as
 * the seed's Perl map does.
 */
public final class MailBackends implements AutoCloseable {
    public final int pop3Port;
    public final int imapPort;
    private final Map<String, GreenMail> hosts = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();

    public MailBackends(String... names) throws IOException {
        this.pop3Port = freePort();
        int imap = freePort();
        while (imap == pop3Port) {
            imap = freePort();
        }
        this.imapPort = imap;
        int i = 2;
        for (String name : names) {
            String address = "127.0.0." + i++;
            addresses.put(name, address);
            hosts.put(name, newGreenMail(address));
        }
    }

    private GreenMail newGreenMail(String address) {
        GreenMail gm = new GreenMail(new ServerSetup[] {
                new ServerSetup(pop3Port, address, ServerSetup.PROTOCOL_POP3),
                new ServerSetup(imapPort, address, ServerSetup.PROTOCOL_IMAP)});
        gm.start();
        return gm;
    }

    /** The address a host name maps to (for the proxy's --backend map). */
    public String address(String name) {
        return addresses.get(name);
    }

    public Map<String, String> addresses() {
        return Map.copyOf(addresses);
    }

    public GreenMail host(String name) {
        return hosts.get(name);
    }

    /** Creates the mailbox {@code login} with {@code password} on host {@code name}. */
    public GreenMailUser user(String name, String login, String password) {
        return hosts.get(name).setUser(login + "@example.test", login, password);
    }

    /** Delivers a message with the given subject and body to {@code login}'s INBOX on host {@code name}. */
    public void deliver(String name, String login, String password, String subject, String body) throws Exception {
        GreenMailUser user = hosts.get(name).getUserManager().getUser(login);
        if (user == null) {
            user = user(name, login, password);
        }
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress("sender@example.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(login + "@example.test"));
        m.setSubject(subject);
        m.setText(body);
        user.deliver(m);
    }

    public void stop(String name) {
        hosts.get(name).stop();
    }

    public void restart(String name) {
        hosts.get(name).stop();
        hosts.put(name, newGreenMail(addresses.get(name)));
    }

    @Override
    public void close() {
        hosts.values().forEach(GreenMail::stop);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            return s.getLocalPort();
        }
    }
}
