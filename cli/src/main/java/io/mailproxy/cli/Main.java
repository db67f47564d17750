package io.mailproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code mailproxy} command. */
@Command(name = "mailproxy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "A POP3 and IMAP proxy: it accepts the client's login, checks the user and password "
                    + "against an SQL account table, and relays the connection to the user's mail server.",
            ""},
        subcommands = {
            ServeCommand.class,
            DemoCommand.class,
            UsersCommand.class,
            HashCommand.class,
            CheckCommand.class,
            CacheCommand.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mailproxy demo                   try it: users, mail servers, proxy on 127.0.0.1",
            "  mailproxy serve --db-url jdbc:mysql://db/mail --db-user mailproxy \\",
            "      --backend mailhost01=192.168.1.22 --backend mailhost02=192.168.1.33",
            "  mailproxy users add --mail-server mailhost01 alice",
            "  printf '%%s\\n' \"$PW\" | mailproxy check alice",
            "  mailproxy COMMAND --help         the flags of one command",
            "",
            "Exit codes: 0 ok; 1 error (the message says what); 2 usage error.",
            "  check: 0 accepted, 1 rejected, 2 unavailable."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Io io;

    public Main() {
        this(Io.system());
    }

    public Main(Io io) {
        this.io = io;
    }

    Io io() {
        return io;
    }

    /** Sets the log level of this process; inherited by every subcommand. */
    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "Log level: error, warn, info (default), debug, trace.")
    void logLevel(Logging.Level level) {
        this.logLevel = level;
        Logging.setLevel(level);
    }

    private Logging.Level logLevel;

    /** For one-shot commands (users, check): only warnings, unless --log-level was given. */
    void quietUnlessLogLevelGiven() {
        if (logLevel == null) {
            Logging.setLevel(Logging.Level.WARN);
        }
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command (serve, demo, users, hash or check)");
    }

    public static void main(String[] args) {
        System.exit(execute(Io.system(), args));
    }

    /** Runs the command line with {@code io}; returns the exit code. */
    public static int execute(Io io, String... args) {
        CommandLine cl = commandLine(io);
        try {
            Optional<java.nio.file.Path> config = ConfigFile.find(args);
            if (config.isPresent()) {
                Properties p = ConfigFile.load(config.get(), cl);
                cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(p));
            }
        } catch (CliException e) {
            io.err().println("mailproxy: " + e.getMessage());
            io.err().flush();
            return e.exitCode();
        }
        int code = cl.execute(args);
        io.out().flush();
        io.err().flush();
        return code;
    }

    /** The configured command line: streams, error handling, case-insensitive enum values. */
    public static CommandLine commandLine(Io io) {
        CommandLine cl = new CommandLine(new Main(io));
        cl.setOut(io.out());
        cl.setErr(io.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> runtimeError(io, ex));
        return cl;
    }

    /** One line saying what is wrong, a suggestion when there is one, and where to read more. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("mailproxy: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int runtimeError(Io io, Exception ex) {
        if (ex instanceof CliException c) {
            io.err().println("mailproxy: " + c.getMessage());
            io.err().flush();
            return c.exitCode();
        }
        if (ex instanceof ParameterException p) {
            return usageError(p, new String[0]);
        }
        io.err().println("mailproxy: unexpected error: " + ex);
        ex.printStackTrace(io.err());
        io.err().flush();
        return ExitCodes.FAILURE;
    }

    /** {@code mailproxy 0.1.0 (Java 17.0.15)}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mailproxy " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }

        static String version() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version", "");
                    if (!v.isEmpty() && !v.startsWith("$")) {
                        return v;
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            return "unknown";
        }
    }
}
