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
     * before it answers, then lets the client retry.
     *
     * @param reason for the log, never shown to the client
     */
    record Rejected(String reason, Duration delay) implements AuthOutcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(delay, "delay");
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
