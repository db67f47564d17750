package io.mailproxy.auth;

import java.util.Locale;

/** A mail protocol a client logs in with. The id is what logs, configs and auth_http use ("pop3", "imap"). */
public enum Protocol {
    POP3(110),
    IMAP(143),
    SMTP(25);

    private final int defaultPort;

    Protocol(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** Lower-case name: {@code pop3}, {@code imap}, {@code smtp}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The backend port used when nothing else is configured (pop3 110, imap 143, smtp 25). */
    public int defaultPort() {
        return defaultPort;
    }

    /** Parses {@code pop3}, {@code IMAP}, ... ; throws IllegalArgumentException naming the valid values. */
    public static Protocol fromId(String id) {
        for (Protocol p : values()) {
            if (p.id().equalsIgnoreCase(id.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + id + "' (expected pop3, imap or smtp)");
    }
}
