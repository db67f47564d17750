package io.mailproxy.auth.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authentication cache in front of any {@link Authenticator}, in the manner of Dovecot's
 * {@code auth_cache_ttl}:
 *
 * <ul>
 *   <li><b>Successes</b> are kept per protocol + user name (exactly as typed: the account table
 *       decides whether names are case-sensitive, not the cache) for {@link AuthCacheConfig#ttl()}
 *       from the lookup that verified them, together with a keyed digest (HMAC-SHA256, random key
 *       per process) of the password that was verified, never the password itself. A login with
 *       the same user and a password of the same digest is answered from memory: no database
 *       query, no crypt. Any other password goes to the delegate.</li>
 *   <li><b>Failures</b> ({@code Rejected}) are kept per digest of protocol + user + password for
 *       the shorter {@link AuthCacheConfig#negativeTtl()}: the same wrong password is answered from
 *       memory, a different one goes to the delegate.</li>
 *   <li>{@code Unavailable} is never cached. An {@code Accepted} whose backend password is not the
 *       client's own (a master-password setup) is not cached either: the cache would have to keep
 *       that secret.</li>
 *   <li>{@link #flush()} forgets everything, including the lookups still running when it is called
 *       (their outcomes are answered but not stored).</li>
 * </ul>
 *
 * <p>Put a {@link io.mailproxy.auth.throttle.ThrottlingAuthenticator} outside the cache, so a
 * failure answered from the cache is still counted and delayed.
 *
 * <p>Threads: on the calling thread (an event loop) one HMAC of the password (a microsecond or
 * two) and one hash-map look-up, neither of which blocks. A hit returns a completed future (the
 * caller's continuation hops back to its own loop as it does for any outcome); a miss returns the
 * delegate's future, and the outcome is stored in a continuation on whatever thread completes it.
 */
public final class CachingAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(CachingAuthenticator.class);
    private static final String ALGORITHM = "HmacSHA256";

    private final Authenticator delegate;
    private final AuthCacheConfig config;
    private final Cache<String, Success> successes;
    private final Cache<String, Rejected> failures;
    private final ThreadLocal<Mac> mac;
    private final AtomicLong generation = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** What a cached success keeps: where to go, and the digest of the password that was verified. */
    private record Success(BackendRoute route, String backendUser, byte[] passwordDigest) {
    }

    /** On the system clock, with a fresh random key. */
    public CachingAuthenticator(Authenticator delegate, AuthCacheConfig config) {
        this(delegate, config, Ticker.systemTicker(), ForkJoinPool.commonPool(), randomKey());
    }

    /**
     * @param ticker   the clock (tests advance a fake one)
     * @param executor where Caffeine runs its maintenance ({@code Runnable::run} in tests)
     * @param key      the HMAC key, at least 16 bytes
     */
    public CachingAuthenticator(Authenticator delegate, AuthCacheConfig config, Ticker ticker, Executor executor,
            byte[] key) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(executor, "executor");
        if (key.length < 16) {
            throw new IllegalArgumentException("key needs at least 16 bytes");
        }
        this.successes = Caffeine.newBuilder().maximumSize(config.maxEntries())
                .expireAfterWrite(config.ttl()).ticker(ticker).executor(executor).build();
        this.failures = Caffeine.newBuilder().maximumSize(config.maxEntries())
                .expireAfterWrite(config.negativeTtl().isZero() ? config.ttl() : config.negativeTtl())
                .ticker(ticker).executor(executor).build();
        SecretKeySpec spec = new SecretKeySpec(key.clone(), ALGORITHM);
        newMac(spec); // fail now, not on the first login, if the JDK lacks HMAC-SHA256
        this.mac = ThreadLocal.withInitial(() -> newMac(spec));
    }

    /** {@code delegate} itself when the cache is off ({@code ttl = 0}), else a cache in front of it. */
    public static Authenticator wrap(Authenticator delegate, AuthCacheConfig config) {
        return config.enabled() ? new CachingAuthenticator(delegate, config) : delegate;
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        String userKey = userKey(request);
        byte[] digest = digest(request);
        Success success = successes.getIfPresent(userKey);
        if (success != null && MessageDigest.isEqual(success.passwordDigest(), digest)) {
            hits.increment();
            return CompletableFuture.completedFuture(
                    new Accepted(success.route(), success.backendUser(), request.password()));
        }
        String failureKey = null;
        if (!config.negativeTtl().isZero()) {
            failureKey = Base64.getEncoder().withoutPadding().encodeToString(digest);
            Rejected rejected = failures.getIfPresent(failureKey);
            if (rejected != null) {
                hits.increment();
                return CompletableFuture.completedFuture(rejected);
            }
        }
        misses.increment();
        long started = generation.get();
        String negativeKey = failureKey;
        CompletableFuture<AuthOutcome> future;
        try {
            future = delegate.authenticate(request);
        } catch (RuntimeException e) {
            LOG.warn("authenticator threw instead of completing its future", e);
            return CompletableFuture.completedFuture(new AuthOutcome.Unavailable("authenticator failed: " + e));
        }
        if (future == null) {
            return CompletableFuture.completedFuture(new AuthOutcome.Unavailable("authenticator returned no future"));
        }
        return future.thenApply(outcome -> {
            try {
                remember(request, userKey, digest, negativeKey, started, outcome);
            } catch (RuntimeException e) {
                LOG.warn("auth cache: outcome not stored", e); // the login itself is decided
            }
            return outcome;
        });
    }

    private void remember(AuthRequest request, String userKey, byte[] digest, String failureKey, long started,
            AuthOutcome outcome) {
        if (generation.get() != started) {
            return; // flushed while this lookup ran: its answer may be what the flush was for
        }
        if (outcome instanceof Accepted a && a.backendPassword().equals(request.password())) {
            Success s = new Success(a.route(), a.backendUser(), digest);
            successes.put(userKey, s);
            if (generation.get() != started) {
                successes.asMap().remove(userKey, s); // a flush ran between the check and the put
            }
        } else if (outcome instanceof Rejected r && failureKey != null) {
            failures.put(failureKey, r);
            if (generation.get() != started) {
                failures.asMap().remove(failureKey, r);
            }
        }
    }

    /** Forgets every cached success and failure, and the outcomes of lookups still running. */
    public void flush() {
        generation.incrementAndGet();
        long entries = successes.estimatedSize() + failures.estimatedSize();
        successes.invalidateAll();
        failures.invalidateAll();
        LOG.info("auth cache flushed (about {} entries; {} hits, {} misses so far)", entries, hits.sum(),
                misses.sum());
    }

    /** Logins answered from the cache so far (successes and failures). */
    public long hits() {
        return hits.sum();
    }

    /** Logins passed to the delegate so far. */
    public long misses() {
        return misses.sum();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static String userKey(AuthRequest request) {
        return request.protocol().id() + '\0' + request.user();
    }

    /** HMAC over protocol, user and password, each length-prefixed so no two triples collide. */
    private byte[] digest(AuthRequest request) {
        Mac m = mac.get();
        update(m, request.protocol().id());
        update(m, request.user());
        update(m, request.password());
        return m.doFinal(); // also resets the Mac for this thread's next use
    }

    private static void update(Mac m, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        m.update(ByteBuffer.allocate(4).putInt(0, bytes.length).array());
        m.update(bytes);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
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
