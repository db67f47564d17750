package io.mailproxy.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.HostAndPort;
import io.mailproxy.auth.Protocol;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The account store end to end on a real database: the same cases for MariaDB
 * ({@link MariaDbAuthStoreIT}) and the embedded H2 store ({@link H2AuthStoreIT}). Rows are written
 * with hashes made by glibc crypt, as an existing table would hold them.
 */
abstract class AbstractAuthStoreIT {

    /** glibc crypt("secret", "$6$saltstring$"). */
    static final String SECRET_SHA512 = "$6$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19"
            + "DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz.";
    /** glibc crypt("secret", "$1$saltsalt$"). */
    static final String SECRET_MD5 = "$1$saltsalt$9xy1btjgzLYfb7hivXtC//";
    /** glibc crypt("pässwörd", "$6$utf8salt$"). */
    static final String UMLAUT_SHA512 = "$6$utf8salt$Nf6juS0Q3mv0f53eB4BVd6Njt8ABkI/Nw9Yqy9ZA65U6sGRcr2"
            + "ajrL8Kwlq2SfdEvHi3Rhn/AVzWRrTM5gRn80";
    /** libxcrypt crypt("pässwörd", "$2b$06$0123456789ABCDEFGHIJKu"). */
    static final String UMLAUT_BCRYPT = "$2b$06$0123456789ABCDEFGHIJKu4I9nw.scBXL1b6MdO2RMJFUPlOexntK";

    static final BackendDirectory DIRECTORY = BackendDirectory.builder()
            .map("mailhost01=127.0.0.11:10143")
            .map("mailhost02=127.0.0.12,127.0.0.13:10110")
            .build();

    static final long WAIT_S = 15;

    protected AuthStores stores;

    /** A config for this database with short timeouts and no failure delay; the directory above. */
    protected abstract JdbcAuthConfig.Builder config();

    @BeforeEach
    void openStoreWithFixtures() throws SQLException {
        stores = AuthStores.open(config().build());
        stores.accounts().createSchemaIfMissing();
        update("delete from mailaccounts");
        insert("alice", SECRET_SHA512, "mailhost01");
        insert("bob", SECRET_MD5, "mailhost02");
        insert("jürgen", UMLAUT_SHA512, "mailhost01");
        insert("Åsa", UMLAUT_BCRYPT, "mailhost02");
        insert("📧mail", SECRET_SHA512, "mailhost01");
        insert("o'brien", SECRET_SHA512, "mailhost01");
        insert("nullpw", null, "mailhost01");
        insert("nomail", SECRET_SHA512, null);
        insert("direct", SECRET_SHA512, "[::1]:1993");
    }

    @AfterEach
    void closeStore() {
        if (stores != null) {
            stores.close();
        }
    }

    protected void insert(String user, String password, String mailServer) throws SQLException {
        update("insert into mailaccounts (username, password, mail_server) values (?, ?, ?)", user, password, mailServer);
    }

