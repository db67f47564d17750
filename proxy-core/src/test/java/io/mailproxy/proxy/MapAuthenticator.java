package io.mailproxy.proxy;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Test authenticator: users and routes from a map, answered on its own thread like the real one. */
final class MapAuthenticator implements Authenticator {
    record Account(String password, BackendRoute route) {
    }

    final Map<String, Account> accounts = new ConcurrentHashMap<>();
    volatile boolean unavailable;
    volatile Duration failureDelay = Duration.ZERO;
    /** The last request received (passwords included: test only). */
    volatile AuthRequest last;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        last = request;
        return CompletableFuture.supplyAsync(() -> {
            if (unavailable) {
                return new AuthOutcome.Unavailable("test says unavailable");
            }
            Account a = accounts.get(request.user());
            if (a == null || !a.password().equals(request.password())) {
                return new AuthOutcome.Rejected("wrong", failureDelay);
            }
            return new AuthOutcome.Accepted(a.route(), request.user(), request.password());
        }, executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
