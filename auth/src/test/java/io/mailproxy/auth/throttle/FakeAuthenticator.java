package io.mailproxy.auth.throttle;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Password {@code right} is accepted, anything else rejected with a 1 ms delay (so a test can tell
 * the throttle's delay from the delegate's); completed futures unless a test swaps the behaviour.
 */
final class FakeAuthenticator implements Authenticator {

    static final Duration DELEGATE_DELAY = Duration.ofMillis(1);
    static final AuthOutcome.Accepted ACCEPTED =
            new AuthOutcome.Accepted(BackendRoute.of("backend.example", 143), "u", "p");

    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    volatile Function<AuthRequest, CompletableFuture<AuthOutcome>> behaviour = FakeAuthenticator::byPassword;

    static CompletableFuture<AuthOutcome> byPassword(AuthRequest request) {
        return CompletableFuture.completedFuture(request.password().equals("right")
                ? ACCEPTED
                : new AuthOutcome.Rejected("wrong password", DELEGATE_DELAY));
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        calls.incrementAndGet();
        return behaviour.apply(request);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
