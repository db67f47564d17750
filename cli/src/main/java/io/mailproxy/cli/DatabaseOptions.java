package io.mailproxy.cli;

import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The account database, shared by serve, users and check: a JDBC URL (MySQL/MariaDB) or the
 * embedded H2 file database under {@code --data-dir}. The password never comes from a flag.
 */
final class DatabaseOptions {
    static final String PASSWORD_ENV = "MAILPROXY_DB_PASSWORD";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read defaults from a properties file: keys are long option names without '--' "
                    + "(db-url = jdbc:mysql://...). Flags on the command line win.")
    Path config;

    @Option(names = "--db-url", paramLabel = "JDBC_URL",
            description = "Account database, e.g. jdbc:mysql://db.example:3306/mail (MySQL or MariaDB). "
                    + "Default: the embedded H2 database in --data-dir.")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user.")
    String user;

    @Option(names = "--db-password-file", paramLabel = "FILE",
            description = "Read the database password from the first line of FILE. "
                    + "Else the environment variable " + PASSWORD_ENV + " is used. Never a flag value.")
    Path passwordFile;

    @Option(names = "--db-pool-size", paramLabel = "N", defaultValue = "" + JdbcAuthConfig.DEFAULT_POOL_SIZE,
            description = "Database connections (and lookup threads). Default: ${DEFAULT-VALUE}.")
    int poolSize;

    @Option(names = "--db-connect-timeout", paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Wait at most this long for a database connection. Default: 2s for a database "
                    + "server, 10s for the embedded database (its first open creates it).")
    Duration connectTimeout;

    static final Duration SERVER_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration EMBEDDED_CONNECT_TIMEOUT = JdbcAuthConfig.EMBEDDED_CONNECT_TIMEOUT;

    @Option(names = "--db-query-timeout", paramLabel = "DURATION", defaultValue = "3s",
            converter = Converters.DurationConverter.class,
            description = "Longest a query may run. Default: ${DEFAULT-VALUE}.")
    Duration queryTimeout;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "mailproxy-data",
            description = "Directory of the embedded H2 database (used when --db-url is not given). "
                    + "Default: ./${DEFAULT-VALUE}.")
    Path dataDir;

    /** A config builder with URL, user, password, pool and timeouts set. */
    JdbcAuthConfig.Builder configBuilder(Io io) {
        JdbcAuthConfig.Builder b;
        if (url == null || url.isBlank()) {
            b = JdbcAuthConfig.embedded(dataDir);
            if (user != null) {
                b.user(user);
            }
        } else {
            if (!url.startsWith("jdbc:")) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--db-url': '" + url
                        + "' is not a JDBC URL (expected jdbc:mysql://HOST[:PORT]/DATABASE or jdbc:h2:...)");
            }
            b = JdbcAuthConfig.builder(url.trim()).user(user == null ? "" : user);
        }
        String password = password(io);
        if (password != null) {
            b.password(password);
        }
        if (poolSize < 1 || poolSize > 1000) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--db-pool-size': " + poolSize + " (expected 1..1000)");
        }
        Duration connect = connectTimeout != null ? connectTimeout
                : embedded() ? EMBEDDED_CONNECT_TIMEOUT : SERVER_CONNECT_TIMEOUT;
        return b.poolSize(poolSize).connectTimeout(atLeast(connect, Duration.ofMillis(250), "--db-connect-timeout"))
                .queryTimeout(atLeast(queryTimeout, Duration.ofMillis(1), "--db-query-timeout"));
    }

    boolean embedded() {
        return url == null || url.isBlank();
    }

    /** From --db-password-file, else $MAILPROXY_DB_PASSWORD, else null. */
    String password(Io io) {
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                String line = nl < 0 ? text : text.substring(0, nl);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            } catch (NoSuchFileException e) {
                throw new CliException("cannot read database password file " + passwordFile + ": no such file");
            } catch (AccessDeniedException e) {
                throw new CliException("cannot read database password file " + passwordFile + ": permission denied");
            } catch (IOException e) {
                throw new CliException("cannot read database password file " + passwordFile + ": " + e.getMessage());
            }
        }
        return io.env(PASSWORD_ENV);
    }

    private Duration atLeast(Duration d, Duration min, String flag) {
        if (d.compareTo(min) < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag + "': at least "
                    + min.toMillis() + "ms");
        }
        return d;
    }
}
