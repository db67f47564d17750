package io.mailproxy.auth.password;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2 in the PHC string format of the reference implementation:
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, salt and hash in unpadded standard
 * base-64. Verifies argon2id, argon2i and argon2d (version 19, or 16 when {@code v=} is absent);
 * writes argon2id with m=19456 KiB, t=2, p=1, a 16-byte salt and a 32-byte hash (the OWASP
 * baseline). A stored value asking for more than {@value #MAX_MEMORY_KIB} KiB of memory is refused
 * as unusable rather than risk exhausting the heap.
 */
final class Argon2Scheme implements PasswordScheme {

    static final int MAX_MEMORY_KIB = 1 << 20; // 1 GiB
    static final int WRITE_MEMORY_KIB = 19456;
    static final int WRITE_ITERATIONS = 2;
    static final int WRITE_PARALLELISM = 1;

    static final Argon2Scheme ARGON2ID = new Argon2Scheme("argon2id", Argon2Parameters.ARGON2_id);
    static final Argon2Scheme ARGON2I = new Argon2Scheme("argon2i", Argon2Parameters.ARGON2_i);
    static final Argon2Scheme ARGON2D = new Argon2Scheme("argon2d", Argon2Parameters.ARGON2_d);

    private static final Pattern FORMAT = Pattern.compile(
            "\\$argon2(?:id|i|d)(?:\\$v=([0-9]{1,3}))?\\$m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})"
                    + "\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");

    private final String id;
    private final int type;

    private Argon2Scheme(String id, int type) {
        this.id = id;
        this.type = type;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean recognises(String stored) {
        return stored.startsWith("$" + id + "$");
    }

    @Override
    public Verification verify(byte[] password, String stored) {
        Matcher m = FORMAT.matcher(stored);
        if (!recognises(stored) || !m.matches()) {
            return Verification.UNUSABLE;
        }
        long version = m.group(1) == null ? Argon2Parameters.ARGON2_VERSION_10 : Long.parseLong(m.group(1));
        long memory = Long.parseLong(m.group(2));
        long iterations = Long.parseLong(m.group(3));
        int parallelism = Integer.parseInt(m.group(4));
        if ((version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13)
                || parallelism < 1 || memory < 8L * parallelism || memory > MAX_MEMORY_KIB
                || iterations < 1 || iterations > Integer.MAX_VALUE) {
            return Verification.UNUSABLE;
        }
        byte[] salt;
        byte[] expected;
        try {
            salt = Base64.getDecoder().decode(m.group(5));
            expected = Base64.getDecoder().decode(m.group(6));
        } catch (IllegalArgumentException e) {
            return Verification.UNUSABLE;
        }
        if (salt.length < 8 || expected.length < 4) {
            return Verification.UNUSABLE;
        }
        byte[] computed = derive(type, (int) version, (int) memory, (int) iterations, parallelism, salt, password,
                expected.length);
        return MessageDigest.isEqual(computed, expected) ? Verification.MATCH : Verification.MISMATCH;
    }

    /** Only argon2id is written. */
    @Override
    public boolean writable() {
        return type == Argon2Parameters.ARGON2_id;
    }

    @Override
    public String hash(byte[] password, SecureRandom random) {
        if (!writable()) {
            return PasswordScheme.super.hash(password, random);
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] hash = derive(Argon2Parameters.ARGON2_id, Argon2Parameters.ARGON2_VERSION_13, WRITE_MEMORY_KIB,
                WRITE_ITERATIONS, WRITE_PARALLELISM, salt, password, 32);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + WRITE_MEMORY_KIB + ",t=" + WRITE_ITERATIONS + ",p=" + WRITE_PARALLELISM
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private static byte[] derive(int type, int version, int memoryKib, int iterations, int parallelism,
            byte[] salt, byte[] password, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(type)
                .withVersion(version)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }
}
