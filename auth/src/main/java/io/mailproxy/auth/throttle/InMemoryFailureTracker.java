package io.mailproxy.auth.throttle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A {@link FailureTracker} in this process's memory: three Caffeine caches (failures per client
 * group, failures per user, credentials already seen), each capped at
 * {@link ThrottleConfig#maxEntries()} and each entry expiring {@link ThrottleConfig#window()} after
 * it was created (a fixed window: more failures do not extend it). When a cache is full Caffeine
 * evicts by frequency and recency (W-TinyLFU), so a flood of one-off keys tends not to push out the
 * counters of the clients that keep failing.
 *
 * <p>Every call is a constant number of hash-map operations; nothing blocks beyond the map's short
 * per-entry lock.
 */
public final class InMemoryFailureTracker implements FailureTracker {

    private static final String SEEN_FROM_IP = "i|";
    private static final String SEEN_FOR_USER = "u|";

    private final Cache<String, Integer> ipFailures;
    private final Cache<String, Integer> userFailures;
    private final Cache<String, Boolean> seen;

    /** A tracker on the system clock. */
    public InMemoryFailureTracker(ThrottleConfig config) {
        this(config, Ticker.systemTicker());
    }

    /** A tracker on the given clock (tests advance a fake one). */
    public InMemoryFailureTracker(ThrottleConfig config, Ticker ticker) {
        this(config, ticker, ForkJoinPool.commonPool());
    }

    /** As above, with Caffeine's maintenance run on {@code executor} ({@code Runnable::run} in tests). */
    InMemoryFailureTracker(ThrottleConfig config, Ticker ticker, Executor executor) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(executor, "executor");
        this.ipFailures = newCache(config, ticker, executor);
        this.userFailures = newCache(config, ticker, executor);
        this.seen = newCache(config, ticker, executor);
    }

    private static <V> Cache<String, V> newCache(ThrottleConfig config, Ticker ticker, Executor executor) {
        Duration window = config.window();
        return Caffeine.newBuilder()
                .maximumSize(config.maxEntries())
                .expireAfter(Expiry.<String, V>creating((key, value) -> window))
                .ticker(ticker)
                .executor(executor)
                .build();
    }

    @Override
    public int ipFailures(String ipKey) {
        return count(ipFailures, ipKey);
    }

    @Override
    public int userFailures(String userKey) {
        return count(userFailures, userKey);
    }

    @Override
    public Counts recordFailure(String ipKey, String userKey, String credentialKey) {
        Objects.requireNonNull(userKey, "userKey");
        Objects.requireNonNull(credentialKey, "credentialKey");
        int ipCount = 0;
        boolean ipCounted = false;
        if (ipKey != null) {
            ipCounted = firstSighting(SEEN_FROM_IP + ipKey + '|' + credentialKey);
            ipCount = ipCounted ? increment(ipFailures, ipKey) : count(ipFailures, ipKey);
        }
        boolean userCounted = firstSighting(SEEN_FOR_USER + credentialKey);
        int userCount = userCounted ? increment(userFailures, userKey) : count(userFailures, userKey);
        return new Counts(ipCount, userCount, ipCounted, userCounted);
    }

    @Override
    public void recordSuccess(String userKey) {
        // The user's "seen" credentials stay: they are wrong passwords, and retrying one must still
        // not count twice. They expire with the window.
        userFailures.invalidate(Objects.requireNonNull(userKey, "userKey"));
    }

    @Override
    public void clear() {
        ipFailures.invalidateAll();
        userFailures.invalidateAll();
        seen.invalidateAll();
    }

    /** Runs pending evictions and expirations now (tests). */
    void cleanUp() {
        ipFailures.cleanUp();
        userFailures.cleanUp();
        seen.cleanUp();
    }

    long ipEntries() {
        return ipFailures.estimatedSize();
    }

    long userEntries() {
        return userFailures.estimatedSize();
    }

    long seenEntries() {
        return seen.estimatedSize();
    }

    private boolean firstSighting(String key) {
        return seen.asMap().putIfAbsent(key, Boolean.TRUE) == null;
    }

    private static int count(Cache<String, Integer> cache, String key) {
        if (key == null) {
            return 0;
        }
        Integer n = cache.getIfPresent(key);
        return n == null ? 0 : n;
    }

    private static int increment(Cache<String, Integer> cache, String key) {
        // merge keeps the entry's creation-based expiry: the window does not slide
        return cache.asMap().merge(key, 1, (a, b) -> a == Integer.MAX_VALUE ? a : a + b);
    }
}
