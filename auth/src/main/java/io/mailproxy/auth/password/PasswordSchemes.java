package io.mailproxy.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry of password schemes: finds the scheme of a stored value, verifies, and hashes for
 * writing.
 *
 * <p>Recognised stored formats:
 * <ul>
 *   <li>crypt(3): 13-character traditional DES, {@code $1$} MD5-crypt, {@code $5$} SHA-256-crypt,
 *       {@code $6$} SHA-512-crypt (with optional {@code rounds=}), {@code $2a$/$2b$/$2y$} bcrypt;</li>
 *   <li>PHC strings {@code $argon2id$...} (and argon2i, argon2d);</li>
 *   <li>any of those behind a Dovecot prefix, case-insensitive: {@code {CRYPT}} (any crypt(3) form),
 *       {@code {MD5-CRYPT}}, {@code {SHA256-CRYPT}}, {@code {SHA512-CRYPT}}, {@code {BLF-CRYPT}},
 *       {@code {ARGON2ID}}, {@code {ARGON2I}}, and {@code {PLAIN}} / {@code {CLEAR}} /
 *       {@code {CLEARTEXT}} for plain text. A prefix must agree with the format that follows it.</li>
 * </ul>
 * Anything else, and a null or empty value, is {@link Verification#UNUSABLE}: no password matches
 * it. Passwords are encoded as UTF-8.
 */
public final class PasswordSchemes {

    /** The scheme {@link #hash(String)} writes: {@value}. */
    public static final String DEFAULT_SCHEME = "sha512-crypt";

    /**
     * A {@code $6$} hash (default 5000 rounds) that the password of an unknown user is checked
     * against, so that an unknown user costs about what a wrong password costs.
     */
    public static final String DUMMY_HASH =
            "$6$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz.";

    private static final PasswordScheme DES = new DesCryptScheme();
    private static final PasswordScheme MD5 = new Md5CryptScheme();
    private static final PasswordScheme BCRYPT = new BcryptScheme();
    private static final PasswordScheme PLAIN = new PlainScheme();

    /** Bare formats, in the order they are tried (DES last: it is the least specific). */
    private static final List<PasswordScheme> BARE = List.of(MD5, ShaCryptScheme.SHA256, ShaCryptScheme.SHA512,
            BCRYPT, Argon2Scheme.ARGON2ID, Argon2Scheme.ARGON2I, Argon2Scheme.ARGON2D, DES);

    /** Dovecot prefixes (upper case) and the formats each accepts after it. */
    private static final Map<String, List<PasswordScheme>> PREFIXES = Map.ofEntries(
            Map.entry("CRYPT", List.of(DES, MD5, ShaCryptScheme.SHA256, ShaCryptScheme.SHA512, BCRYPT)),
            Map.entry("MD5-CRYPT", List.of(MD5)),
            Map.entry("SHA256-CRYPT", List.of(ShaCryptScheme.SHA256)),
            Map.entry("SHA512-CRYPT", List.of(ShaCryptScheme.SHA512)),
            Map.entry("BLF-CRYPT", List.of(BCRYPT)),
            Map.entry("ARGON2ID", List.of(Argon2Scheme.ARGON2ID)),
            Map.entry("ARGON2I", List.of(Argon2Scheme.ARGON2I)),
            Map.entry("PLAIN", List.of(PLAIN)),
            Map.entry("CLEAR", List.of(PLAIN)),
            Map.entry("CLEARTEXT", List.of(PLAIN)));

    /** The schemes that can be written, by name, default first. */
    private static final Map<String, PasswordScheme> WRITABLE = new LinkedHashMap<>();

    static {
        WRITABLE.put(ShaCryptScheme.SHA512.id(), ShaCryptScheme.SHA512);
        WRITABLE.put(ShaCryptScheme.SHA256.id(), ShaCryptScheme.SHA256);
        WRITABLE.put(MD5.id(), MD5);
        WRITABLE.put(BCRYPT.id(), BCRYPT);
        WRITABLE.put(Argon2Scheme.ARGON2ID.id(), Argon2Scheme.ARGON2ID);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordSchemes() {
    }

    /**
     * Checks a password against a stored value of any recognised format.
     *
     * @param password the typed password; not null
     * @param stored   the stored value; null, empty or unrecognised gives {@link Verification#UNUSABLE}
     */
    public static Verification check(String password, String stored) {
        Objects.requireNonNull(password, "password");
        Optional<Resolved> resolved = resolve(stored);
        if (resolved.isEmpty()) {
            return Verification.UNUSABLE;
        }
        Resolved r = resolved.get();
        try {
            return r.scheme().verify(password.getBytes(StandardCharsets.UTF_8), r.value());
        } catch (RuntimeException e) {
            // A value that passed the format check but that the library still refuses: fail closed.
            return Verification.UNUSABLE;
        }
    }

    /** {@code true} only when the password matches; unusable stored values never match. */
    public static boolean verify(String password, String stored) {
        return check(password, stored) == Verification.MATCH;
    }

    /** {@link #check} as a {@link PasswordVerifier}. */
    public static PasswordVerifier verifier() {
        return PasswordSchemes::check;
    }

    /**
     * The name of the scheme a stored value uses ({@code sha512-crypt}, {@code des-crypt},
     * {@code bcrypt}, {@code argon2id}, {@code plain}, ...), or empty when it is null, empty or
     * unrecognised. Looks only at the format: a malformed value of a known family still names it.
     */
    public static Optional<String> identify(String stored) {
        return resolve(stored).map(r -> r.scheme().id());
    }

    /** Hashes with {@link #DEFAULT_SCHEME}. */
    public static String hash(String password) {
        return hash(DEFAULT_SCHEME, password);
    }

    /**
     * A new stored value for {@code password} with a random salt.
     *
     * @param scheme one of {@link #writableSchemes()}: {@code sha512-crypt}, {@code sha256-crypt},
     *               {@code md5-crypt}, {@code bcrypt}, {@code argon2id} (case-insensitive)
     * @throws IllegalArgumentException for any other scheme name (the message lists the valid ones)
     */
    public static String hash(String scheme, String password) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(password, "password");
        PasswordScheme s = WRITABLE.get(scheme.trim().toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown password scheme '" + scheme + "' (expected one of "
                    + String.join(", ", WRITABLE.keySet()) + ")");
        }
        return s.hash(password.getBytes(StandardCharsets.UTF_8), RANDOM);
    }

    /** The scheme names {@link #hash(String, String)} takes, the default first. */
    public static List<String> writableSchemes() {
        return List.copyOf(WRITABLE.keySet());
    }

    private static Optional<Resolved> resolve(String stored) {
        if (stored == null || stored.isEmpty()) {
            return Optional.empty();
        }
        if (stored.charAt(0) == '{') {
            int close = stored.indexOf('}');
            if (close < 0) {
                return Optional.empty();
            }
            List<PasswordScheme> allowed = PREFIXES.get(stored.substring(1, close).toUpperCase(Locale.ROOT));
            String value = stored.substring(close + 1);
            if (allowed == null || value.isEmpty()) {
                return Optional.empty();
            }
            if (allowed.contains(PLAIN)) {
                return Optional.of(new Resolved(PLAIN, value));
            }
            return find(allowed, value);
        }
        return find(BARE, stored);
    }

    private static Optional<Resolved> find(List<PasswordScheme> candidates, String value) {
        for (PasswordScheme s : candidates) {
            if (s.recognises(value)) {
                return Optional.of(new Resolved(s, value));
            }
        }
        return Optional.empty();
    }

    private record Resolved(PasswordScheme scheme, String value) {
        @Override
        public String toString() {
            return "Resolved[" + scheme.id() + "]"; // never the value
        }
    }
}
