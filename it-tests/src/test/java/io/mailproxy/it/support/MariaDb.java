package io.mailproxy.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real MariaDB of the machine (127.0.0.1:3306, root, empty password by default; override with
 * MAILPROXY_TEST_DB_HOST/PORT/USER/PASSWORD): a throwaway database per test class.
 */
public final class MariaDb implements AutoCloseable {
    public static final String HOST = env("MAILPROXY_TEST_DB_HOST", "127.0.0.1");
    public static final int PORT = Integer.parseInt(env("MAILPROXY_TEST_DB_PORT", "3306"));
    public static final String USER = env("MAILPROXY_TEST_DB_USER", "root");
    public static final String PASSWORD = env("MAILPROXY_TEST_DB_PASSWORD", "");

    private final String database;

    public MariaDb() throws SQLException {
        database = "mailproxy_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl(), USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
    }

    public String database() {
        return database;
    }

    public String jdbcUrl() {
        return "jdbc:mysql://" + HOST + ":" + PORT + "/" + database;
    }

    private static String serverUrl() {
        return "jdbc:mysql://" + HOST + ":" + PORT + "/";
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl(), USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? def : v;
    }
}
