package io.mailproxy.auth.jdbc;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.password.PasswordSchemes;
import io.mailproxy.auth.password.PasswordVerifier;
import io.mailproxy.auth.password.Verification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
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
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's auth_http script, in-process: looks the user up with the configured query (a
 * prepared statement), checks the password against the stored hash, maps {@code mail_server} to a
 * backend route.
 *
 * <p>Threading: lookups run on a {@link ThreadPoolExecutor} of {@code poolSize} threads with a
 * queue of {@code queueCapacity} ({@link ThreadPoolExecutor.AbortPolicy}). When both are full the
 * answer is {@link Unavailable} at once. Every other answer is completed on an executor thread, or,
 * if the lookup has not finished within {@code authTimeout}, on the timeout thread
 * ({@code Unavailable}); a lookup still queued by then is skipped. The future never completes
 * exceptionally.
 *
 * <p>Answers:
 * <ul>
 *   <li>no row: {@code Rejected("unknown user")}, after checking the password against the last
 *       usable hash the store returned ({@link PasswordSchemes#DUMMY_HASH} before the first), so
 *       that it costs what a wrong password costs in this table, whatever its schemes;</li>
 *   <li>stored hash null, empty, unknown or malformed: {@code Rejected("unusable stored password
 *       hash")} and a WARN naming the user (fail closed);</li>
 *   <li>wrong password: {@code Rejected("wrong password")};</li>
 *   <li>right password but {@code mail_server} NULL, empty or not usable as a host, or a
 *       {@code port} column outside 1..65535: {@code Unavailable} and a WARN. The client did
 *       nothing wrong, so it is told "try again later", not "wrong password" (which could count
 *       towards a lockout); the operator has to fix the row;</li>
 *   <li>database error or timeout: {@code Unavailable}; one WARN when the database goes away, one
 *       INFO when it is back, DEBUG in between.</li>
 * </ul>
 * The {@code port} column, when the query returns one and it is neither NULL nor 0, beats the
 * directory's ports (see {@link io.mailproxy.auth.BackendDirectory}).
 */
public final class JdbcAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcAuthenticator.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final DataSource dataSource;
    private final JdbcAuthConfig config;
    private final PasswordVerifier verifier;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor timer;
    private final Runnable onClose;
    private final Unavailable timedOut;
    private final AtomicBoolean databaseDown = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder saturated = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder dummyVerifications = new LongAdder();
    /**
     * What an unknown user's password is checked against: the last usable hash the store returned
     * (of any user), so that an unknown user costs what a known one costs in this table whatever its
     * schemes (a {@code $6$} dummy would answer in 1.6 ms where bcrypt rows take 60); the fixed
     * {@code $6$} dummy until the first one is seen. Only ever passed to the verifier, never logged.
     */
    private volatile String timingHash = PasswordSchemes.DUMMY_HASH;

    /** An authenticator on {@code dataSource}, which the caller keeps owning (and closes). */
    public JdbcAuthenticator(DataSource dataSource, JdbcAuthConfig config) {
        this(dataSource, config, PasswordSchemes.verifier(), () -> { });
    }

    /** As {@link #JdbcAuthenticator(DataSource, JdbcAuthConfig)}, with another password verifier (tests). */
    public JdbcAuthenticator(DataSource dataSource, JdbcAuthConfig config, PasswordVerifier verifier) {
        this(dataSource, config, verifier, () -> { });
    }

    JdbcAuthenticator(DataSource dataSource, JdbcAuthConfig config, PasswordVerifier verifier, Runnable onClose) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.config = Objects.requireNonNull(config, "config");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.timedOut = new Unavailable("auth lookup timed out after " + config.authTimeout().toMillis() + " ms");
        int instance = INSTANCES.incrementAndGet();
        BlockingQueue<Runnable> queue = config.queueCapacity() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(config.queueCapacity());
        this.executor = new ThreadPoolExecutor(config.poolSize(), config.poolSize(), 0L, TimeUnit.MILLISECONDS, queue,
                threadFactory("mailproxy-auth-" + instance + "-"), new ThreadPoolExecutor.AbortPolicy());
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory("mailproxy-auth-" + instance + "-timeout-"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        Objects.requireNonNull(request, "request");
        Lookup lookup = new Lookup(request);
        try {
            executor.execute(lookup);
        } catch (RejectedExecutionException e) {
            if (closed.get()) {
                return CompletableFuture.completedFuture(count(new Unavailable("authenticator closed")));
            }
            saturated.increment();
            LOG.debug("auth executor saturated; answering Unavailable to {}", UserNames.forLog(request.user()));
            return CompletableFuture.completedFuture(count(new Unavailable("auth pool saturated")));
        }
        lookup.armTimeout();
        return lookup.future;
    }

    /** Counters since start, for metrics and tests. */
    public Stats stats() {
        return new Stats(accepted.sum(), rejected.sum(), unavailable.sum(), saturated.sum(), timeouts.sum(),
                dummyVerifications.sum(), executor.getActiveCount(), executor.getQueue().size());
    }

    /**
     * @param accepted           logins accepted
     * @param rejected           logins rejected (unknown user, wrong password, unusable hash)
     * @param unavailable        Unavailable answers of any cause, saturation and timeouts included
     * @param saturated          Unavailable because the executor and its queue were full
     * @param timedOut           Unavailable because no answer came within the auth timeout
     * @param dummyVerifications password checks against the dummy hash (unknown users, unusable hashes)
     * @param active             lookups running now
     * @param queued             lookups waiting for a thread now
     */
    public record Stats(long accepted, long rejected, long unavailable, long saturated, long timedOut,
            long dummyVerifications, int active, int queued) {
    }

    /** Stops the executor: queued lookups are answered Unavailable, running ones interrupted. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Runnable> pending = executor.shutdownNow();
        for (Runnable r : pending) {
            if (r instanceof Lookup lookup) {
                lookup.answer(new Unavailable("authenticator closed"));
            }
        }
        try {
            // lookups still running answer by themselves or by their timeout, armed before now
            executor.awaitTermination(config.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        onClose.run();
    }

    /**
     * One login: run by the executor, answered exactly once, by whichever comes first of the
     * lookup, the timeout and close().
     */
    private final class Lookup implements Runnable {
        private final AuthRequest request;
        private final CompletableFuture<AuthOutcome> future = new CompletableFuture<>();
        private final AtomicBoolean answered = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        Lookup(AuthRequest request) {
            this.request = request;
        }

        void armTimeout() {
            ScheduledFuture<?> t;
            try {
                t = timer.schedule(() -> answer(timedOut), config.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                answer(new Unavailable("authenticator closed")); // close() ran meanwhile
                return;
            }
            timeout = t;
            if (answered.get()) {
                t.cancel(false); // answered before the timeout was armed
            }
        }

        void answer(AuthOutcome outcome) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            count(outcome);
            if (outcome == timedOut) {
                timeouts.increment();
                databaseTrouble("no answer within " + config.authTimeout().toMillis() + " ms");
            }
            future.complete(outcome);
        }

        @Override
        public void run() {
            if (answered.get()) {
                return; // timed out while queued: nobody waits for this answer any more
            }
            AuthOutcome outcome;
            try {
                outcome = authenticateNow(request);
            } catch (SQLException e) {
                databaseTrouble(e.getClass().getSimpleName() + " (SQLState " + e.getSQLState() + "): " + e.getMessage());
                outcome = new Unavailable("database unavailable: " + e.getClass().getSimpleName());
            } catch (RuntimeException e) {
                LOG.error("unexpected failure authenticating user '{}'", UserNames.forLog(request.user()), e);
                outcome = new Unavailable("internal error: " + e.getClass().getSimpleName());
            }
            answer(outcome);
        }
    }

    private AuthOutcome authenticateNow(AuthRequest request) throws SQLException {
        String user = request.user();
        if (!UserNames.isValid(user)) {
            dummyVerify(request.password());
            return rejected("invalid user name");
        }
        Row row = fetch(request);
        if (row == null) {
            dummyVerify(request.password());
            return rejected("unknown user");
        }
        Verification verification = verifier.check(request.password(), row.password);
        if (verification != Verification.UNUSABLE) {
            timingHash = row.password;
        }
        switch (verification) {
            case MATCH:
                return route(request, row);
            case MISMATCH:
                return rejected("wrong password");
            case UNUSABLE:
            default:
                dummyVerify(request.password());
                LOG.warn("stored password of user '{}' is null, empty, of an unknown scheme or malformed; "
                        + "login refused until it is reset", UserNames.forLog(user));
                return rejected("unusable stored password hash");
        }
    }

    private Row fetch(AuthRequest request) throws SQLException {
        Row row = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(config.query())) {
            ps.setQueryTimeout(config.queryTimeoutSeconds());
            ps.setMaxRows(1);
            ps.setString(1, request.user());
            if (config.placeholders() == 2) {
                ps.setString(2, request.protocol().id());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    row = Row.read(rs);
                }
            }
        }
        if (databaseDown.compareAndSet(true, false)) {
            LOG.info("auth database is answering again");
        }
        return row;
    }

    private AuthOutcome route(AuthRequest request, Row row) {
        String user = UserNames.forLog(request.user());
        if (row.mailServer == null || row.mailServer.isBlank()) {
            LOG.warn("user '{}' has no mail_server; answering temporary failure until the account is fixed", user);
            return new Unavailable("no mail_server for user");
        }
        if (row.badPort != null) {
            LOG.warn("user '{}' has port {} (outside 1-65535); answering temporary failure", user, row.badPort);
            return new Unavailable("bad port for user");
        }
        BackendRoute route;
        try {
            route = config.directory().route(row.mailServer, request.protocol(), row.port);
        } catch (IllegalArgumentException e) {
            LOG.warn("user '{}': mail_server is neither a configured backend nor a host ({}); answering temporary failure",
                    user, e.getMessage());
            return new Unavailable("unusable mail_server for user");
        }
        return new Accepted(route, request.user(), request.password());
    }

    private Rejected rejected(String reason) {
        return new Rejected(reason, config.failureDelay());
    }

    private void dummyVerify(String password) {
        dummyVerifications.increment();
        verifier.check(password, timingHash); // the outcome is irrelevant: the login is refused anyway
    }

    private void databaseTrouble(String what) {
        if (databaseDown.compareAndSet(false, true)) {
            LOG.warn("auth database unavailable, answering temporary failure: {}", what);
        } else {
            LOG.debug("auth database still unavailable: {}", what);
        }
    }

    private AuthOutcome count(AuthOutcome outcome) {
        if (outcome instanceof Accepted) {
            accepted.increment();
        } else if (outcome instanceof Rejected) {
            rejected.increment();
        } else {
            unavailable.increment();
        }
        return outcome;
    }

    private static ThreadFactory threadFactory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The columns of the first row, read by label. */
    private static final class Row {
        String password;
        String mailServer;
        OptionalInt port = OptionalInt.empty();
        Integer badPort;

        static Row read(ResultSet rs) throws SQLException {
            Row row = new Row();
            row.password = rs.getString("password");
            row.mailServer = rs.getString("mail_server");
            String portLabel = portLabel(rs.getMetaData());
            if (portLabel != null) {
                int p = rs.getInt(portLabel);
                if (!rs.wasNull() && p != 0) {
                    if (p < 1 || p > 65535) {
                        row.badPort = p;
                    } else {
                        row.port = OptionalInt.of(p);
                    }
                }
            }
            return row;
        }

        private static String portLabel(ResultSetMetaData md) throws SQLException {
            for (int i = 1; i <= md.getColumnCount(); i++) {
                if ("port".equalsIgnoreCase(md.getColumnLabel(i))) {
                    return md.getColumnLabel(i);
                }
            }
            return null;
        }
    }
}
