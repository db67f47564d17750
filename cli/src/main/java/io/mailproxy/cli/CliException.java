package io.mailproxy.cli;

/**
 * A failure a person can act on: {@link Main} prints {@code mailproxy: <message>} (no stack trace)
 * and exits with {@link #exitCode()}.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) {
        this(message, ExitCodes.FAILURE);
    }

    public CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
