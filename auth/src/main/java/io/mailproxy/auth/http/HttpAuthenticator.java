package io.mailproxy.auth.http;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides logins by asking an nginx-style auth_http server ({@link AuthHttpProtocol}): an existing
 * auth_http script or service (the seed's Perl handler, Nauthilus, ...) keeps working unchanged
 * behind mailproxy.
 *
 * <p>Threading, as the JDBC authenticator: exchanges run on a {@link ThreadPoolExecutor} of
 * {@link AuthHttpConfig#maxInFlight()} threads (each one blocking socket exchange, connections kept
 * alive, see {@link AuthHttpClient}) with a queue of {@link AuthHttpConfig#queueCapacity()}; when
 * both are full the answer is Unavailable at once, on the caller's thread. Every other answer
 * completes on an executor thread or on the deadline thread, never on the caller's: each request
 * has a deadline ({@link AuthHttpConfig#timeout()}, nginx {@code auth_http_timeout}); when it
 * passes the answer is Unavailable and the exchange is aborted (its socket closed).
 *
 * <p>An unreachable server, a timeout, a response that is not HTTP or has no usable
 * {@code Auth-Status} give Unavailable (the client's temporary-failure reply); one WARN when the
 * server starts failing, one INFO when it answers again. {@code Auth-Status: WAIT} asks again after
 * {@code Auth-Wait}, up to {@link AuthHttpConfig#maxWaitRounds()} times. The future never completes
 * exceptionally.
 */
public final class HttpAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAuthenticator.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final AuthHttpConfig config;
    private final AuthHttpClient client;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean serverDown = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder saturated = new LongAdder();

    public HttpAuthenticator(AuthHttpConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = new AuthHttpClient(config);
        int instance = INSTANCES.incrementAndGet();
        BlockingQueue<Runnable> queue = config.queueCapacity() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(config.queueCapacity());
        this.executor = new ThreadPoolExecutor(config.maxInFlight(), config.maxInFlight(), 60, TimeUnit.SECONDS, queue,
                threadFactory("mailproxy-auth-http-" + instance + "-"), new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory("mailproxy-auth-http-" + instance + "-timer-"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        Objects.requireNonNull(request, "request");
        Exchange exchange = new Exchange(request);
        AuthOutcome refused = exchange.submit();
        return refused != null ? CompletableFuture.completedFuture(refused) : exchange.future;
    }

    /** Logins answered Unavailable at once because every thread and queue slot was taken. */
    public long saturatedCount() {
        return saturated.sum();
    }

    /** The configuration this authenticator runs with. */
    public AuthHttpConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Runnable r : executor.shutdownNow()) {
            if (r instanceof Exchange e) {
                e.answer(new Unavailable("authenticator closed"));
            }
        }
        timer.shutdownNow();
        client.close();
    }

    /**
     * One login: one HTTP exchange, or several when the server answers WAIT; answered exactly once,
     * by whichever comes first of the exchange, its deadline and close().
     */
    private final class Exchange implements Runnable {
        final AuthRequest request;
        final byte[] bytes;
        final CompletableFuture<AuthOutcome> future = new CompletableFuture<>();
        volatile AuthHttpClient.Abort abort;
        volatile ScheduledFuture<?> deadline;
        int rounds;

        Exchange(AuthRequest request) {
            this.request = request;
            List<AuthHttpConfig.Header> headers = AuthHttpProtocol.requestHeaders(request, config.headers());
            this.bytes = client.request(headers);
        }

        /** Queues one round; returns the outcome to answer at once when that is not possible. */
        AuthOutcome submit() {
            AuthHttpClient.Abort a = new AuthHttpClient.Abort();
            abort = a;
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                if (closed.get()) {
                    return new Unavailable("authenticator closed");
                }
                saturated.increment();
                LOG.debug("auth_http executor saturated; answering Unavailable");
                return new Unavailable("auth_http pool saturated");
            }
            try {
                ScheduledFuture<?> d = timer.schedule(() -> timedOut(a), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
                deadline = d;
                if (future.isDone()) {
                    d.cancel(false);
                }
            } catch (RejectedExecutionException e) {
                a.abort();
                answer(new Unavailable("authenticator closed"));
            }
            return null;
        }

        private void timedOut(AuthHttpClient.Abort a) {
            if (future.isDone() || a != abort) {
                return;
            }
            answer(new Unavailable("auth_http timed out after " + config.timeout().toMillis() + " ms"));
            a.abort();
            trouble("no answer within " + config.timeout().toMillis() + " ms");
        }

        @Override
        public void run() {
            AuthHttpClient.Abort a = abort;
            if (future.isDone() || a.aborted()) {
                return; // timed out while queued
            }
            AuthHttpClient.Response response;
            try {
                response = client.exchange(bytes, config.timeout().toMillis(), a);
            } catch (IOException e) {
                if (!future.isDone() && !a.aborted()) {
                    String what = e instanceof SocketTimeoutException ? "timed out" : e.toString();
                    trouble(what);
                    answer(new Unavailable("auth_http: " + what));
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("unexpected failure asking the auth_http server", e);
                answer(new Unavailable("internal error: " + e.getClass().getSimpleName()));
                return;
            }
            if (future.isDone()) {
                return;
            }
            cancelDeadline();
            AuthHttpProtocol.Answer answer = AuthHttpProtocol.answer(request, response.headers());
            if (answer instanceof AuthHttpProtocol.Answer.Wait w) {
                back();
                waitAndAskAgain(w);
                return;
            }
            AuthOutcome outcome = ((AuthHttpProtocol.Answer.Final) answer).outcome();
            if (outcome instanceof Unavailable u) {
                LOG.warn("auth_http server {} misbehaves (HTTP status {}): {}", config.uri(), response.status(), u.reason());
            } else {
                back();
            }
            answer(outcome);
        }

        private void waitAndAskAgain(AuthHttpProtocol.Answer.Wait w) {
            if (rounds >= config.maxWaitRounds()) {
                answer(new Unavailable("auth_http: still WAIT after " + (rounds + 1) + " answers"));
                return;
            }
            rounds++;
            try {
                timer.schedule(() -> {
                    AuthOutcome refused = submit();
                    if (refused != null) {
                        answer(refused);
                    }
                }, w.delay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                answer(new Unavailable("authenticator closed"));
            }
        }

        private void cancelDeadline() {
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
        }

        void answer(AuthOutcome outcome) {
            if (future.complete(outcome)) {
                cancelDeadline();
            }
        }
    }

    private void trouble(String what) {
        if (serverDown.compareAndSet(false, true)) {
            LOG.warn("auth_http server {} unavailable, answering temporary failure: {}", config.uri(), what);
        } else {
            LOG.debug("auth_http server {} still unavailable: {}", config.uri(), what);
        }
    }

    private void back() {
        if (serverDown.compareAndSet(true, false)) {
            LOG.info("auth_http server {} is answering again", config.uri());
        }
    }

    private static ThreadFactory threadFactory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
