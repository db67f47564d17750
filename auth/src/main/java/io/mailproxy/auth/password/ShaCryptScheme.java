package io.mailproxy.auth.password;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Ulrich Drepper's SHA-crypt: {@code $5$} (SHA-256) and {@code $6$} (SHA-512), optional
 * {@code rounds=N$} (default 5000, clamped to 1000..999999999 as glibc does), salt up to 16
 * characters.
 */
final class ShaCryptScheme implements PasswordScheme {

    static final ShaCryptScheme SHA256 = new ShaCryptScheme("sha256-crypt", "$5$", 43);
    static final ShaCryptScheme SHA512 = new ShaCryptScheme("sha512-crypt", "$6$", 86);

    private final String id;
    private final String prefix;
    private final Pattern format;

    private ShaCryptScheme(String id, String prefix, int hashLength) {
        this.id = id;
        this.prefix = prefix;
        this.format = Pattern.compile(Pattern.quote(prefix)
                + "(?:rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{" + hashLength + "}");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean recognises(String stored) {
        return stored.startsWith(prefix);
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        if (!format.matcher(stored).matches()) {
            return Verification.UNUSABLE;
        }
        String computed = prefix.equals("$5$") ? ShaCrypt.sha256(password, stored) : ShaCrypt.sha512(password, stored);
        return CryptSupport.matchOrMismatch(computed, stored);
    }

    @Override
    public boolean writable() {
        return true;
    }

    /** Default rounds (5000), written without {@code rounds=} like glibc does, 16-character salt. */
    @Override
    public String hash(byte[] password, SecureRandom random) {
        String salt = prefix + CryptSupport.salt(random, 16);
        return prefix.equals("$5$") ? ShaCrypt.sha256(password, salt) : ShaCrypt.sha512(password, salt);
    }
}
