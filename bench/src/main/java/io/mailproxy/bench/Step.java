package io.mailproxy.bench;

/**
 * One exchange of a scripted session: a command line to send (none for the greeting) and the
 * kind of reply that ends it.
 *
 * @param command the line without CRLF, or null to only wait (the greeting)
 * @param kind    what ends the exchange
 * @param tag     the IMAP tag whose tagged reply ends it ({@link Kind#IMAP_TAGGED})
 * @param login   whether a refusal here is a login refusal (counted as AUTH_REJECTED / TEMP_FAILURE),
 *                and whether its completion is the login latency
 * @param sink    where the message bytes of an IMAP literal or a POP3 multi-line body go; may be null
 */
public record Step(String command, Kind kind, String tag, boolean login, boolean sink) {

    public enum Kind {
        /** One line: {@code * OK} (IMAP) or {@code +OK} (POP3). */
        GREETING,
        /** Lines until {@code TAG OK|NO|BAD}; literals in untagged lines go to the sink. */
        IMAP_TAGGED,
        /** One line starting with {@code +} (IMAP IDLE's continuation). */
        IMAP_CONTINUATION,
        /** One line, {@code +OK} or {@code -ERR}. */
        POP3_LINE,
        /** {@code +OK} and then a dot-terminated body (RETR), de-stuffed into the sink. */
        POP3_MULTILINE
    }

    public static Step greeting() {
        return new Step(null, Kind.GREETING, null, false, false);
    }

    public static Step imap(String tag, String command) {
        return new Step(tag + " " + command, Kind.IMAP_TAGGED, tag, false, false);
    }

    public static Step imapLogin(String tag, String user, String password) {
        return new Step(tag + " LOGIN " + quote(user) + " " + quote(password), Kind.IMAP_TAGGED, tag, true, false);
    }

    public static Step imapFetch(String tag, String command) {
        return new Step(tag + " " + command, Kind.IMAP_TAGGED, tag, false, true);
    }

    public static Step imapIdle(String tag) {
        return new Step(tag + " IDLE", Kind.IMAP_CONTINUATION, tag, false, false);
    }

    public static Step pop3(String command) {
        return new Step(command, Kind.POP3_LINE, null, false, false);
    }

    public static Step pop3Login(String command) {
        return new Step(command, Kind.POP3_LINE, null, true, false);
    }

    public static Step pop3Retr(int message) {
        return new Step("RETR " + message, Kind.POP3_MULTILINE, null, false, true);
    }

    /** An IMAP quoted string (user names and passwords of a load test hold no CR or LF). */
    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
