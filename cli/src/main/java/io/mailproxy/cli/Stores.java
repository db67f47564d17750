package io.mailproxy.cli;

import io.mailproxy.auth.jdbc.AccountStoreException;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Opens the auth module's store with CLI-grade error messages. */
final class Stores {
    private Stores() {
    }

    /** Builds the config; a value the auth module refuses is a usage error. */
    static JdbcAuthConfig config(CommandSpec spec, JdbcAuthConfig.Builder builder) {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static AuthStores open(CommandSpec spec, JdbcAuthConfig config) {
        try {
            return AuthStores.open(config);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--db-url': " + e.getMessage());
        } catch (AccountStoreException | UncheckedIOException e) {
            throw new CliException("cannot open the account database " + config.redactedUrl() + ": " + rootMessage(e));
        }
    }

    /** Empty when a connection can be had now; otherwise why not (the root cause's message). */
    static Optional<String> unreachable(AuthStores stores) {
        try (Connection c = stores.dataSource().getConnection()) {
            return Optional.empty();
        } catch (SQLException | RuntimeException e) {
            return Optional.of(rootMessage(e));
        }
    }

    /** Fails with {@code cannot connect to the account database URL: why} unless a connection can be had. */
    static void requireReachable(AuthStores stores) {
        unreachable(stores).ifPresent(why -> {
            throw new CliException("cannot connect to the account database " + stores.config().redactedUrl() + ": " + why);
        });
    }

    /** The message of the deepest cause that has one. */
    static String rootMessage(Throwable t) {
        String message = t.toString();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
            }
        }
        return message.strip();
    }
}
