package io.mailproxy.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Ulrich Drepper's SHA-crypt ({@code $5$}, {@code $6$}) computed with one {@link MessageDigest}
 * for the whole hash and no allocation inside the rounds loop. The result is the same as glibc's
 * and commons-codec's {@code Sha2Crypt} (checked against both in the tests); commons-codec asks
 * the JCA for a new digest in every one of the 5,000 rounds, which costs more than the hashing.
 */
final class ShaCrypt {

    private static final int DEFAULT_ROUNDS = 5000;
    private static final int MIN_ROUNDS = 1000;
    private static final int MAX_ROUNDS = 999_999_999;
    private static final int MAX_SALT = 16;
    private static final String ROUNDS = "rounds=";

    private ShaCrypt() {
    }

    /** {@code $5$...}: SHA-256-crypt of {@code key} with the salt (and rounds) of {@code setting}. */
    static String sha256(byte[] key, String setting) {
        return crypt(key, setting, "$5$", "SHA-256", 32);
    }

    /** {@code $6$...}: SHA-512-crypt of {@code key} with the salt (and rounds) of {@code setting}. */
    static String sha512(byte[] key, String setting) {
        return crypt(key, setting, "$6$", "SHA-512", 64);
    }

    private static String crypt(byte[] key, String setting, String prefix, String algorithm, int size) {
        if (!setting.startsWith(prefix)) {
            throw new IllegalArgumentException("not a " + prefix + " setting");
        }
        int pos = prefix.length();
        int rounds = DEFAULT_ROUNDS;
        boolean customRounds = false;
        if (setting.startsWith(ROUNDS, pos)) {
            int end = setting.indexOf('$', pos + ROUNDS.length());
            if (end < 0) {
                throw new IllegalArgumentException("rounds= without $");
            }
            long n = Long.parseLong(setting.substring(pos + ROUNDS.length(), end));
            rounds = (int) Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, n));
            customRounds = true;
            pos = end + 1;
        }
        int saltEnd = setting.indexOf('$', pos);
        if (saltEnd < 0) {
            saltEnd = setting.length();
        }
        String saltText = setting.substring(pos, Math.min(saltEnd, pos + MAX_SALT));
        byte[] salt = saltText.getBytes(StandardCharsets.UTF_8);

        MessageDigest md = digest(algorithm);
        int keyLen = key.length;

        // B = H(key salt key)
        md.update(key);
        md.update(salt);
        md.update(key);
        byte[] alt = md.digest();

        // A = H(key salt B-repeated-to-key-length bits-of-key-length(B|key))
        md.update(key);
        md.update(salt);
        int cnt;
        for (cnt = keyLen; cnt > size; cnt -= size) {
            md.update(alt, 0, size);
        }
        md.update(alt, 0, cnt);
        for (cnt = keyLen; cnt > 0; cnt >>= 1) {
            if ((cnt & 1) != 0) {
                md.update(alt, 0, size);
            } else {
                md.update(key);
            }
        }
        finish(md, alt, size);

        // P: H(key * keyLen) repeated to the key's length
        for (int i = 0; i < keyLen; i++) {
            md.update(key);
        }
        byte[] dp = md.digest();
        byte[] p = new byte[keyLen];
        for (int i = 0; i < keyLen; i++) {
            p[i] = dp[i % size];
        }

        // S: H(salt * (16 + A[0])) cut to the salt's length
        int saltRepeat = 16 + (alt[0] & 0xff);
        for (int i = 0; i < saltRepeat; i++) {
            md.update(salt);
        }
        byte[] ds = md.digest();
        byte[] s = Arrays.copyOf(ds, salt.length);

        for (int i = 0; i < rounds; i++) {
            boolean odd = (i & 1) != 0;
            if (odd) {
                md.update(p);
            } else {
                md.update(alt, 0, size);
            }
            if (i % 3 != 0) {
                md.update(s);
            }
            if (i % 7 != 0) {
                md.update(p);
            }
            if (odd) {
                md.update(alt, 0, size);
            } else {
                md.update(p);
            }
            finish(md, alt, size);
        }
        Arrays.fill(p, (byte) 0);
        Arrays.fill(dp, (byte) 0);

        StringBuilder out = new StringBuilder(prefix.length() + 20 + saltText.length() + 87).append(prefix);
        if (customRounds) {
            out.append(ROUNDS).append(rounds).append('$');
        }
        out.append(saltText).append('$');
        if (size == 64) {
            for (int k = 0; k < 21; k++) {
                int a = k;
                int b = k + 21;
                int c = k + 42;
                switch (k % 3) {
                    case 0 -> b64(out, alt[a], alt[b], alt[c], 4);
                    case 1 -> b64(out, alt[b], alt[c], alt[a], 4);
                    default -> b64(out, alt[c], alt[a], alt[b], 4);
                }
            }
            b64(out, (byte) 0, (byte) 0, alt[63], 2);
        } else {
            for (int k = 0; k < 10; k++) {
                int a = k;
                int b = k + 10;
                int c = k + 20;
                switch (k % 3) {
                    case 0 -> b64(out, alt[a], alt[b], alt[c], 4);
                    case 1 -> b64(out, alt[c], alt[a], alt[b], 4);
                    default -> b64(out, alt[b], alt[c], alt[a], 4);
                }
            }
            b64(out, (byte) 0, alt[31], alt[30], 3);
        }
        return out.toString();
    }

    private static void finish(MessageDigest md, byte[] into, int size) {
        try {
            md.digest(into, 0, size); // also resets the digest
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int chars) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < chars; i++) {
            out.append(CryptSupport.ALPHABET.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }
}
