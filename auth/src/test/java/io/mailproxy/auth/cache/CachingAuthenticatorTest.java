package io.mailproxy.auth.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CachingAuthenticatorTest {

    private static final BackendRoute ROUTE = BackendRoute.of("mailhost01.example", 143);

    /** A clock that moves only when the test says so. */
    private static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration by) {
            nanos.addAndGet(by.toNanos());
        }
    }

    /** The account table: user -> password; counts the lookups that reach it. */
    private static final class TableAuthenticator implements Authenticator {
        final Map<String, String> passwords = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile Function<AuthRequest, CompletableFuture<AuthOutcome>> override;

        @Override
        public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
            calls.incrementAndGet();
            if (override != null) {
                return override.apply(request);
            }
            String stored = passwords.get(request.user());
            return CompletableFuture.completedFuture(stored != null && stored.equals(request.password())
                    ? new Accepted(ROUTE, request.user(), request.password())
                    : new Rejected("wrong user or password", Duration.ofMillis(1)));
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final TableAuthenticator table = new TableAuthenticator();

    CachingAuthenticatorTest() {
        table.passwords.put("alice", "secret");
    }

    private CachingAuthenticator cache(AuthCacheConfig config) {
        return new CachingAuthenticator(table, config, ticker, Runnable::run, new byte[32]);
    }

    private CachingAuthenticator cache() {
        return cache(AuthCacheConfig.defaults());
    }

    private static AuthRequest request(Protocol protocol, String user, String password) {
        return new AuthRequest(protocol, user, password, "LOGIN", null, 1, false);
    }

    private static AuthOutcome login(Authenticator auth, String user, String password) {
        CompletableFuture<AuthOutcome> f = auth.authenticate(request(Protocol.IMAP, user, password));
        assertThat(f).isDone();
        return f.join();
    }

    @Test
    void secondLoginShouldSkipTheDelegateWhenSamePasswordWithinTtl() {
        CachingAuthenticator cache = cache();

        AuthOutcome first = login(cache, "alice", "secret");
        AuthOutcome second = login(cache, "alice", "secret");

        assertThat(first).isInstanceOf(Accepted.class);
        assertThat(second).isEqualTo(new Accepted(ROUTE, "alice", "secret"));
        assertThat(table.calls).hasValue(1);
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void wrongPasswordShouldNeverBeServedFromTheCacheWhenTheRightOneIsCached() {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "secret");

        AuthOutcome wrong = login(cache, "alice", "Secret");
        AuthOutcome empty = login(cache, "alice", "");
        AuthOutcome prefix = login(cache, "alice", "secre");

        assertThat(wrong).isInstanceOf(Rejected.class);
        assertThat(empty).isInstanceOf(Rejected.class);
        assertThat(prefix).isInstanceOf(Rejected.class);
        assertThat(table.calls).hasValue(4);
    }

    @Test
    void otherUserOrProtocolShouldMissWhenOnlyAliceOnImapIsCached() {
        CachingAuthenticator cache = cache();
        table.passwords.put("Alice", "secret");
        login(cache, "alice", "secret");

        login(cache, "Alice", "secret");
        cache.authenticate(request(Protocol.POP3, "alice", "secret")).join();

        assertThat(table.calls).hasValue(3);
    }

    @Test
    void entryShouldExpireWhenTtlHasPassedSinceTheLookup() {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "secret");
        ticker.advance(Duration.ofSeconds(59));
        login(cache, "alice", "secret"); // a hit does not extend the entry
        assertThat(table.calls).hasValue(1);

        ticker.advance(Duration.ofSeconds(1));
        login(cache, "alice", "secret");

        assertThat(table.calls).hasValue(2);
    }

    @Test
    void changedPasswordShouldTakeEffectWhenTtlHasPassed() {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "secret");
        table.passwords.put("alice", "new-secret");

        AuthOutcome newWithinTtl = login(cache, "alice", "new-secret");
        ticker.advance(Duration.ofSeconds(61));
        AuthOutcome oldAfterTtl = login(cache, "alice", "secret");

        assertThat(newWithinTtl).isInstanceOf(Accepted.class);
        assertThat(oldAfterTtl).isInstanceOf(Rejected.class);
    }

    @Test
    void sameWrongPasswordShouldBeAnsweredFromTheCacheWhenWithinNegativeTtl() {
        CachingAuthenticator cache = cache();
        AuthOutcome first = login(cache, "alice", "guess");

        AuthOutcome second = login(cache, "alice", "guess");
        AuthOutcome other = login(cache, "alice", "guess2");

        assertThat(second).isSameAs(first).isInstanceOf(Rejected.class);
        assertThat(other).isInstanceOf(Rejected.class);
        assertThat(table.calls).hasValue(2);
    }

    @Test
    void cachedFailureShouldExpireWhenNegativeTtlHasPassed() {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "guess");
        table.passwords.put("alice", "guess");
        ticker.advance(Duration.ofSeconds(4));
        assertThat(login(cache, "alice", "guess")).isInstanceOf(Rejected.class);

        ticker.advance(Duration.ofSeconds(1));
        AuthOutcome after = login(cache, "alice", "guess");

        assertThat(after).isInstanceOf(Accepted.class);
        assertThat(table.calls).hasValue(2);
    }

    @Test
    void failuresShouldNotBeCachedWhenNegativeTtlIsZero() {
        CachingAuthenticator cache = cache(new AuthCacheConfig(Duration.ofSeconds(60), Duration.ZERO, 10));

        login(cache, "alice", "guess");
        login(cache, "alice", "guess");

        assertThat(table.calls).hasValue(2);
    }

    @Test
    void negativeTtlShouldBeCappedAtTtlWhenLonger() {
        AuthCacheConfig config = new AuthCacheConfig(Duration.ofSeconds(3), Duration.ofSeconds(10), 10);

        assertThat(config.negativeTtl()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void wrapShouldReturnTheDelegateWhenTtlIsZero() {
        Authenticator wrapped = CachingAuthenticator.wrap(table, new AuthCacheConfig(Duration.ZERO, Duration.ZERO, 1));

        assertThat(wrapped).isSameAs(table);
        assertThat(CachingAuthenticator.wrap(table, AuthCacheConfig.defaults())).isInstanceOf(CachingAuthenticator.class);
    }

    @Test
    void flushShouldForgetSuccessesAndFailuresWhenCalled() {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "secret");
        login(cache, "alice", "guess");

        cache.flush();
        login(cache, "alice", "secret");
        login(cache, "alice", "guess");

        assertThat(table.calls).hasValue(4);
    }

    @Test
    void lookupRunningDuringFlushShouldNotBeStoredWhenItCompletesAfterIt() {
        CachingAuthenticator cache = cache();
        CompletableFuture<AuthOutcome> pending = new CompletableFuture<>();
        table.override = r -> pending;
        CompletableFuture<AuthOutcome> f = cache.authenticate(request(Protocol.IMAP, "alice", "secret"));

        cache.flush();
        pending.complete(new Accepted(ROUTE, "alice", "secret"));
        table.override = null;
        login(cache, "alice", "secret");

        assertThat(f.join()).isInstanceOf(Accepted.class);
        assertThat(table.calls).hasValue(2);
    }

    @Test
    void unavailableShouldNeverBeCachedWhenTheDelegateCannotDecide() {
        CachingAuthenticator cache = cache();
        table.override = r -> CompletableFuture.completedFuture(new Unavailable("db down"));

        login(cache, "alice", "secret");
        login(cache, "alice", "secret");

        assertThat(table.calls).hasValue(2);
    }

    @Test
    void acceptedWithAnotherBackendPasswordShouldNotBeCachedWhenTheCacheWouldHaveToKeepIt() {
        CachingAuthenticator cache = cache();
        table.override = r -> CompletableFuture.completedFuture(new Accepted(ROUTE, "alice", "master-secret"));

        login(cache, "alice", "secret");
        AuthOutcome second = login(cache, "alice", "secret");

        assertThat(second).isEqualTo(new Accepted(ROUTE, "alice", "master-secret"));
        assertThat(table.calls).hasValue(2);
    }

    @Test
    void delegateThatThrowsShouldGiveUnavailableWhenCalled() {
        CachingAuthenticator cache = cache();
        table.override = r -> {
            throw new IllegalStateException("boom");
        };

        assertThat(login(cache, "alice", "secret")).isInstanceOf(Unavailable.class);
    }

    @Test
    void missShouldReturnAnIncompleteFutureWhenTheDelegateHasNotAnsweredYet() {
        CachingAuthenticator cache = cache();
        CompletableFuture<AuthOutcome> pending = new CompletableFuture<>();
        table.override = r -> pending;

        CompletableFuture<AuthOutcome> f = cache.authenticate(request(Protocol.IMAP, "alice", "secret"));

        assertThat(f).isNotDone();
        pending.complete(new Accepted(ROUTE, "alice", "secret"));
        assertThat(f.join()).isInstanceOf(Accepted.class);
    }

    @Test
    void hitsShouldBeAnsweredOnEveryCallerThreadWhileAnotherUsersLookupIsPending() throws Exception {
        CachingAuthenticator cache = cache();
        login(cache, "alice", "secret");
        CompletableFuture<AuthOutcome> pending = new CompletableFuture<>();
        table.override = r -> pending;
        CompletableFuture<AuthOutcome> bob = cache.authenticate(request(Protocol.IMAP, "bob", "pw"));

        int threads = 8;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int accepted = 0;
                    for (int i = 0; i < perThread; i++) {
                        CompletableFuture<AuthOutcome> f = cache.authenticate(request(Protocol.IMAP, "alice", "secret"));
                        if (f.isDone() && f.join() instanceof Accepted) {
                            accepted++;
                        }
                    }
                    return accepted;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> r : results) {
                total += r.get(60, TimeUnit.SECONDS);
            }

            assertThat(total).isEqualTo(threads * perThread);
            assertThat(bob).isNotDone();
            assertThat(table.calls).hasValue(2);
        } finally {
            pool.shutdownNow();
            pending.complete(new Rejected("x", Duration.ZERO));
        }
    }
}
