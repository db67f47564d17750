package io.mailproxy.auth.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mailproxy.auth.password.PasswordSchemes;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection pool and what runs on it: the {@link JdbcAuthenticator} (for {@code serve}) and
 * the {@link AccountStore} (for {@code users ...}). The CLI's entry point into this module:
 *
 * <pre>{@code
 * JdbcAuthConfig config = (dbUrl == null ? JdbcAuthConfig.embedded(dataDir) : JdbcAuthConfig.builder(dbUrl)
 *         .user(dbUser).password(dbPassword))
 *     .directory(BackendDirectory.builder().map("mailhost01=10.0.0.1,10.0.0.2:1143").build())
 *     .build();
 * try (AuthStores stores = AuthStores.open(config)) {
 *     stores.accounts().add("alice", password, "mailhost01");      // users add
 *     Authenticator auth = stores.authenticator();                // serve
 * }
 * }</pre>
 *
 * <p>{@link #open} does not need the database to be up: the pool is created with
 * {@code initializationFailTimeout=-1}, lookups answer Unavailable until the database answers, and
 * the pool reconnects by itself. For an H2 URL the database file and the seed's table are created
 * on open; for MySQL the table is expected to exist ({@link AccountStore#createSchemaIfMissing()}
 * creates it on request).
 *
 * <p>Pool settings: {@code poolSize} connections (fixed), {@code connectionTimeout} =
 * connectTimeout, {@code validationTimeout} = half of it (at least 250 ms). For
 * {@code jdbc:mysql:} URLs these driver properties are added unless the URL sets them (matched by
 * name, ignoring case; only the URL's {@code ?key=value} part is looked at):
 * {@code connectTimeout} (connectTimeout), {@code socketTimeout} (queryTimeout + connectTimeout, so a
 * hung server frees the connection even when the query-timeout's KILL cannot get through),
 * {@code characterEncoding=UTF-8} (utf8mb4 on the wire), {@code cachePrepStmts=true},
 * {@code prepStmtCacheSize=250}, {@code prepStmtCacheSqlLimit=2048}, {@code useServerPrepStmts=true},
 * {@code useLocalSessionState=true}, {@code cacheServerConfiguration=true},
 * {@code elideSetAutoCommits=true}, {@code maintainTimeStats=false}, {@code tcpKeepAlive=true}.
 * TLS is left to the driver's default ({@code sslMode=PREFERRED}: encrypted when the server offers
 * it, plain otherwise, without warnings); set {@code sslMode=REQUIRED}/{@code VERIFY_IDENTITY} in
 * the URL to insist, or {@code sslMode=DISABLED} to skip the TLS handshake on a local socket.
 */
public final class AuthStores implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuthStores.class);

    private final JdbcAuthConfig config;
    private final HikariDataSource dataSource;
    private final JdbcAuthenticator authenticator;
    private final AccountStore accounts;

    private AuthStores(JdbcAuthConfig config, HikariDataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        this.accounts = new AccountStore(dataSource, config.queryTimeoutSeconds());
        this.authenticator = new JdbcAuthenticator(dataSource, config,
                PasswordSchemes.verifier(), dataSource::close);
    }

    /**
     * Opens the pool (without waiting for the database) and, for H2, creates the database and
     * table if missing.
     *
     * @throws IllegalArgumentException when no JDBC driver takes the URL
     * @throws AccountStoreException    when the embedded H2 database cannot be created
     */
    public static AuthStores open(JdbcAuthConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            DriverManager.getDriver(config.jdbcUrl());
        } catch (SQLException e) {
            throw new IllegalArgumentException("no JDBC driver for " + config.redactedUrl()
                    + " (supported: jdbc:mysql://HOST[:PORT]/DB for MySQL and MariaDB, jdbc:h2:...)");
        }
        if (config.isH2()) {
            EmbeddedStore.prepareDirectory(config.jdbcUrl());
        }
        HikariDataSource ds = new HikariDataSource(hikariConfig(config));
        AuthStores stores = new AuthStores(config, ds);
        if (config.isH2()) {
            try {
                stores.accounts.createSchemaIfMissing();
            } catch (RuntimeException e) {
                stores.close();
                throw e;
            }
        }
        LOG.info("account store {} (pool {}, query timeout {} s, auth timeout {} ms)", config.redactedUrl(),
                config.poolSize(), config.queryTimeoutSeconds(), config.authTimeout().toMillis());
        return stores;
    }

    /** The authenticator. Closing it closes this whole store (executor and pool). */
    public JdbcAuthenticator authenticator() {
        return authenticator;
    }

    /** Account administration on the same pool. */
    public AccountStore accounts() {
        return accounts;
    }

    /** The pool, for health checks. */
    public DataSource dataSource() {
        return dataSource;
    }

    public JdbcAuthConfig config() {
        return config;
    }

    /** Stops the authenticator's executor and closes the pool. Idempotent. */
    @Override
    public void close() {
        authenticator.close(); // its onClose closes the pool
    }

    static HikariConfig hikariConfig(JdbcAuthConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("mailproxy-auth");
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(config.poolSize());
        long connectMs = config.connectTimeout().toMillis();
        hc.setConnectionTimeout(connectMs);
        hc.setValidationTimeout(Math.max(250, connectMs / 2));
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        driverDefaults(config).forEach(hc::addDataSourceProperty);
        return hc;
    }

    /** The driver properties added to the URL's own (see the class comment); empty for non-MySQL URLs. */
    static Map<String, String> driverDefaults(JdbcAuthConfig config) {
        Map<String, String> defaults = new LinkedHashMap<>();
        if (!config.isMysql()) {
            return defaults;
        }
        long connectMs = config.connectTimeout().toMillis();
        long socketMs = config.queryTimeoutSeconds() * 1000L + connectMs;
        defaults.put("connectTimeout", Long.toString(connectMs));
        defaults.put("socketTimeout", Long.toString(socketMs));
        defaults.put("characterEncoding", "UTF-8");
        defaults.put("cachePrepStmts", "true");
        defaults.put("prepStmtCacheSize", "250");
        defaults.put("prepStmtCacheSqlLimit", "2048");
        defaults.put("useServerPrepStmts", "true");
        defaults.put("useLocalSessionState", "true");
        defaults.put("cacheServerConfiguration", "true");
        defaults.put("elideSetAutoCommits", "true");
        defaults.put("maintainTimeStats", "false");
        defaults.put("tcpKeepAlive", "true");
        Set<String> inUrl = urlParameterNames(config.jdbcUrl());
        defaults.keySet().removeIf(k -> inUrl.contains(k.toLowerCase(Locale.ROOT)));
        return defaults;
    }

    /** Lower-case names of the {@code ?a=1&b=2} parameters of a URL. */
    static Set<String> urlParameterNames(String url) {
        Set<String> names = new TreeSet<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return names;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            if (!name.isEmpty()) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
