package io.mailproxy.cli;

import io.mailproxy.auth.jdbc.Account;
import io.mailproxy.auth.jdbc.AccountExistsException;
import io.mailproxy.auth.jdbc.AccountStore;
import io.mailproxy.auth.jdbc.AccountStoreException;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.NoSuchAccountException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mailproxy users add|passwd|del|list|init}: the accounts in the store serve uses. */
@Command(name = "users",
        mixinStandardHelpOptions = true,
        header = "Add, change, delete and list accounts.",
        description = {
            "Manages the accounts in the mailaccounts table, with the same database flags as serve. "
                    + "Passwords are read from standard input (one line) or prompted for without echo.",
            ""},
        subcommands = {
            UsersCommand.Add.class,
            UsersCommand.Passwd.class,
            UsersCommand.Del.class,
            UsersCommand.ListUsers.class,
            UsersCommand.Init.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mailproxy users add --mail-server mailhost01 alice   (prompts)",
            "  printf '%%s\\n' \"$PW\" | mailproxy users add --mail-server mailhost02 bob",
            "  mailproxy users passwd alice",
            "  mailproxy users list --db-url jdbc:mysql://db/mail --db-user admin",
            "  mailproxy users del bob"})
final class UsersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command (add, passwd, del, list or init)");
    }

    /** Runs {@code action} on an open store, with the errors a person can act on. */
    static int withStore(CommandSpec spec, DatabaseOptions db, StoreAction action) {
        Io io = Commands.io(spec);
        Commands.main(spec).quietUnlessLogLevelGiven();
        try (AuthStores stores = Stores.open(spec, Stores.config(spec, db.configBuilder(io)))) {
            Stores.requireReachable(stores);
            try {
                return action.run(io, stores.accounts());
            } catch (AccountExistsException | NoSuchAccountException e) {
                throw new CliException(e.getMessage());
            } catch (AccountStoreException e) {
                String message = e.getMessage().split("\n")[0].strip();
                String lower = message.toLowerCase(Locale.ROOT);
                boolean noTable = lower.contains(AccountStore.TABLE)
                        && (lower.contains("doesn't exist") || lower.contains("not found"));
                throw new CliException(message + (noTable ? " (create it with 'mailproxy users init')" : ""));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @FunctionalInterface
    interface StoreAction {
        int run(Io io, AccountStore accounts);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Adds an account. The password is read from standard input or prompted for (twice).",
            footerHeading = "%nExamples:%n",
            footer = {"  mailproxy users add --mail-server mailhost01 alice",
                "  printf '%%s\\n' \"$PW\" | mailproxy users add --mail-server 10.0.0.5:1143 --scheme bcrypt bob"})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "USER", description = "Login name.")
        String user;

        @Option(names = "--mail-server", required = true, paramLabel = "NAME",
                description = "The account's mail_server: a name mapped with serve --backend (mailhost01), "
                        + "or a host[:port].")
        String mailServer;

        @Mixin
        SchemeOption scheme;

        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            String s = scheme.checked();
            return withStore(spec, db, (io, accounts) -> {
                String password = PasswordInput.read(io, "Password for " + user, true);
                accounts.add(user, password, mailServer, s);
                io.out().println("added " + user + " (mail server " + mailServer.trim() + ", " + s + ")");
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sets an account's password, read from standard input or prompted for (twice).",
            footerHeading = "%nExamples:%n",
            footer = {"  mailproxy users passwd alice"})
    static final class Passwd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "USER", description = "Login name.")
        String user;

        @Mixin
        SchemeOption scheme;

        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            String s = scheme.checked();
            return withStore(spec, db, (io, accounts) -> {
                if (accounts.find(user).isEmpty()) {
                    throw new NoSuchAccountException(user); // before asking for a password in vain
                }
                String password = PasswordInput.read(io, "New password for " + user, true);
                accounts.setPassword(user, password, s);
                io.out().println("password of " + user + " changed (" + s + ")");
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Deletes an account.",
            footerHeading = "%nExamples:%n",
            footer = {"  mailproxy users del alice"})
    static final class Del implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "USER", description = "Login name.")
        String user;

        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            return withStore(spec, db, (io, accounts) -> {
                accounts.delete(user);
                io.out().println("deleted " + user);
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the accounts: user, mail server, password scheme (never the hash).",
            footerHeading = "%nExamples:%n",
            footer = {"  mailproxy users list", "  mailproxy users list --config /etc/mailproxy/mailproxy.properties"})
    static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            return withStore(spec, db, (io, accounts) -> {
                print(io.out(), accounts.list());
                return ExitCodes.OK;
            });
        }

        static void print(PrintWriter out, List<Account> accounts) {
            int userWidth = "USER".length();
            int serverWidth = "MAIL_SERVER".length();
            for (Account a : accounts) {
                userWidth = Math.max(userWidth, a.username().length());
                serverWidth = Math.max(serverWidth, String.valueOf(a.mailServer()).length());
            }
            String format = "%-" + userWidth + "s  %-" + serverWidth + "s  %s%n";
            out.printf(format, "USER", "MAIL_SERVER", "SCHEME");
            for (Account a : accounts) {
                out.printf(format, a.username(), a.mailServer() == null ? "-" : a.mailServer(), a.scheme());
            }
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Creates the mailaccounts table if it is missing (the embedded database has it already).",
                "Columns: username varchar(255) primary key, password varchar(255), mail_server varchar(255)."},
            footerHeading = "%nExamples:%n",
            footer = {"  MAILPROXY_DB_PASSWORD=... mailproxy users init --db-url jdbc:mysql://db/mail --db-user admin"})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            return withStore(spec, db, (io, accounts) -> {
                accounts.createSchemaIfMissing();
                io.out().println("table " + AccountStore.TABLE + " is ready");
                return ExitCodes.OK;
            });
        }
    }
}
