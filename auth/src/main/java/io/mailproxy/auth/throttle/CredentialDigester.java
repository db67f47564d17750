package io.mailproxy.auth.throttle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed digests (HMAC-SHA256, cut to 128 bits, base64url) of user names and of user+password
 * pairs: the throttle remembers that a password failed without keeping the password, and a leaked
 * table of digests cannot be brute-forced offline without the key.
 *
 * <p>User names are compared as the account lookup usually does: blanks around them dropped, case
 * ignored ({@code Alice} and {@code alice } are one user).
 */
public final class CredentialDigester {

    private static final String ALGORITHM = "HmacSHA256";
    private static final int KEY_BYTES = 32;
    private static final int DIGEST_BYTES = 16;
    private static final byte USER_TAG = 'u';
    private static final byte CREDENTIAL_TAG = 'c';

    private final ThreadLocal<Mac> mac;

    /** A digester with a fresh random key: digests are comparable within this process only. */
    public static CredentialDigester withRandomKey() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new CredentialDigester(key);
    }

    /**
     * A digester with a given key, for state shared between instances (they all need the same
     * key).
     */
    public CredentialDigester(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("key needs at least 16 bytes");
        }
        SecretKeySpec spec = new SecretKeySpec(key.clone(), ALGORITHM);
        newMac(spec); // fail here, not on first use, if the JDK lacks HMAC-SHA256
        this.mac = ThreadLocal.withInitial(() -> newMac(spec));
    }

    /** The key for a user name. */
    public String userKey(String user) {
        return digest(USER_TAG, normalize(user), null);
    }

    /** The key for a user name together with a password. */
    public String credentialKey(String user, String password) {
        return digest(CREDENTIAL_TAG, normalize(user), Objects.requireNonNull(password, "password"));
    }

    static String normalize(String user) {
        return user.strip().toLowerCase(Locale.ROOT);
    }

    private String digest(byte tag, String user, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        Mac m = mac.get();
        m.update(tag);
        // length-prefixed, so ("ab", "c") and ("a", "bc") differ
        m.update(ByteBuffer.allocate(4).putInt(0, u.length));
        m.update(u);
        if (password != null) {
            m.update(password.getBytes(StandardCharsets.UTF_8));
        }
        byte[] full = m.doFinal(); // also resets the Mac for the next use on this thread
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, DIGEST_BYTES));
    }

    private static Mac newMac(SecretKeySpec spec) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(spec);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }
}
