package io.mailproxy.auth.password;

/**
 * Checks a typed password against a stored value. {@link PasswordSchemes#check(String, String)} is
 * the real one; tests inject others to observe what is verified.
 */
@FunctionalInterface
public interface PasswordVerifier {

    /**
     * @param password the password the client typed (never null)
     * @param stored   the stored value, any supported format; null or empty is {@link Verification#UNUSABLE}
     */
    Verification check(String password, String stored);
}
