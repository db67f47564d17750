package io.mailproxy.auth.jdbc;

import io.mailproxy.auth.BackendDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the JDBC account store needs. Build it with {@link #builder(String)} (a JDBC URL,
 * e.g. {@code jdbc:mysql://db.example:3306/mail}) or {@link #embedded(Path)} (the H2 file database
 * used when no URL is configured).
 *
 * @param jdbcUrl        {@code jdbc:mysql:...} (MySQL Connector/J, also for MariaDB servers) or
 *                       {@code jdbc:h2:...}
 * @param user           database user; may be empty
 * @param password       database password; may be empty; never shown by {@link #toString()}
 * @param poolSize       connections in the pool, and threads of the executor that runs lookups
 *                       (default {@value #DEFAULT_POOL_SIZE})
 * @param queueCapacity  lookups that may wait for a free thread before new ones are answered
 *                       Unavailable (default {@value #DEFAULT_QUEUE_CAPACITY}: a burst of logins, such as
 *                       every phone reconnecting after a network blip, waits its turn instead of
 *                       failing, while the overall auth timeout still bounds each wait; 0 means no
 *                       waiting at all)
 * @param query          the lookup; its first {@code ?} is the user name and an optional second one
 *                       the protocol id ({@code pop3}, {@code imap}); columns are read by label:
 *                       {@code password}, {@code mail_server} and, if present, {@code port}
 *                       (default {@value #DEFAULT_QUERY})
 * @param connectTimeout how long to wait for a connection (TCP connect, and a free pooled
 *                       connection); at least 250 ms (default 2 s)
 * @param queryTimeout   how long one query may run; JDBC counts it in whole seconds, so it is
 *                       rounded up, at least 1 s (default 3 s)
 * @param authTimeout    the overall bound: a lookup not answered by then is answered Unavailable
 *                       (default 5 s)
 * @param failureDelay   the {@code Rejected.delay} for a wrong user or password (default 2 s)
 * @param directory      mail_server name to backend hosts, protocol to port
 */
public record JdbcAuthConfig(
        String jdbcUrl,
        String user,
        String password,
        int poolSize,
        int queueCapacity,
        String query,
        Duration connectTimeout,
        Duration queryTimeout,
        Duration authTimeout,
        Duration failureDelay,
        BackendDirectory directory) {

    /** The seed's query. */
    public static final String DEFAULT_QUERY = "select password,mail_server from mailaccounts where username=? limit 1";
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_QUEUE_CAPACITY = 1000;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The embedded H2 file is local, but its first open (creating or recovering the file and
     * starting the AUTO_SERVER listener) took more than 2 s on a loaded 2-core machine; there is
     * no network to fail fast on.
     */
    public static final Duration EMBEDDED_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofSeconds(2);

    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password\\d?=)[^&;]*");

    public JdbcAuthConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("not a JDBC URL (expected jdbc:mysql://HOST[:PORT]/DB or jdbc:h2:...): "
                    + redact(jdbcUrl));
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        if (poolSize < 1 || poolSize > 1000) {
            throw new IllegalArgumentException("poolSize must be 1..1000: " + poolSize);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must not be negative: " + queueCapacity);
        }
        Objects.requireNonNull(query, "query");
        int placeholders = countPlaceholders(query);
        if (placeholders < 1 || placeholders > 2) {
            throw new IllegalArgumentException("the query needs one '?' (user name) and at most a second one "
                    + "(protocol id); found " + placeholders + ": " + query);
        }
        positive(connectTimeout, "connectTimeout");
        if (connectTimeout.compareTo(MIN_CONNECT_TIMEOUT) < 0) {
            throw new IllegalArgumentException("connectTimeout must be at least 250 ms: " + connectTimeout);
        }
        positive(queryTimeout, "queryTimeout");
        positive(authTimeout, "authTimeout");
        Objects.requireNonNull(failureDelay, "failureDelay");
        if (failureDelay.isNegative()) {
            throw new IllegalArgumentException("failureDelay must not be negative: " + failureDelay);
        }
        Objects.requireNonNull(directory, "directory");
    }

    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /**
     * The embedded default: an H2 file database under {@code dataDir} (see {@link EmbeddedStore}),
     * user {@value EmbeddedStore#USER}, no password. {@link AuthStores#open} creates it, and the
     * seed's table, on first use.
     */
    public static Builder embedded(Path dataDir) {
        return new Builder(EmbeddedStore.jdbcUrl(dataDir)).user(EmbeddedStore.USER).password("")
                .connectTimeout(EMBEDDED_CONNECT_TIMEOUT);
    }

    /** Number of {@code ?} placeholders in {@link #query()}: 1 or 2. */
    public int placeholders() {
        return countPlaceholders(query);
    }

    /** Whether this is an H2 database (embedded or not). */
    public boolean isH2() {
        return jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:");
    }

    /** Whether this is a MySQL Connector/J URL ({@code jdbc:mysql:}, also used for MariaDB servers). */
    public boolean isMysql() {
        return jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:mysql:");
    }

    /** {@link #queryTimeout()} in whole seconds, rounded up, at least 1: what JDBC takes. */
    public int queryTimeoutSeconds() {
        long ms = queryTimeout.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
    }

    /** The URL with any {@code password=} parameter blanked, for logs. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "JdbcAuthConfig[jdbcUrl=" + redactedUrl() + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
                + ", poolSize=" + poolSize + ", queueCapacity=" + queueCapacity + ", query=" + query
                + ", connectTimeout=" + connectTimeout + ", queryTimeout=" + queryTimeout + ", authTimeout=" + authTimeout
                + ", failureDelay=" + failureDelay + ", directory=" + directory + "]";
    }

    static String redact(String url) {
        return URL_PASSWORD.matcher(url).replaceAll("$1***");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** Counts {@code ?} outside quoted literals and identifiers. */
    static int countPlaceholders(String sql) {
        int count = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }

    public static final class Builder {
        private final String jdbcUrl;
        private String user = "";
        private String password = "";
        private int poolSize = DEFAULT_POOL_SIZE;
        private Integer queueCapacity;
        private String query = DEFAULT_QUERY;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
        private Duration authTimeout = DEFAULT_AUTH_TIMEOUT;
        private Duration failureDelay = DEFAULT_FAILURE_DELAY;
        private BackendDirectory directory = BackendDirectory.defaults();

        private Builder(String jdbcUrl) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        /** Default: the pool size. */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder query(String query) {
            this.query = query;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder queryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
            return this;
        }

        public Builder authTimeout(Duration authTimeout) {
            this.authTimeout = authTimeout;
            return this;
        }

        public Builder failureDelay(Duration failureDelay) {
            this.failureDelay = failureDelay;
            return this;
        }

        public Builder directory(BackendDirectory directory) {
            this.directory = directory;
            return this;
        }

        public JdbcAuthConfig build() {
            return new JdbcAuthConfig(jdbcUrl, user, password, poolSize, queueCapacity == null ? DEFAULT_QUEUE_CAPACITY : queueCapacity,
                    query, connectTimeout, queryTimeout, authTimeout, failureDelay, directory);
        }
    }
}
