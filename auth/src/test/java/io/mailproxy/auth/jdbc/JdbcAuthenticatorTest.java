package io.mailproxy.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.password.PasswordSchemes;
import io.mailproxy.auth.password.PasswordVerifier;
import io.mailproxy.testsupport.LogCapture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The authenticator's decisions and threading, on an in-memory H2 database or on a DataSource that
 * blocks or fails on demand. No assertion depends on timing: waits are bounded only so that a bug
 * fails the test instead of hanging it.
 */
class JdbcAuthenticatorTest {

    private static final String SECRET_HASH = "$6$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19"
            + "DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz."; // "secret"
    private static final long WAIT_S = 10;

    private final BackendDirectory directory = BackendDirectory.builder().map("mailhost01=192.0.2.1").build();
    private final List<String> verified = new CopyOnWriteArrayList<>();
    private final List<String> verifierThreads = new CopyOnWriteArrayList<>();
    private final PasswordVerifier recordingVerifier = (password, stored) -> {
        verified.add(String.valueOf(stored));
        verifierThreads.add(Thread.currentThread().getName());
        return PasswordSchemes.check(password, stored);
    };

    private JdbcDataSource h2;
    private Connection keepAlive;
    private JdbcAuthenticator authenticator;

    @BeforeEach
    void createDatabase() throws SQLException {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE");
        keepAlive = h2.getConnection();
        new AccountStore(h2, 5).createSchemaIfMissing();
        sql("insert into mailaccounts values ('alice', '" + SECRET_HASH + "', 'mailhost01')");
        sql("insert into mailaccounts values ('nullpw', null, 'mailhost01')");
        sql("insert into mailaccounts values ('garbage', 'not-a-hash', 'mailhost01')");
        sql("insert into mailaccounts values ('nomail', '" + SECRET_HASH + "', null)");
        sql("insert into mailaccounts values ('blankmail', '" + SECRET_HASH + "', '  ')");
        sql("insert into mailaccounts values ('badhost', '" + SECRET_HASH + "', 'no such host!')");
    }

    @AfterEach
    void close() throws SQLException {
        if (authenticator != null) {
            authenticator.close();
        }
        keepAlive.close();
    }

    private void sql(String statement) throws SQLException {
        try (Statement st = keepAlive.createStatement()) {
            st.execute(statement);
        }
    }

    private static JdbcAuthConfig.Builder config() {
        return JdbcAuthConfig.builder("jdbc:h2:mem:unused").failureDelay(Duration.ZERO);
    }

    private JdbcAuthenticator on(DataSource ds, JdbcAuthConfig.Builder config) {
        authenticator = new JdbcAuthenticator(ds, config.directory(directory).build(), recordingVerifier);
        return authenticator;
    }

    private static AuthRequest login(String user, String password) {
        return new AuthRequest(Protocol.IMAP, user, password, "LOGIN", null, 1, false);
    }

