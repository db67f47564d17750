package io.mailproxy.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Plain text, only when the stored value says so with Dovecot's {@code {PLAIN}} (or
 * {@code {CLEAR}}, {@code {CLEARTEXT}}) prefix: a bare string is never taken as plain text.
 * Verification only.
 */
final class PlainScheme implements PasswordScheme {

    @Override
    public String id() {
        return "plain";
    }

    /** Never recognised on its own: only reached through a prefix. */
    @Override
    public boolean recognises(String stored) {
        return false;
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        return MessageDigest.isEqual(password, stored.getBytes(StandardCharsets.UTF_8))
                ? Verification.MATCH : Verification.MISMATCH;
    }
}
