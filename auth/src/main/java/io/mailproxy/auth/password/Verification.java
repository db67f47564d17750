package io.mailproxy.auth.password;

/** The result of checking a password against a stored value. */
public enum Verification {
    /** The password matches. */
    MATCH,
    /** A well-formed stored hash that the password does not match. */
    MISMATCH,
    /**
     * The stored value is null, empty, of an unknown scheme or malformed: nobody can log in with it
     * (fail closed). An operator has to fix the row.
     */
    UNUSABLE
}
