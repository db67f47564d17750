package io.mailproxy.bench;

import java.util.Locale;

/** Why one session of a load run failed; counted per kind in the summary. */
public enum ErrorKind {
    /** The TCP connection could not be made (refused, timed out). */
    CONNECT,
    /** The session did not finish within the per-session timeout. */
    TIMEOUT,
    /** The login was refused as wrong ({@code NO}, {@code -ERR} without a temporary-failure code). */
    AUTH_REJECTED,
    /** The login was refused as temporary ({@code [UNAVAILABLE]}, {@code [SYS/TEMP]}). */
    TEMP_FAILURE,
    /** Any other unexpected reply. */
    PROTOCOL,
    /** The server closed the connection in mid-session. */
    CLOSED,
    /** A downloaded message did not match the expected digest. */
    VERIFY,
    /** Open loop ({@code --rate}): a session was due while the in-flight cap was reached; not started. */
    OVERLOAD;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
