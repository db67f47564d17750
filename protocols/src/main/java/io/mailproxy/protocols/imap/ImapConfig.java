package io.mailproxy.protocols.imap;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the IMAP front-end presents itself.
 *
 * @param capabilities what the greeting and {@code CAPABILITY} announce before login, in order
 *                     (nginx {@code imap_capabilities}). {@code AUTH=PLAIN} / {@code AUTH=LOGIN}
 *                     also decide which SASL mechanisms {@code AUTHENTICATE} accepts. After login
 *                     the client learns the backend's own capabilities from its reply.
 */
public record ImapConfig(List<String> capabilities) {

    /** {@code IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN}. */
    public static final List<String> DEFAULT_CAPABILITIES =
            List.of("IMAP4rev1", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "AUTH=PLAIN", "AUTH=LOGIN");

    public ImapConfig {
        Objects.requireNonNull(capabilities, "capabilities");
        capabilities = List.copyOf(capabilities);
        if (capabilities.isEmpty()) {
            throw new IllegalArgumentException("at least one IMAP capability is required (IMAP4rev1)");
        }
        for (String c : capabilities) {
            if (!isAtom(c)) {
                throw new IllegalArgumentException("invalid IMAP capability '" + c + "': must be an atom");
            }
            String upper = c.toUpperCase(Locale.ROOT);
            if (upper.equals("STARTTLS") || upper.equals("LOGINDISABLED")) {
                // Each listener's TLS mode decides these, per connection and before/after TLS.
                throw new IllegalArgumentException("IMAP capability " + c + " is announced by the listener's TLS mode "
                        + "(--starttls), not listed");
            }
        }
    }

    public static ImapConfig defaults() {
        return new ImapConfig(DEFAULT_CAPABILITIES);
    }

    /** The capabilities separated by single spaces, as on the wire. */
    public String capabilityLine() {
        return String.join(" ", capabilities);
    }

    /**
     * What a client is told before login, by TLS state: the configured list, plus {@code STARTTLS}
     * when it is offered; when TLS is required first ({@code --starttls only}) also
     * {@code LOGINDISABLED} and no {@code AUTH=} (RFC 3501 6.2.3, 9051 7.2.3).
     */
    public String capabilityLine(boolean startTlsOffered, boolean tlsRequired) {
        if (!startTlsOffered && !tlsRequired) {
            return capabilityLine();
        }
        StringBuilder sb = new StringBuilder();
        for (String c : capabilities) {
            if (tlsRequired && c.regionMatches(true, 0, "AUTH=", 0, 5)) {
                continue;
            }
            sb.append(c).append(' ');
        }
        sb.append("STARTTLS");
        if (tlsRequired) {
            sb.append(" LOGINDISABLED");
        }
        return sb.toString();
    }

    /** Whether {@code capability} is announced (case-insensitive, like IMAP itself). */
    public boolean announces(String capability) {
        for (String c : capabilities) {
            if (c.equalsIgnoreCase(capability)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAtom(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!ImapRequestReader.isAtomChar(s.charAt(i)) || s.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
