package io.mailproxy.auth;

import java.time.Duration;
import java.util.Objects;

/** What an {@link Authenticator} decided about one {@link AuthRequest}. */
public sealed interface AuthOutcome {

    /**
     * Credentials are good: connect to {@code route} and log in there as {@code backendUser} with
     * {@code backendPassword}.
     *
     * @param backendPassword the password to send to the backend; usually the client's own
     */
    record Accepted(BackendRoute route, String backendUser, String backendPassword) implements AuthOutcome {
        public Accepted {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(backendUser, "backendUser");
            Objects.requireNonNull(backendPassword, "backendPassword");
        }

        @Override
        public String toString() {
            return "Accepted[route=" + route + ", backendUser=" + backendUser + "]";
        }
    }

    /**
     * Wrong user or password (or the account may not log in). The front-end waits {@code delay}
     * before it answers, then lets the client retry (or, with {@code closeAfterReply}, closes).
     *
     * @param reason          for the log, never shown to the client
     * @param delay           how long to wait before answering
     * @param clientMessage   text the front-end shows instead of its own reply text (nginx
     *                        auth_http's error {@code Auth-Status}: POP3 {@code -ERR <text>}, IMAP
     *                        {@code <tag> NO <text>}); null for the protocol's default reply. Never
     *                        holds CR, LF or other control characters
     * @param errorCode       the auth server's {@code Auth-Error-Code} (an SMTP reply code such as
     *                        {@code 535 5.7.8}), kept for SMTP; null when none
     * @param closeAfterReply close the connection after the reply instead of letting the client
     *                        retry (nginx does so for an auth_http error without {@code Auth-Wait})
     */
    record Rejected(String reason, Duration delay, String clientMessage, String errorCode, boolean closeAfterReply)
            implements AuthOutcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(delay, "delay");
            if (clientMessage != null) {
                for (int i = 0; i < clientMessage.length(); i++) {
                    char c = clientMessage.charAt(i);
                    if (c < 0x20 || c == 0x7f) {
                        throw new IllegalArgumentException("control character in client message");
                    }
                }
            }
        }

        /** The usual rejection: the protocol's own reply after {@code delay}, then the client may retry. */
        public Rejected(String reason, Duration delay) {
            this(reason, delay, null, null, false);
        }

        /** The same rejection with another delay. */
        public Rejected withDelay(Duration newDelay) {
            return new Rejected(reason, newDelay, clientMessage, errorCode, closeAfterReply);
        }
    }

    /**
     * Could not decide now (database down or slow, pool saturated, ...): the client gets the
     * temporary-failure reply.
     *
     * @param reason for the log, never shown to the client
     */
    record Unavailable(String reason) implements AuthOutcome {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
