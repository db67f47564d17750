package io.mailproxy.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/** Helpers shared by the crypt(3) families. */
final class CryptSupport {

    /** The crypt(3) base-64 alphabet, in crypt order. */
    static final String ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private CryptSupport() {
    }

    /** {@code length} random characters of {@link #ALPHABET}. */
    static String salt(SecureRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Constant-time comparison (for equal lengths) of two ASCII strings. */
    static boolean sameAscii(String computed, String stored) {
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                stored.getBytes(StandardCharsets.US_ASCII));
    }

    static Verification matchOrMismatch(String computed, String stored) {
        return sameAscii(computed, stored) ? Verification.MATCH : Verification.MISMATCH;
    }
}
