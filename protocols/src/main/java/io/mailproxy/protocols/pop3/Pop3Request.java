package io.mailproxy.protocols.pop3;

/**
 * One line from a POP3 client, as decoded before login: a command (keyword and argument), or a
 * framing problem. The session decides what it means: in a SASL exchange the whole {@link #line()}
 * is the client's response, otherwise it is a command. Never reference-counted.
 *
 * <p>Parsing: the keyword runs up to the first space (case-insensitive lookup); the spaces after it
 * are skipped and the rest of the line, verbatim, is the {@link #argument()} (so a password may
 * contain spaces, as RFC 1939 allows and nginx does).
 *
 * @param line     the line without its CRLF (null when {@code problem} is set)
 * @param keyword  the first word as typed ("" for an empty line)
 * @param command  the known command for the keyword, or null
 * @param argument everything after the keyword and the spaces following it; null when nothing follows
 * @param problem  why the line cannot be a command, or null
 */
public record Pop3Request(String line, String keyword, Pop3Command command, String argument, Problem problem) {

    /** A line that is not a command whatever the state. */
    public enum Problem {
        /** The line ended in LF without CR (strict CRLF framing). */
        BARE_LF("-ERR line must end with CRLF"),
        /** A NUL byte in the line. */
        NUL("-ERR NUL byte in command"),
        /** Bytes that are not UTF-8. */
        NOT_UTF8("-ERR invalid UTF-8 in command");

        private final String reply;

        Problem(String reply) {
            this.reply = reply;
        }

        /** The reply line, without CRLF. */
        public String reply() {
            return reply;
        }
    }

    public static Pop3Request problem(Problem problem) {
        return new Pop3Request(null, "", null, null, problem);
    }

    /** Parses a CRLF-stripped line. */
    public static Pop3Request parse(String line) {
        int sp = line.indexOf(' ');
        String keyword = sp < 0 ? line : line.substring(0, sp);
        String argument = null;
        if (sp >= 0) {
            int from = sp;
            while (from < line.length() && line.charAt(from) == ' ') {
                from++;
            }
            if (from < line.length()) {
                argument = line.substring(from);
            }
        }
        return new Pop3Request(line, keyword, Pop3Command.lookup(keyword), argument, null);
    }

    /** The argument split at runs of spaces (trailing spaces ignored); empty when there is none. */
    public String[] arguments() {
        return argument == null ? new String[0] : argument.strip().split(" +");
    }

    /** Never shows the line or the argument: they may hold a password. */
    @Override
    public String toString() {
        return problem != null ? "Pop3Request[" + problem + "]" : "Pop3Request[" + (command != null ? command : "?") + "]";
    }
}
