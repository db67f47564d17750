package io.mailproxy.protocols.imap;

import io.mailproxy.auth.AddressText;
import io.mailproxy.proxy.ClientEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code ID} command a backend login sends, with {@code --forward-client-ip}, before LOGIN when
 * the backend announces {@code ID}: the client's own ID fields (as it sent them before login, minus
 * any it has no business setting), then {@code x-originating-ip}, {@code x-originating-port},
 * {@code x-connected-ip}, {@code x-connected-port}, {@code x-session-id} (Dovecot's names; Dovecot
 * believes them from proxies in its {@code login_trusted_networks}).
 */
final class ImapForwardedId {
    /** Fields only a trusted proxy may set: never taken from the client. */
    private static final Set<String> RESERVED = Set.of("x-originating-ip", "x-originating-port", "x-connected-ip",
            "x-connected-port", "x-session-id", "x-proxy-ttl", "x-session-ext-id", "x-forward-*");

    private ImapForwardedId() {
    }

    /** The parenthesised list (without {@code ID }), or null when there are no endpoints. */
    static String parameters(ClientEndpoints endpoints, ImapClientId clientId) {
        if (endpoints == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (clientId != null) {
            for (ImapClientId.Field f : clientId.fields()) {
                String name = f.name().toLowerCase(Locale.ROOT);
                if (RESERVED.contains(name) || name.startsWith("x-forward-") || !quotable(f.name())
                        || f.value() != null && !quotable(f.value())) {
                    continue;
                }
                parts.add(quoted(f.name()));
                parts.add(f.value() == null ? "NIL" : quoted(f.value()));
            }
        }
        add(parts, "x-originating-ip", AddressText.ip(endpoints.client()));
        add(parts, "x-originating-port", Integer.toString(endpoints.client().getPort()));
        add(parts, "x-connected-ip", AddressText.ip(endpoints.connected()));
        add(parts, "x-connected-port", Integer.toString(endpoints.connected().getPort()));
        add(parts, "x-session-id", endpoints.sessionId());
        return "(" + String.join(" ", parts) + ")";
    }

    private static void add(List<String> parts, String name, String value) {
        parts.add(quoted(name));
        parts.add(quoted(value));
    }

    /** Whether {@code s} fits an RFC 3501 quoted string (7-bit, no CR, LF, NUL). */
    private static boolean quotable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
