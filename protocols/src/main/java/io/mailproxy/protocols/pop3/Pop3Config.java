package io.mailproxy.protocols.pop3;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the POP3 front-end offers before login.
 *
 * @param capabilities CAPA lines other than SASL (nginx {@code pop3_capabilities}), default
 *                     {@code TOP}, {@code USER}, {@code UIDL}; each a single line of printable ASCII;
 *                     {@code SASL} and {@code STLS} are not accepted here: the SASL line is derived
 *                     from {@code mechanisms}, and STLS from the listener's TLS mode
 * @param mechanisms   the SASL mechanisms AUTH accepts, in the order they are advertised (CAPA
 *                     {@code SASL} line, AUTH listing); empty disables AUTH
 */
public record Pop3Config(List<String> capabilities, List<Mechanism> mechanisms) {

    /** SASL mechanisms the POP3 front-end implements. */
    public enum Mechanism {
        PLAIN,
        LOGIN;

        /** Case-insensitive lookup; null when not a mechanism this proxy implements. */
        public static Mechanism lookup(String name) {
            for (Mechanism m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    public static final List<String> DEFAULT_CAPABILITIES = List.of("TOP", "USER", "UIDL");
    public static final List<Mechanism> DEFAULT_MECHANISMS = List.of(Mechanism.PLAIN, Mechanism.LOGIN);

    public Pop3Config {
        capabilities = List.copyOf(Objects.requireNonNull(capabilities, "capabilities"));
        mechanisms = List.copyOf(Objects.requireNonNull(mechanisms, "mechanisms"));
        for (String c : capabilities) {
            validateCapability(c);
        }
        if (mechanisms.stream().distinct().count() != mechanisms.size()) {
            throw new IllegalArgumentException("duplicate SASL mechanism in " + mechanisms);
        }
    }

    /** {@code TOP USER UIDL SASL PLAIN LOGIN}. */
    public static Pop3Config defaults() {
        return new Pop3Config(DEFAULT_CAPABILITIES, DEFAULT_MECHANISMS);
    }

    /** A copy with other CAPA lines (the CLI's {@code --pop3-capabilities}). */
    public Pop3Config withCapabilities(List<String> capabilities) {
        return new Pop3Config(capabilities, mechanisms);
    }

    public Pop3Config withMechanisms(List<Mechanism> mechanisms) {
        return new Pop3Config(capabilities, mechanisms);
    }

    /** The lines CAPA lists, in order: the configured capabilities, then {@code SASL <mechanisms>} when any. */
    public List<String> capaLines() {
        List<String> lines = new ArrayList<>(capabilities);
        if (!mechanisms.isEmpty()) {
            StringBuilder sasl = new StringBuilder("SASL");
            for (Mechanism m : mechanisms) {
                sasl.append(' ').append(m.name());
            }
            lines.add(sasl.toString());
        }
        return lines;
    }

    /**
     * The lines CAPA lists by TLS state: {@code STLS} last when it is offered; when TLS is required
     * before login ({@code --starttls only}) neither {@code USER} nor {@code SASL}.
     */
    public List<String> capaLines(boolean stls, boolean tlsRequired) {
        List<String> lines = new ArrayList<>(capaLines());
        if (tlsRequired) {
            lines.removeIf(l -> {
                String keyword = l.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                return keyword.equals("USER") || keyword.equals("SASL");
            });
        }
        if (stls || tlsRequired) {
            lines.add("STLS");
        }
        return lines;
    }

    private static void validateCapability(String c) {
        Objects.requireNonNull(c, "capability");
        if (c.isBlank() || c.startsWith(" ") || c.endsWith(" ") || c.equals(".")) {
            throw new IllegalArgumentException("invalid POP3 capability '" + c + "'");
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch < 0x20 || ch > 0x7e) {
                throw new IllegalArgumentException("POP3 capability must be printable ASCII: '" + c + "'");
            }
        }
        String keyword = c.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        if (keyword.equals("SASL")) {
            throw new IllegalArgumentException("the SASL capability is derived from the mechanisms; do not list it");
        }
        if (keyword.equals("STLS")) {
            throw new IllegalArgumentException("STLS is announced by the listener's TLS mode (--starttls); do not list it");
        }
    }
}
