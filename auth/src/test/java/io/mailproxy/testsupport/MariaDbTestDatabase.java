package io.mailproxy.testsupport;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A throw-away database on the real MariaDB (or MySQL) server the integration tests use: created
 * with a random name ({@code mailproxy_test_<hex>}, utf8mb4, binary collation) and dropped on
 * {@link #close()}.
 *
 * <p>The server comes from system properties or environment variables, with the defaults of the
 * development machines and CI (where {@code scripts/test.sh} makes sure it runs):
 * <pre>
 *   mailproxy.test.db.host      MAILPROXY_TEST_DB_HOST      127.0.0.1
 *   mailproxy.test.db.port      MAILPROXY_TEST_DB_PORT      3306
 *   mailproxy.test.db.user      MAILPROXY_TEST_DB_USER      root
 *   mailproxy.test.db.password  MAILPROXY_TEST_DB_PASSWORD  (empty)
 * </pre>
 */
public final class MariaDbTestDatabase implements AutoCloseable {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String name;

    private MariaDbTestDatabase(String host, int port, String user, String password, String name) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.name = name;
    }

    /** Creates a fresh database; fails with a hint when the server cannot be reached. */
    public static MariaDbTestDatabase create() {
        String host = setting("host", "127.0.0.1");
        int port = Integer.parseInt(setting("port", "3306"));
        String user = setting("user", "root");
        String password = setting("password", "");
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String name = "mailproxy_test_" + HexFormat.of().formatHex(random);
        MariaDbTestDatabase db = new MariaDbTestDatabase(host, port, user, password, name);
        try (Connection c = DriverManager.getConnection(db.serverUrl(), user, password);
                Statement st = c.createStatement()) {
            st.execute("create database " + name + " character set utf8mb4 collate utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on MariaDB at " + host + ":" + port
                    + " as " + user + " (start it, e.g. with scripts/test.sh, or set MAILPROXY_TEST_DB_HOST/PORT/USER/"
                    + "PASSWORD): " + e.getMessage(), e);
        }
        return db;
    }

    private static String setting(String key, String fallback) {
        String v = System.getProperty("mailproxy.test.db." + key);
        if (v == null) {
            v = System.getenv("MAILPROXY_TEST_DB_" + key.toUpperCase(Locale.ROOT));
        }
        return v == null ? fallback : v;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String databaseName() {
        return name;
    }

    /** {@code jdbc:mysql://host:port/<name>}. */
    public String jdbcUrl() {
        return jdbcUrl(host, port);
    }

    /** The URL of this database reached through another address, e.g. a {@link TcpForwarder}. */
    public String jdbcUrl(String viaHost, int viaPort) {
        return "jdbc:mysql://" + viaHost + ":" + viaPort + "/" + name;
    }

    /** A new connection to this database (the caller closes it). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl() + "?characterEncoding=UTF-8", user, password);
    }

    /** Runs one statement with {@code ?} parameters bound as objects. */
    public int execute(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Drops the database. */
    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(serverUrl(), user, password);
                Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    private String serverUrl() {
        return "jdbc:mysql://" + host + ":" + port + "/?connectTimeout=5000&socketTimeout=30000";
    }

    @Override
    public String toString() {
        return "MariaDbTestDatabase[" + host + ":" + port + "/" + name + "]";
    }
}
