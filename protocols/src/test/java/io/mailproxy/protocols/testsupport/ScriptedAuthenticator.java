package io.mailproxy.protocols.testsupport;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Test authenticator: answers from a function (or a user -> password map), records every request.
 * In {@link #deferred()} mode futures stay pending until the test calls {@link #complete}.
 * (Not the real contract's thread: completion happens on the caller; with EmbeddedChannel the
 * session's hop back runs on {@code runPendingTasks()}.)
 */
public final class ScriptedAuthenticator implements Authenticator {
    private final Function<AuthRequest, AuthOutcome> answers;
    private final List<AuthRequest> requests = new ArrayList<>();
    private final List<CompletableFuture<AuthOutcome>> pending = new ArrayList<>();
    private boolean deferred;

    public ScriptedAuthenticator(Function<AuthRequest, AuthOutcome> answers) {
        this.answers = answers;
    }

    /**
     * Accepts {@code user}/{@code password} pairs from {@code accounts} (backend login = same user and
     * password, route {@code route}); anything else is Rejected with {@code rejectDelay}.
     */
    public static ScriptedAuthenticator accounts(Map<String, String> accounts, BackendRoute route, Duration rejectDelay) {
        Map<String, String> copy = new HashMap<>(accounts);
        return new ScriptedAuthenticator(r -> r.password().equals(copy.get(r.user()))
                ? new AuthOutcome.Accepted(route, r.user(), r.password())
                : new AuthOutcome.Rejected("wrong password", rejectDelay));
    }

    public static ScriptedAuthenticator always(AuthOutcome outcome) {
        return new ScriptedAuthenticator(r -> outcome);
    }

    /** From now on futures are left pending until {@link #complete}. */
    public ScriptedAuthenticator deferred() {
        this.deferred = true;
        return this;
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        requests.add(request);
        CompletableFuture<AuthOutcome> f = new CompletableFuture<>();
        if (deferred) {
            pending.add(f);
        } else {
            f.complete(answers.apply(request));
        }
        return f;
    }

    /** Completes the oldest pending request with the scripted answer. */
    public void complete() {
        CompletableFuture<AuthOutcome> f = pending.remove(0);
        f.complete(answers.apply(requests.get(requests.size() - pending.size() - 1)));
    }

    public List<AuthRequest> requests() {
        return requests;
    }

    public int pendingCount() {
        return pending.size();
    }
}
