package io.mailproxy.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.testsupport.MariaDbTestDatabase;
import io.mailproxy.testsupport.TcpForwarder;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared cases on the real MariaDB server (see {@link MariaDbTestDatabase} for where it is),
 * plus what only a networked database can do: be unreachable, hang, die and come back. Those go
 * through a {@link TcpForwarder} that can be cut, hung and restored.
 */
class MariaDbAuthStoreIT extends AbstractAuthStoreIT {

    /** Timeouts for these tests: the production defaults are 2 s / 3 s / 5 s. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(3);
    /** What "within the timeout" may overshoot by on a loaded 2-core machine. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    private static MariaDbTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = MariaDbTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected JdbcAuthConfig.Builder config() {
        return configFor(db.jdbcUrl());
    }

    private static JdbcAuthConfig.Builder configFor(String url) {
        return JdbcAuthConfig.builder(url).user(db.user()).password(db.password())
                .poolSize(2)
                .connectTimeout(CONNECT_TIMEOUT).queryTimeout(QUERY_TIMEOUT).authTimeout(AUTH_TIMEOUT)
                .failureDelay(Duration.ZERO)
                .directory(DIRECTORY);
    }

    private static AuthOutcome within(CompletableFuture<AuthOutcome> f, Duration bound) throws Exception {
        AuthOutcome outcome = f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(f).isNotCompletedExceptionally();
        return outcome;
    }

    @Test
    void connectionAndTableShouldBeUtf8mb4WhenCreatedByTheStore() throws Exception {
        try (Connection c = stores.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("select @@character_set_client, @@character_set_connection, "
                        + "(select table_collation from information_schema.tables "
                        + "where table_schema = database() and table_name = 'mailaccounts')");
                ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("utf8mb4");
            assertThat(rs.getString(2)).isEqualTo("utf8mb4");
            assertThat(rs.getString(3)).isEqualTo("utf8mb4_bin");
            // (character_set_results is NULL on purpose: Connector/J asks for no conversion)
        }
    }

    @Test
    void authenticateShouldAnswerUnavailableWithinTimeoutWhenDatabasePortIsClosed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (AuthStores down = AuthStores.open(configFor(db.jdbcUrl("127.0.0.1", closedPort)).build())) {
            long start = System.nanoTime();
            AuthOutcome outcome = within(down.authenticator().authenticate(imap("alice", "secret")), AUTH_TIMEOUT.plus(SLACK));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(outcome).isInstanceOf(Unavailable.class);
            assertThat(took).isLessThanOrEqualTo(AUTH_TIMEOUT.plus(SLACK));
        }
    }

    @Test
    void authenticateShouldAnswerUnavailableWithinTimeoutWhenDatabaseHangs() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.start(db.host(), db.port());
                AuthStores via = AuthStores.open(configFor(db.jdbcUrl(forwarder.host(), forwarder.port())).build())) {
            assertThat(auth(via.authenticator(), imap("alice", "secret"))).isInstanceOf(Accepted.class);

            forwarder.hang();
            AuthOutcome outcome = within(via.authenticator().authenticate(imap("alice", "secret")), AUTH_TIMEOUT.plus(SLACK));

            assertThat(outcome).isInstanceOf(Unavailable.class);
            forwarder.restore();
            awaitAccepted(via);
        }
    }

    @Test
    void authenticateShouldAnswerUnavailableAtOnceWhenPoolAndQueueAreBusyWithAHungDatabase() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.start(db.host(), db.port());
                AuthStores via = AuthStores.open(configFor(db.jdbcUrl(forwarder.host(), forwarder.port()))
                        .poolSize(1).queueCapacity(1).build())) {
            JdbcAuthenticator a = via.authenticator();
            assertThat(auth(a, imap("alice", "secret"))).isInstanceOf(Accepted.class);

            forwarder.hang();
            CompletableFuture<AuthOutcome> running = a.authenticate(imap("alice", "secret"));
            // the one thread must have taken it off the queue before the next one arrives
            await().atMost(Duration.ofSeconds(WAIT_S)).until(() -> a.stats().active() == 1 && a.stats().queued() == 0);
            CompletableFuture<AuthOutcome> queued = a.authenticate(imap("bob", "secret"));
            CompletableFuture<AuthOutcome> refused = a.authenticate(imap("jürgen", "pässwörd"));

            assertThat(refused).as("answered without waiting").isDone();
            assertThat(refused.join()).isEqualTo(new Unavailable("auth pool saturated"));
            assertThat(within(running, AUTH_TIMEOUT.plus(SLACK))).isInstanceOf(Unavailable.class);
            assertThat(within(queued, AUTH_TIMEOUT.plus(SLACK))).isInstanceOf(Unavailable.class);
            assertThat(a.stats().saturated()).isEqualTo(1);

            forwarder.restore();
            awaitAccepted(via);
        }
    }

    @Test
    void storeShouldRecoverByItselfWhenDatabaseComesBackAfterDying() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.start(db.host(), db.port());
                AuthStores via = AuthStores.open(configFor(db.jdbcUrl(forwarder.host(), forwarder.port())).build())) {
            assertThat(auth(via.authenticator(), imap("alice", "secret"))).isInstanceOf(Accepted.class);

            forwarder.cut();
            assertThat(within(via.authenticator().authenticate(imap("alice", "secret")), AUTH_TIMEOUT.plus(SLACK)))
                    .isInstanceOf(Unavailable.class);
            assertThat(within(via.authenticator().authenticate(imap("alice", "secret")), AUTH_TIMEOUT.plus(SLACK)))
                    .isInstanceOf(Unavailable.class);

            forwarder.restore();
            awaitAccepted(via);
        }
    }

    @Test
    void storeShouldOpenWhileDatabaseIsDownAndServeOnceItIsUp() throws Exception {
        try (TcpForwarder forwarder = TcpForwarder.start(db.host(), db.port())) {
            forwarder.cut();
            try (AuthStores via = AuthStores.open(configFor(db.jdbcUrl(forwarder.host(), forwarder.port())).build())) {
                assertThat(within(via.authenticator().authenticate(imap("alice", "secret")), AUTH_TIMEOUT.plus(SLACK)))
                        .isInstanceOf(Unavailable.class);

                forwarder.restore();
                awaitAccepted(via);
            }
        }
    }

    private static void awaitAccepted(AuthStores stores) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stores.authenticator().authenticate(imap("alice", "secret")).get(WAIT_S, TimeUnit.SECONDS))
                        .isInstanceOf(Accepted.class));
    }
}