    protected int update(String sql, Object... params) throws SQLException {
        try (Connection c = stores.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    protected List<String> usernames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = stores.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("select username from mailaccounts order by username");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    protected static AuthRequest imap(String user, String password) {
        return new AuthRequest(Protocol.IMAP, user, password, "LOGIN", null, 1, false);
    }

    protected static AuthRequest pop3(String user, String password) {
        return new AuthRequest(Protocol.POP3, user, password, "USER", null, 1, false);
    }

    protected AuthOutcome auth(AuthRequest request) throws Exception {
        return auth(stores.authenticator(), request);
    }

    protected static AuthOutcome auth(JdbcAuthenticator authenticator, AuthRequest request) throws Exception {
        CompletableFuture<AuthOutcome> f = authenticator.authenticate(request);
        AuthOutcome outcome = f.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(f).isNotCompletedExceptionally();
        return outcome;
    }

    @Test
    void authenticateShouldRouteToMappedBackendWhenPasswordMatches() throws Exception {
        assertThat(auth(imap("alice", "secret")))
                .isEqualTo(new Accepted(BackendRoute.of("127.0.0.11", 10143), "alice", "secret"));
        assertThat(auth(pop3("alice", "secret")))
                .isEqualTo(new Accepted(BackendRoute.of("127.0.0.11", 10143), "alice", "secret"));
    }

    @Test
    void authenticateShouldRouteToEveryHostOfTheSecondBackendWhenItHasSeveral() throws Exception {
        AuthOutcome outcome = auth(pop3("bob", "secret"));

        assertThat(outcome).isInstanceOf(Accepted.class);
        assertThat(((Accepted) outcome).route().hosts())
                .containsExactly(new HostAndPort("127.0.0.12", 110), new HostAndPort("127.0.0.13", 10110));
        assertThat(((Accepted) auth(imap("bob", "secret"))).route().primary())
                .isEqualTo(new HostAndPort("127.0.0.12", 143));
    }

    @Test
    void authenticateShouldUseMailServerAsHostWhenItIsNotMapped() throws Exception {
        assertThat(auth(imap("direct", "secret"))).isEqualTo(new Accepted(BackendRoute.of("::1", 1993), "direct", "secret"));
    }

    @Test
    void authenticateShouldRejectWhenPasswordIsWrong() throws Exception {
        assertThat(auth(imap("alice", "Secret"))).isEqualTo(new Rejected("wrong password", Duration.ZERO));
        assertThat(auth(imap("bob", "secret "))).isEqualTo(new Rejected("wrong password", Duration.ZERO));
        assertThat(auth(imap("alice", ""))).isEqualTo(new Rejected("wrong password", Duration.ZERO));
    }

    @Test
    void authenticateShouldRejectAfterDummyVerificationWhenUserIsUnknown() throws Exception {
        long before = stores.authenticator().stats().dummyVerifications();

        assertThat(auth(imap("mallory", "secret"))).isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(stores.authenticator().stats().dummyVerifications()).isEqualTo(before + 1);
    }

    @Test
    void authenticateShouldFailClosedWhenStoredPasswordIsNull() throws Exception {
        assertThat(auth(imap("nullpw", ""))).isEqualTo(new Rejected("unusable stored password hash", Duration.ZERO));
        assertThat(auth(imap("nullpw", "null"))).isEqualTo(new Rejected("unusable stored password hash", Duration.ZERO));
    }

    @Test
    void authenticateShouldAnswerUnavailableWhenMailServerIsNull() throws Exception {
        assertThat(auth(imap("nomail", "secret"))).isInstanceOf(Unavailable.class);
    }

    @Test
    void userNameShouldBeBoundNotInterpolatedWhenItContainsSql() throws Exception {
        assertThat(auth(imap("' OR '1'='1", "secret"))).isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(auth(imap("alice' -- ", "secret"))).isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(auth(imap("x'; delete from mailaccounts; --", "secret")))
                .isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(auth(imap("o'brien", "secret"))).isInstanceOf(Accepted.class);
        assertThat(usernames()).hasSize(9);
    }

    @Test
    void nonAsciiUserNamesShouldMatchExactlyWhenTheyHaveUmlautsAccentsOrEmoji() throws Exception {
        assertThat(auth(imap("jürgen", "pässwörd")))
                .isEqualTo(new Accepted(BackendRoute.of("127.0.0.11", 10143), "jürgen", "pässwörd"));
        assertThat(auth(pop3("Åsa", "pässwörd"))).isInstanceOf(Accepted.class);
        assertThat(auth(imap("📧mail", "secret"))).isInstanceOf(Accepted.class);

        assertThat(auth(imap("jurgen", "pässwörd"))).as("no accent folding").isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(auth(imap("åsa", "pässwörd"))).as("no case folding").isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThat(auth(imap("jürgen", "passwoerd"))).isEqualTo(new Rejected("wrong password", Duration.ZERO));
        assertThat(usernames()).contains("jürgen", "Åsa", "📧mail");
    }

    @Test
    void portColumnShouldBeatDirectoryPortsWhenQueryReturnsIt() throws Exception {
        update("alter table mailaccounts add column port int");
        update("update mailaccounts set port = 2143 where username = 'alice'");
        update("update mailaccounts set port = 2110 where username = 'bob'");
        try (AuthStores withPort = AuthStores.open(config()
                .query("select password, mail_server, port from mailaccounts where username = ? limit 1").build())) {
            JdbcAuthenticator a = withPort.authenticator();

            assertThat(auth(a, imap("alice", "secret")))
                    .isEqualTo(new Accepted(BackendRoute.of("127.0.0.11", 2143), "alice", "secret"));
            assertThat(((Accepted) auth(a, pop3("bob", "secret"))).route().hosts())
                    .containsExactly(new HostAndPort("127.0.0.12", 2110), new HostAndPort("127.0.0.13", 2110));
            assertThat(auth(a, imap("jürgen", "pässwörd")))
                    .as("NULL port: the directory decides")
                    .isEqualTo(new Accepted(BackendRoute.of("127.0.0.11", 10143), "jürgen", "pässwörd"));
        }
    }

    @Test
    void concurrentLoginsShouldAllBeAnsweredWhenTheyFitPoolAndQueue() throws Exception {
        List<CompletableFuture<AuthOutcome>> futures = new ArrayList<>();
        try (AuthStores big = AuthStores.open(config().poolSize(2).queueCapacity(40).build())) {
            for (int i = 0; i < 40; i++) {
                futures.add(big.authenticator().authenticate(imap(i % 2 == 0 ? "alice" : "mallory", "secret")));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(WAIT_S, TimeUnit.SECONDS))
                        .isInstanceOf(i % 2 == 0 ? Accepted.class : Rejected.class);
            }
            assertThat(big.authenticator().stats().saturated()).isZero();
        }
    }

    @Test
    void accountStoreShouldRoundTripAddPasswdListDeleteWhenUsedLikeTheCli() throws Exception {
        AccountStore accounts = stores.accounts();

        accounts.add("carol", "first-Pässword", "mailhost02");
        assertThat(auth(imap("carol", "first-Pässword"))).isInstanceOf(Accepted.class);
        assertThat(accounts.find("carol")).contains(new Account("carol", "mailhost02", "sha512-crypt"));
        assertThatThrownBy(() -> accounts.add("carol", "other", "mailhost01"))
                .isInstanceOf(AccountExistsException.class).hasMessageContaining("carol").hasMessageNotContaining("other");

        accounts.setPassword("carol", "second", "bcrypt");
        assertThat(auth(imap("carol", "first-Pässword"))).isEqualTo(new Rejected("wrong password", Duration.ZERO));
        assertThat(auth(imap("carol", "second"))).isInstanceOf(Accepted.class);

        for (String scheme : List.of("sha256-crypt", "md5-crypt", "argon2id", "sha512-crypt")) {
            accounts.setPassword("carol", "pw-" + scheme, scheme);
            assertThat(auth(imap("carol", "pw-" + scheme))).as(scheme).isInstanceOf(Accepted.class);
            assertThat(accounts.find("carol").orElseThrow().scheme()).isEqualTo(scheme);
        }

        List<Account> all = accounts.list();
        assertThat(all).extracting(Account::username).contains("alice", "carol", "jürgen", "Åsa").hasSize(10);
        assertThat(all).filteredOn(a -> a.username().equals("nullpw")).singleElement()
                .extracting(Account::scheme).isEqualTo("none");
        assertThat(all).filteredOn(a -> a.username().equals("bob")).singleElement()
                .isEqualTo(new Account("bob", "mailhost02", "md5-crypt"));
        assertThat(all.toString()).doesNotContain("$6$").doesNotContain("$1$").doesNotContain("pw-");

        accounts.delete("carol");
        assertThat(auth(imap("carol", "pw-sha512-crypt"))).isEqualTo(new Rejected("unknown user", Duration.ZERO));
        assertThatThrownBy(() -> accounts.delete("carol")).isInstanceOf(NoSuchAccountException.class);
        assertThatThrownBy(() -> accounts.setPassword("carol", "x")).isInstanceOf(NoSuchAccountException.class);
        assertThat(accounts.find("carol")).isEmpty();
    }

    @Test
    void accountStoreShouldStoreNonAsciiNamesAndRefuseBadInput() throws Exception {
        AccountStore accounts = stores.accounts();

        accounts.add("zoë@例え.jp", "geheim", "mailhost01", "bcrypt");
        assertThat(auth(imap("zoë@例え.jp", "geheim"))).isInstanceOf(Accepted.class);
        assertThat(accounts.find("zoë@例え.jp")).map(Account::scheme).contains("bcrypt");

        assertThatThrownBy(() -> accounts.add("", "pw", "mailhost01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accounts.add(" alice", "pw", "mailhost01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accounts.add("a\nb", "pw", "mailhost01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accounts.add("dave", "", "mailhost01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accounts.add("dave", "pw", "bad host")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> accounts.add("dave", "pw", "mailhost01", "des-crypt"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(accounts.find("dave")).isEmpty();
    }

    @Test
    void createSchemaIfMissingShouldLeaveAnExistingTableAndRowsAlone() throws Exception {
        stores.accounts().createSchemaIfMissing();

        assertThat(usernames()).hasSize(9);
    }
}
