package io.mailproxy.auth.jdbc;

import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.password.PasswordSchemes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administers the seed's table {@code mailaccounts(username, password, mail_server)} on H2 or
 * MySQL/MariaDB: what {@code mailproxy users add|passwd|del|list} run on. Passwords are hashed
 * here (default {@value PasswordSchemes#DEFAULT_SCHEME}); the plain password never reaches the
 * database, a log or an exception message.
 *
 * <p>Every method blocks on the database: call it from a command or a worker thread, never from an
 * event loop. Failures are {@link AccountStoreException}s; {@link AccountExistsException} and
 * {@link NoSuchAccountException} for the expected ones.
 */
public final class AccountStore {

    public static final String TABLE = "mailaccounts";

    private static final Logger LOG = LoggerFactory.getLogger(AccountStore.class);

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;

    /**
     * @param queryTimeoutSeconds per-statement timeout, at least 1
     */
    public AccountStore(DataSource dataSource, int queryTimeoutSeconds) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (queryTimeoutSeconds < 1) {
            throw new IllegalArgumentException("queryTimeoutSeconds must be at least 1");
        }
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /**
     * Creates {@code mailaccounts} if there is none: {@code username} (primary key),
     * {@code password}, {@code mail_server}, all {@code varchar(255)}. On MySQL/MariaDB the table is
     * {@code utf8mb4} with the binary collation {@code utf8mb4_bin}, so that user names match
     * exactly: a case- or accent-insensitive collation would let {@code jurgen} find the row of
     * {@code jürgen}. An existing table is left as it is.
     */
    public void createSchemaIfMissing() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            String ddl = "create table if not exists " + TABLE + " ("
                    + "username varchar(255) not null, "
                    + "password varchar(255), "
                    + "mail_server varchar(255), "
                    + "primary key (username))";
            if (product.contains("mysql") || product.contains("mariadb")) {
                ddl += " default character set utf8mb4 collate utf8mb4_bin";
            }
            st.execute(ddl);
        } catch (SQLException e) {
            throw new AccountStoreException("cannot create table " + TABLE + ": " + e.getMessage(), e);
        }
    }

    /** {@link #add(String, String, String, String)} with the default scheme. */
    public void add(String user, String password, String mailServer) {
        add(user, password, mailServer, PasswordSchemes.DEFAULT_SCHEME);
    }

    /**
     * Adds an account.
     *
     * @param mailServer a name mapped by the backend directory, or a host ({@code host[:port]})
     * @param scheme     one of {@link PasswordSchemes#writableSchemes()}
     * @throws AccountExistsException   when the user name is taken
     * @throws IllegalArgumentException for a bad user name, empty password, bad mail server or scheme
     */
    public void add(String user, String password, String mailServer, String scheme) {
        checkUser(user);
        checkMailServer(mailServer);
        String hash = hashOf(password, scheme);
        try (Connection c = dataSource.getConnection()) {
            if (exists(c, user)) {
                throw new AccountExistsException(user);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into " + TABLE + " (username, password, mail_server) values (?, ?, ?)")) {
                ps.setQueryTimeout(queryTimeoutSeconds);
                ps.setString(1, user);
                ps.setString(2, hash);
                ps.setString(3, mailServer.trim());
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                throw new AccountExistsException(user); // lost a race with another add
            }
            throw new AccountStoreException("cannot add account '" + user + "': " + e.getMessage(), e);
        }
        LOG.info("account '{}' added (mail_server {}, scheme {})", UserNames.forLog(user), mailServer.trim(), scheme);
    }

    /** {@link #setPassword(String, String, String)} with the default scheme. */
    public void setPassword(String user, String password) {
        setPassword(user, password, PasswordSchemes.DEFAULT_SCHEME);
    }

    /**
     * Replaces an account's password.
     *
     * @throws NoSuchAccountException when there is no such user
     */
    public void setPassword(String user, String password, String scheme) {
        Objects.requireNonNull(user, "user");
        String hash = hashOf(password, scheme);
        int rows = update("update " + TABLE + " set password = ? where username = ?", user, hash, user);
        if (rows == 0) {
            throw new NoSuchAccountException(user);
        }
        LOG.info("password of account '{}' changed (scheme {})", UserNames.forLog(user), scheme);
    }

    /**
     * Deletes an account.
     *
     * @throws NoSuchAccountException when there is no such user
     */
    public void delete(String user) {
        Objects.requireNonNull(user, "user");
        int rows = update("delete from " + TABLE + " where username = ?", user, user);
        if (rows == 0) {
            throw new NoSuchAccountException(user);
        }
        LOG.info("account '{}' deleted", UserNames.forLog(user));
    }

    /** All accounts, ordered by user name. */
    public List<Account> list() {
        List<Account> accounts = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select username, password, mail_server from " + TABLE + " order by username")) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    accounts.add(account(rs));
                }
            }
        } catch (SQLException e) {
            throw new AccountStoreException("cannot list accounts: " + e.getMessage(), e);
        }
        return accounts;
    }

    /** One account, if it exists. */
    public Optional<Account> find(String user) {
        Objects.requireNonNull(user, "user");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select username, password, mail_server from " + TABLE + " where username = ?")) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(account(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new AccountStoreException("cannot look up account '" + user + "': " + e.getMessage(), e);
        }
    }

    private static Account account(ResultSet rs) throws SQLException {
        String stored = rs.getString("password");
        String scheme = stored == null || stored.isEmpty() ? Account.NO_PASSWORD
                : PasswordSchemes.identify(stored).orElse(Account.UNKNOWN_SCHEME);
        return new Account(rs.getString("username"), rs.getString("mail_server"), scheme);
    }

    private boolean exists(Connection c, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from " + TABLE + " where username = ?")) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private int update(String sql, String user, String... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new AccountStoreException("cannot update account '" + user + "': " + e.getMessage(), e);
        }
    }

    private static String hashOf(String password, String scheme) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(scheme, "scheme");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("empty password");
        }
        return PasswordSchemes.hash(scheme, password);
    }

    private static void checkUser(String user) {
        Objects.requireNonNull(user, "user");
        if (!UserNames.isValid(user) || !user.strip().equals(user)) {
            throw new IllegalArgumentException("bad user name '" + UserNames.forLog(user)
                    + "' (1-255 characters, no control characters, no leading or trailing blanks)");
        }
    }

    private static void checkMailServer(String mailServer) {
        Objects.requireNonNull(mailServer, "mailServer");
        try {
            BackendDirectory.parseHostSpec(mailServer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad mail server: " + e.getMessage(), e);
        }
    }
}
