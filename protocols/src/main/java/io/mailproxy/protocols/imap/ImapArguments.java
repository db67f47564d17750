package io.mailproxy.protocols.imap;

/** The parsed arguments of an {@link ImapCommand}, by command. {@code toString} never shows a secret. */
public sealed interface ImapArguments {

    /** A command without arguments (or one whose arguments the proxy never reads). */
    enum None implements ImapArguments {
        INSTANCE
    }

    /** {@code LOGIN user password}; either may be empty or hold any character (NUL included) as sent. */
    record Login(String user, String password) implements ImapArguments {
        @Override
        public String toString() {
            return "Login[user=" + user + "]";
        }
    }

    /**
     * {@code AUTHENTICATE mechanism [initial-response]}.
     *
     * @param mechanism       upper-cased SASL mechanism name
     * @param initialResponse the RFC 4959 initial response as sent (base64 or {@code =}), or null
     */
    record Authenticate(String mechanism, String initialResponse) implements ImapArguments {
        @Override
        public String toString() {
            return "Authenticate[mechanism=" + mechanism + ", initialResponse=" + (initialResponse == null ? "none" : "...") + "]";
        }
    }

    /** {@code ID (params) / ID NIL}. */
    record Id(ImapClientId clientId) implements ImapArguments {
    }
}