    private static AuthOutcome await(CompletableFuture<AuthOutcome> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void authenticateShouldAcceptWithRouteAndClientCredentialsWhenPasswordMatches() throws Exception {
        AuthOutcome outcome = await(on(h2, config()).authenticate(login("alice", "secret")));

        assertThat(outcome).isEqualTo(new Accepted(BackendRoute.of("192.0.2.1", 143), "alice", "secret"));
        assertThat(verified).containsExactly(SECRET_HASH);
        assertThat(authenticator.stats().accepted()).isEqualTo(1);
    }

    @Test
    void authenticateShouldRejectWithConfiguredDelayWhenPasswordIsWrong() throws Exception {
        AuthOutcome outcome = await(on(h2, config().failureDelay(Duration.ofMillis(1500)))
                .authenticate(login("alice", "Secret")));

        assertThat(outcome).isEqualTo(new Rejected("wrong password", Duration.ofMillis(1500)));
        assertThat(authenticator.stats().dummyVerifications()).isZero();
    }

    @Test
    void unknownUserShouldBeVerifiedAgainstTheDummyHashWhenNoRowIsFound() throws Exception {
        AuthOutcome outcome = await(on(h2, config()).authenticate(login("mallory", "secret")));

        assertThat(outcome).isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(verified).containsExactly(PasswordSchemes.DUMMY_HASH);
        assertThat(authenticator.stats().dummyVerifications()).isEqualTo(1);
    }

    @Test
    void unknownUserShouldCostWhatTheTableCostsWhenItsHashesAreOfAnotherScheme() throws Exception {
        // a table of bcrypt rows: a $6$ dummy would answer unknown users many times faster than known ones
        String bcrypt = PasswordSchemes.hash("bcrypt", "hunter2");
        sql("insert into mailaccounts values ('bob', '" + bcrypt + "', 'mailhost01')");
        on(h2, config());

        await(authenticator.authenticate(login("bob", "wrong")));
        await(authenticator.authenticate(login("mallory", "secret")));
        await(authenticator.authenticate(login("nullpw", "x"))); // an unusable hash is not a timing model

        // bob's row; mallory (unknown) against bob's hash; nullpw's NULL, then the dummy: bob's hash again
        assertThat(verified).containsExactly(bcrypt, bcrypt, "null", bcrypt);
        assertThat(authenticator.stats().dummyVerifications()).isEqualTo(2);
    }

    @Test
    void storedHashShouldFailClosedAndBeLoggedWithUserButNotPasswordWhenNullOrUnrecognised() throws Exception {
        try (LogCapture logs = LogCapture.of("io.mailproxy")) {
            on(h2, config());
            assertThat(await(authenticator.authenticate(login("nullpw", "pw-typed-by-nullpw"))))
                    .isEqualTo(new Rejected("unusable stored password hash", Duration.ZERO));
            assertThat(await(authenticator.authenticate(login("garbage", "not-a-hash"))))
                    .isEqualTo(new Rejected("unusable stored password hash", Duration.ZERO));

            assertThat(logs.messages(Level.WARN)).hasSize(2)
                    .anySatisfy(m -> assertThat(m).contains("'nullpw'"))
                    .anySatisfy(m -> assertThat(m).contains("'garbage'"));
            assertThat(logs.everything()).doesNotContain("pw-typed-by-nullpw").doesNotContain("not-a-hash");
        }
        assertThat(authenticator.stats().dummyVerifications()).isEqualTo(2);
    }

    @Test
    void authenticateShouldAnswerUnavailableAndWarnWhenMailServerIsNullBlankOrNotAHost() throws Exception {
        try (LogCapture logs = LogCapture.of("io.mailproxy")) {
            on(h2, config());
            assertThat(await(authenticator.authenticate(login("nomail", "secret")))).isInstanceOf(Unavailable.class);
            assertThat(await(authenticator.authenticate(login("blankmail", "secret")))).isInstanceOf(Unavailable.class);
            assertThat(await(authenticator.authenticate(login("badhost", "secret")))).isInstanceOf(Unavailable.class);

            assertThat(logs.messages(Level.WARN)).hasSize(3)
                    .anySatisfy(m -> assertThat(m).contains("'nomail'").contains("no mail_server"))
                    .anySatisfy(m -> assertThat(m).contains("'blankmail'"))
                    .anySatisfy(m -> assertThat(m).contains("'badhost'").contains("no such host!"));
        }
        assertThat(await(authenticator.authenticate(login("nomail", "wrong"))))
                .as("the password is still checked first").isInstanceOf(Rejected.class);
    }

    @Test
    void portColumnShouldOverrideWhenSetAndBeIgnoredWhenNullOrZero() throws Exception {
        sql("alter table mailaccounts add column port int");
        sql("update mailaccounts set port = 1143 where username = 'alice'");
        sql("update mailaccounts set mail_server = 'mailhost01', port = 70000 where username = 'nomail'");
        sql("update mailaccounts set mail_server = 'mailhost01', port = 0 where username = 'blankmail'");
        on(h2, config().query("select password, mail_server, port from mailaccounts where username = ?"));

        assertThat(await(authenticator.authenticate(login("alice", "secret"))))
                .isEqualTo(new Accepted(BackendRoute.of("192.0.2.1", 1143), "alice", "secret"));
        assertThat(await(authenticator.authenticate(login("blankmail", "secret"))))
                .isEqualTo(new Accepted(BackendRoute.of("192.0.2.1", 143), "blankmail", "secret"));
        assertThat(await(authenticator.authenticate(login("nomail", "secret"))))
                .isEqualTo(new Unavailable("bad port for user"));
    }

    @Test
    void secondPlaceholderShouldBeBoundToProtocolWhenQueryHasTwo() throws Exception {
        sql("create table ports (protocol varchar(8), port int)");
        sql("insert into ports values ('imap', 1143), ('pop3', 1110)");
        on(h2, config().query("select a.password, a.mail_server, p.port from mailaccounts a, ports p "
                + "where a.username = ? and p.protocol = ?"));

        assertThat(await(authenticator.authenticate(login("alice", "secret"))))
                .isEqualTo(new Accepted(BackendRoute.of("192.0.2.1", 1143), "alice", "secret"));
        assertThat(await(authenticator.authenticate(
                new AuthRequest(Protocol.POP3, "alice", "secret", "USER", null, 1, false))))
                .isEqualTo(new Accepted(BackendRoute.of("192.0.2.1", 1110), "alice", "secret"));
    }

    @Test
    void authenticateShouldRejectWithoutQueryingWhenUserNameHasControlCharacters() throws Exception {
        BlockingDataSource ds = new BlockingDataSource();
        ds.release();

        AuthOutcome outcome = await(on(ds, config()).authenticate(login("alice\r\nOK", "secret")));

        assertThat(outcome).isEqualTo(new Rejected("invalid user name", Duration.ZERO));
        assertThat(ds.calls.get()).isZero();
        assertThat(verified).containsExactly(PasswordSchemes.DUMMY_HASH);
    }

    @Test
    void answerShouldBeCompletedOnAnExecutorThreadWhenLookupRuns() throws Exception {
        BlockingDataSource ds = new BlockingDataSource();
        CompletableFuture<AuthOutcome> f = on(ds, config()).authenticate(login("alice", "secret"));
        AtomicReference<String> completedOn = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        f.whenComplete((o, e) -> {
            completedOn.set(Thread.currentThread().getName());
            done.countDown();
        });
        String caller = Thread.currentThread().getName();

        assertThat(f).isNotDone();
        ds.release();

        // no get()/join() here: a thread waiting in get() may run the dependent actions itself
        assertThat(done.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(f.join()).isInstanceOf(Unavailable.class);
        assertThat(completedOn.get()).startsWith("mailproxy-auth-").doesNotContain("timeout").isNotEqualTo(caller);
    }

    @Test
    void verificationShouldRunOnAnExecutorThreadWhenRowIsFound() throws Exception {
        await(on(h2, config()).authenticate(login("alice", "secret")));

        assertThat(verifierThreads).singleElement().asString().startsWith("mailproxy-auth-");
    }

    @Test
    void authenticateShouldAnswerUnavailableAtOnceWhenExecutorAndQueueAreFull() throws Exception {
        BlockingDataSource ds = new BlockingDataSource();
        on(ds, config().poolSize(1).queueCapacity(1));

        CompletableFuture<AuthOutcome> running = authenticator.authenticate(login("alice", "secret"));
        ds.awaitCalls(1);
        CompletableFuture<AuthOutcome> queued = authenticator.authenticate(login("alice", "secret"));
        CompletableFuture<AuthOutcome> refused = authenticator.authenticate(login("alice", "secret"));

        assertThat(refused).as("answered without waiting").isDone();
        assertThat(refused.join()).isEqualTo(new Unavailable("auth pool saturated"));
        assertThat(running).isNotDone();
        assertThat(queued).isNotDone();
        assertThat(authenticator.stats().saturated()).isEqualTo(1);

        ds.release();
        assertThat(await(running)).isInstanceOf(Unavailable.class);
        assertThat(await(queued)).isInstanceOf(Unavailable.class);
        assertThat(ds.calls.get()).isEqualTo(2);
    }

    @Test
    void authenticateShouldNotQueueWhenQueueCapacityIsZero() {
        BlockingDataSource ds = new BlockingDataSource();
        on(ds, config().poolSize(1).queueCapacity(0));

        CompletableFuture<AuthOutcome> running = authenticator.authenticate(login("alice", "secret"));
        CompletableFuture<AuthOutcome> refused = authenticator.authenticate(login("alice", "secret"));

        assertThat(refused.join()).isEqualTo(new Unavailable("auth pool saturated"));
        assertThat(running).isNotDone();
        ds.release();
    }

    @Test
    void safetyNetShouldAnswerUnavailableAndSkipQueuedWorkWhenLookupHangs() throws Exception {
        BlockingDataSource ds = new BlockingDataSource();
        on(ds, config().poolSize(1).queueCapacity(1).authTimeout(Duration.ofMillis(200)));

        CompletableFuture<AuthOutcome> hung = authenticator.authenticate(login("alice", "secret"));
        CompletableFuture<AuthOutcome> queued = authenticator.authenticate(login("alice", "secret"));

        assertThat(await(hung)).isEqualTo(new Unavailable("auth lookup timed out after 200 ms"));
        assertThat(await(queued)).isEqualTo(new Unavailable("auth lookup timed out after 200 ms"));
        assertThat(authenticator.stats().timedOut()).isEqualTo(2);

        ds.release();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(WAIT_S))
                .until(() -> authenticator.stats().active() == 0 && authenticator.stats().queued() == 0);
        // the queued lookup found its answer already given and did not touch the database
        CompletableFuture<AuthOutcome> next = authenticator.authenticate(login("alice", "secret"));
        assertThat(await(next)).isInstanceOf(Unavailable.class);
        assertThat(ds.calls.get()).isEqualTo(2);
    }

    @Test
    void databaseFailureShouldBeUnavailableNotExceptionalAndLoggedOnceUntilRecovery() throws Exception {
        FlakyDataSource ds = new FlakyDataSource(h2);
        try (LogCapture logs = LogCapture.of("io.mailproxy")) {
            on(ds, config());
            ds.failing = true;
            CompletableFuture<AuthOutcome> first = authenticator.authenticate(login("alice", "secret"));
            assertThat(await(first)).isEqualTo(new Unavailable("database unavailable: SQLTransientConnectionException"));
            assertThat(first).isNotCompletedExceptionally();
            assertThat(await(authenticator.authenticate(login("alice", "secret")))).isInstanceOf(Unavailable.class);
            ds.failing = false;
            assertThat(await(authenticator.authenticate(login("alice", "secret")))).isInstanceOf(Accepted.class);

            assertThat(logs.messages(Level.WARN)).singleElement().asString()
                    .contains("auth database unavailable").contains("08001");
            assertThat(logs.messages(Level.INFO)).contains("auth database is answering again");
        }
    }

    @Test
    void unexpectedExceptionShouldBeUnavailableNotExceptionalWhenVerifierThrows() throws Exception {
        authenticator = new JdbcAuthenticator(h2, config().directory(directory).build(), (p, s) -> {
            throw new IllegalStateException("boom");
        });

        CompletableFuture<AuthOutcome> f = authenticator.authenticate(login("alice", "secret"));

        assertThat(await(f)).isEqualTo(new Unavailable("internal error: IllegalStateException"));
        assertThat(f).isNotCompletedExceptionally();
    }

    @Test
    void closeShouldAnswerQueuedAndLaterLoginsUnavailableWhenCalled() throws Exception {
        BlockingDataSource ds = new BlockingDataSource();
        on(ds, config().poolSize(1).queueCapacity(2));
        CompletableFuture<AuthOutcome> running = authenticator.authenticate(login("alice", "secret"));
        ds.awaitCalls(1);
        CompletableFuture<AuthOutcome> queued = authenticator.authenticate(login("alice", "secret"));

        authenticator.close();

        assertThat(await(queued)).isEqualTo(new Unavailable("authenticator closed"));
        assertThat(await(running)).isInstanceOf(Unavailable.class);
        assertThat(authenticator.authenticate(login("alice", "secret")).join())
                .isEqualTo(new Unavailable("authenticator closed"));
    }

    @Test
    void passwordShouldAppearInNoLogLineWhenAnyPathRuns() throws Exception {
        String password = "Sup3r-S3cret-Passw0rd";
        try (LogCapture logs = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
            on(h2, config());
            for (String user : List.of("alice", "mallory", "nullpw", "garbage", "nomail", "badhost", "x\ny")) {
                AuthOutcome o = await(authenticator.authenticate(login(user, password)));
                assertThat(o.toString()).doesNotContain(password);
            }
            AuthOutcome ok = await(authenticator.authenticate(login("alice", "secret")));
            assertThat(ok.toString()).doesNotContain("secret");
            assertThat(logs.everything()).isNotEmpty().doesNotContain(password).doesNotContain(SECRET_HASH);
        }
    }

    /** getConnection() blocks until {@link #release()}, then fails: a hung database. */
    static final class BlockingDataSource extends DataSourceStub {
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        void release() {
            released.countDown();
        }

        void awaitCalls(int n) throws InterruptedException {
            for (int i = 0; i < 1000 && calls.get() < n; i++) {
                Thread.sleep(5);
            }
            assertThat(calls.get()).isGreaterThanOrEqualTo(n);
        }

        @Override
        public Connection getConnection() throws SQLException {
            calls.incrementAndGet();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", "08001");
            }
            throw new SQLTransientConnectionException("released", "08001");
        }
    }

    /** Delegates to a real DataSource unless {@link #failing}. */
    static final class FlakyDataSource extends DataSourceStub {
        final DataSource delegate;
        volatile boolean failing;

        FlakyDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failing) {
                throw new SQLTransientConnectionException("Connection refused", "08001");
            }
            return delegate.getConnection();
        }
    }

    /** The DataSource methods nobody calls here. */
    abstract static class DataSourceStub implements DataSource {
        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
