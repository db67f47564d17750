package io.mailproxy.cli;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * A fresh database on the local MariaDB (127.0.0.1:3306, root, empty password, unless
 * MAILPROXY_TEST_DB_HOST/PORT/USER/PASSWORD say otherwise), dropped on close.
 */
final class ThrowawayMariaDb implements AutoCloseable {
    private final String server;
    private final String user;
    private final String password;
    private final String name;

    private ThrowawayMariaDb(String server, String user, String password, String name) {
        this.server = server;
        this.user = user;
        this.password = password;
        this.name = name;
    }

    static ThrowawayMariaDb create() throws SQLException {
        String host = env("MAILPROXY_TEST_DB_HOST", "127.0.0.1");
        String port = env("MAILPROXY_TEST_DB_PORT", "3306");
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        ThrowawayMariaDb db = new ThrowawayMariaDb("jdbc:mysql://" + host + ":" + port + "/",
                env("MAILPROXY_TEST_DB_USER", "root"), env("MAILPROXY_TEST_DB_PASSWORD", ""),
                "mailproxy_cli_test_" + HexFormat.of().formatHex(random));
        db.execute("create database " + db.name + " character set utf8mb4 collate utf8mb4_bin");
        return db;
    }

    String url() {
        return server + name + "?sslMode=DISABLED";
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server + "?sslMode=DISABLED", user, password);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        execute("drop database if exists " + name);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
