package io.mailproxy.auth;

import java.util.concurrent.CompletableFuture;

/**
 * Decides logins. Implementations never block and never complete the future on the calling
 * thread: the work runs on a bounded executor, and when that executor is saturated the future is
 * completed at once with {@link AuthOutcome.Unavailable}. The future never completes
 * exceptionally for expected failures (database down, timeouts): those are {@code Unavailable}.
 */
public interface Authenticator extends AutoCloseable {

    CompletableFuture<AuthOutcome> authenticate(AuthRequest request);

    /** Releases pools and threads. */
    @Override
    default void close() {
    }
}
