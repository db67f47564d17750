package io.mailproxy.auth.password;

import java.security.SecureRandom;

/**
 * One family of stored password formats. Implementations are stateless and thread-safe.
 * Passwords arrive as UTF-8 bytes; comparisons of computed and stored values are constant-time.
 */
public interface PasswordScheme {

    /** The scheme's name as shown by {@code mailproxy users list} and taken by {@code --scheme}. */
    String id();

    /** Whether {@code stored} (without any {@code {SCHEME}} prefix) looks like this scheme's format. */
    boolean recognises(String stored);

    /**
     * Checks the password. Only called when {@link #recognises} said yes; still answers
     * {@link Verification#UNUSABLE} when the value turns out to be malformed.
     */
    Verification verify(byte[] password, String stored);

    /** Whether {@link #hash} works. */
    default boolean writable() {
        return false;
    }

    /** A new stored value for the password, with a fresh random salt. */
    default String hash(byte[] password, SecureRandom random) {
        throw new UnsupportedOperationException(id() + " is accepted for verification only");
    }
}
