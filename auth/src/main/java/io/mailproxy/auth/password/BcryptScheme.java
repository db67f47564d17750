package io.mailproxy.auth.password;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt as OpenBSD writes it: {@code $2a$}, {@code $2b$} or {@code $2y$}, a two-digit cost
 * (4..31), 22 characters of salt and 31 of hash. Like every crypt(3) bcrypt, only the first 72
 * bytes of the password count. Written as {@code $2b$} with cost {@value #WRITE_COST}.
 */
final class BcryptScheme implements PasswordScheme {

    static final int WRITE_COST = 10;
    private static final int MAX_PASSWORD_BYTES = 72;
    private static final Pattern FORMAT =
            Pattern.compile("\\$(2[aby])\\$([0-9]{2})\\$([./A-Za-z0-9]{22})[./A-Za-z0-9]{31}");
    private static final String BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    @Override
    public String id() {
        return "bcrypt";
    }

    @Override
    public boolean recognises(String stored) {
        return stored.startsWith("$2");
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        Matcher m = FORMAT.matcher(stored);
        if (!m.matches()) {
            return Verification.UNUSABLE;
        }
        int cost = Integer.parseInt(m.group(2));
        if (cost < 4 || cost > 31) {
            return Verification.UNUSABLE;
        }
        String computed = OpenBSDBCrypt.generate(m.group(1), truncate(password), decodeSalt(m.group(3)), cost);
        return CryptSupport.matchOrMismatch(computed, stored);
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public String hash(byte[] password, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", truncate(password), salt, WRITE_COST);
    }

    private static byte[] truncate(byte[] password) {
        return password.length > MAX_PASSWORD_BYTES ? Arrays.copyOf(password, MAX_PASSWORD_BYTES) : password;
    }

    /** 22 characters of bcrypt's base-64 (its own alphabet, no padding) to the 16 salt bytes. */
    private static byte[] decodeSalt(String salt) {
        char[] standard = new char[salt.length()];
        for (int i = 0; i < standard.length; i++) {
            standard[i] = STANDARD_ALPHABET.charAt(BCRYPT_ALPHABET.indexOf(salt.charAt(i)));
        }
        return Arrays.copyOf(Base64.getDecoder().decode(new String(standard)), 16);
    }
}
