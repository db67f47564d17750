package io.mailproxy.cli;

/** The exit codes of the {@code mailproxy} command. */
public final class ExitCodes {
    /** Success; for {@code check}: the login was accepted. */
    public static final int OK = 0;
    /** A runtime error a person can act on (the message says what); for {@code check}: rejected. */
    public static final int FAILURE = 1;
    /** A usage error (unknown flag, bad value); for {@code check}: the store was unavailable. */
    public static final int USAGE = 2;

    public static final int CHECK_ACCEPTED = 0;
    public static final int CHECK_REJECTED = 1;
    public static final int CHECK_UNAVAILABLE = 2;

    private ExitCodes() {
    }
}
