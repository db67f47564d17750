package io.mailproxy.auth.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link CachingAuthenticator}.
 *
 * @param ttl         how long a successful login is remembered, counted from the lookup that
 *                    verified it (a hit does not extend it): a password changed in the table takes
 *                    effect within this time. Zero turns the whole cache off. Default 60 s.
 * @param negativeTtl how long a failed user+password pair is remembered (zero: failures are not
 *                    cached). Default 5 s: long enough to spare the database and the crypt when a
 *                    client with a stale password retries at once, short enough that a password set
 *                    to what a user keeps typing works within seconds. Never longer than {@code ttl}.
 * @param maxEntries  the cap of each of the two tables (successes, failures), least-used first out.
 *                    Default 100,000 (a few hundred bytes each).
 */
public record AuthCacheConfig(Duration ttl, Duration negativeTtl, int maxEntries) {

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    public AuthCacheConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(negativeTtl, "negativeTtl");
        if (ttl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("auth cache TTLs must not be negative");
        }
        if (negativeTtl.compareTo(ttl) > 0) {
            // a cached failure must not outlive what a password change is promised to take
            negativeTtl = ttl;
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("auth cache size must be positive: " + maxEntries);
        }
    }

    /** 60 s, failures 5 s, 100,000 entries. */
    public static AuthCacheConfig defaults() {
        return new AuthCacheConfig(DEFAULT_TTL, DEFAULT_NEGATIVE_TTL, DEFAULT_MAX_ENTRIES);
    }

    /** Whether there is a cache at all ({@code ttl > 0}). */
    public boolean enabled() {
        return !ttl.isZero();
    }
}
