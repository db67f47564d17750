package io.mailproxy.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar mailproxy-bench.jar login|fetch|idle|backends ...}, and
 * {@code java -jar mailproxy-bench.jar jmh [JMH options] [benchmark regexp]} for the microbenchmarks.
 */
@Command(name = "mailproxy-bench",
        mixinStandardHelpOptions = true,
        description = {"Load generator for any POP3/IMAP endpoint on this machine (loopback unless "
                + "--allow-remote), and the mail servers of scripts/bench.sh. One summary line per run "
                + "(key=value), or one JSON object with --json. 'jmh [JMH options]' runs the "
                + "microbenchmarks (decoders, password schemes).", ""},
        subcommands = {BenchMain.Login.class, BenchMain.Fetch.class, BenchMain.Idle.class, BenchMain.Backends.class,
            CommandLine.HelpCommand.class})
public final class BenchMain implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return 2;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            // the JMH microbenchmarks (decoders, password schemes): JMH's own command line follows
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(execute(new PrintWriter(System.out, true), args));
    }

    /** Runs a command line printing the summary to {@code out}; returns the exit code. */
    public static int execute(PrintWriter out, String... args) {
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setOut(out);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl.execute(args);
    }

    /** 500ms, 20s, 5m, or a bare number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("s")) {
                v = v.substring(0, v.length() - 1);
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        }
    }

    /** Where to connect and how to report. */
    static final class Target {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--protocol", defaultValue = "imap", description = "imap or pop3. Default: ${DEFAULT-VALUE}.")
        String protocol;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
        String host;

        @Option(names = "--port", defaultValue = "0", description = "Default: 143 (imap), 110 (pop3).")
        int port;

        @Option(names = "--allow-remote", description = "Allow a target that is not a loopback address.")
        boolean allowRemote;

        @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
                description = "Bound on each session (connect to logout). Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Option(names = "--threads", defaultValue = "1", description = "Client event-loop threads. Default: ${DEFAULT-VALUE}.")
        int threads;

        @Option(names = "--json", description = "Print one JSON object instead of the summary line.")
        boolean json;

        @Option(names = "--user-pattern", defaultValue = "user%d", description = "Default: ${DEFAULT-VALUE}.")
        String userPattern;

        @Option(names = "--user-range", defaultValue = "1-2000", description = "Default: ${DEFAULT-VALUE}.")
        String userRange;

        @Option(names = "--users-file", description = "Accounts, one 'user [password]' a line, instead of the range.")
        Path usersFile;

        @Option(names = "--password", defaultValue = "benchpw", description = "Password of every account. Default: ${DEFAULT-VALUE}.")
        String password;

        @Option(names = "--label", description = "A free word copied into the summary (e.g. direct, mailproxy, nginx).")
        String label;

        String protocol() {
            String p = protocol.toLowerCase(Locale.ROOT);
            if (!p.equals("imap") && !p.equals("pop3")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--protocol is imap or pop3");
            }
            return p;
        }

        InetSocketAddress address() {
            int p = port != 0 ? port : protocol().equals("imap") ? 143 : 110;
            InetSocketAddress a = new InetSocketAddress(host, p);
            try {
                LoadClient.requireLoopback(a, allowRemote);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            return a;
        }

        Users users() {
            return usersFile != null ? Users.file(usersFile, password) : Users.range(userPattern, userRange, password);
        }

        LoadClient client() {
            return new LoadClient(address(), threads, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE));
        }

        int print(Summary s, PrintWriter out) {
            if (label != null) {
                s.values().put("label", label);
            }
            s.put("target", host + ":" + address().getPort());
            out.println(json ? s.json() : s.line());
            out.flush();
            Object errors = s.get("errors");
            return errors instanceof Long n && n > 0 ? 1 : 0;
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "C clients for D seconds: connect, log in as a random user, SELECT INBOX / STAT, log out. "
                    + "Reports logins/s and login latency (connect to login OK) p50/p90/p99/max, errors by kind.")
    static final class Login implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = {"-c", "--clients"}, defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
        int clients;

        @Option(names = {"-d", "--duration"}, defaultValue = "10s", converter = DurationConverter.class,
                description = "Measured time. Default: ${DEFAULT-VALUE}.")
        Duration duration;

        @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
                description = "Load before the measured time, not counted. Default: ${DEFAULT-VALUE}.")
        Duration warmup;

        @Option(names = "--cpu-pid", split = ",",
                description = "Server process(es) (e.g. the proxy, or nginx's worker) whose CPU time (user + system, "
                        + "from /proc) over the measured window is reported per login, with the load generator's own.")
        List<Long> cpuPids = new ArrayList<>();

        @Option(names = "--rate", defaultValue = "0",
                description = "Open loop: start this many sessions per second whatever the server's speed, at most "
                        + "--clients at once; latency from when each was due. 0 (default): --clients in a closed loop.")
        double rate;

        @Override
        public Integer call() throws Exception {
            try (LoadClient client = target.client()) {
                LoginRun run = new LoginRun(client, target.protocol(), target.users(), clients, duration, warmup,
                        target.timeout, cpuPids);
                if (rate > 0) {
                    run.rate(rate);
                }
                Summary s = run.run();
                run.errors().firstDetails().forEach((kind, detail) ->
                        spec.commandLine().getErr().println("first " + kind.id() + " error: " + detail));
                s.put("transport", client.transport());
                return target.print(s, spec.commandLine().getOut());
            }
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Downloads message N of the first account R times (FETCH N BODY.PEEK[] / RETR N), one "
                    + "session each; MB/s over the downloads; each download's SHA-256 checked.")
    static final class Fetch implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = {"-n", "--message"}, defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
        int message;

        @Option(names = {"-r", "--repeat"}, defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
        int repeat;

        @Option(names = "--sha256", description = "Expected SHA-256 (hex) of the message; default: the first download's.")
        String sha256;

        @Override
        public Integer call() throws Exception {
            try (LoadClient client = target.client()) {
                Summary s = new FetchRun(client, target.protocol(), target.users().first(), message, repeat,
                        target.timeout, sha256).run();
                return target.print(s, spec.commandLine().getOut());
            }
        }
    }

    @Command(name = "idle", mixinStandardHelpOptions = true,
            description = "Opens K IMAP sessions in IDLE, holds them S seconds, reports how many were held "
                    + "(and, with --rss-pid, the server's resident memory per session).")
    static final class Idle implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = {"-k", "--sessions"}, defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
        int sessions;

        @Option(names = "--hold", defaultValue = "10s", converter = DurationConverter.class,
                description = "Default: ${DEFAULT-VALUE}.")
        Duration hold;

        @Option(names = "--ramp-concurrency", defaultValue = "100",
                description = "Sessions being set up at once. Default: ${DEFAULT-VALUE}.")
        int rampConcurrency;

        @Option(names = "--ramp-timeout", defaultValue = "120s", converter = DurationConverter.class,
                description = "Stop opening sessions after this. Default: ${DEFAULT-VALUE}.")
        Duration rampTimeout;

        @Option(names = "--rss-pid", defaultValue = "0", description = "Process whose VmRSS to sample (the server).")
        long rssPid;

        @Override
        public Integer call() throws Exception {
            if (!target.protocol().equals("imap")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "idle is IMAP only");
            }
            try (LoadClient client = target.client()) {
                Summary s = new IdleRun(client, target.users(), sessions, hold, rampConcurrency, rampTimeout,
                        target.timeout, rssPid).run();
                return target.print(s, spec.commandLine().getOut());
            }
        }
    }

    @Command(name = "backends", mixinStandardHelpOptions = true,
            description = "Runs GreenMail mail servers (one per --host, same ports) holding every account of the "
                    + "range with one small message, the first account also a large message 2; prints "
                    + "'backends ready imap=PORT pop3=PORT' and runs until killed.")
    static final class Backends implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--host", description = "Default: 127.0.0.1 and 127.0.0.2.")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--imap-port", defaultValue = "0")
        int imapPort;

        @Option(names = "--pop3-port", defaultValue = "0")
        int pop3Port;

        @Option(names = "--user-pattern", defaultValue = "user%d")
        String userPattern;

        @Option(names = "--user-range", defaultValue = "1-2000")
        String userRange;

        @Option(names = "--password", defaultValue = "benchpw")
        String password;

        @Option(names = "--large-message-mib", defaultValue = "20")
        int largeMib;

        @Override
        public Integer call() throws Exception {
            List<String> h = hosts.isEmpty() ? List.of("127.0.0.1", "127.0.0.2") : hosts;
            Users users = Users.range(userPattern, userRange, password);
            BenchBackends b = BenchBackends.start(h, imapPort, pop3Port);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                b.close();
                stop.countDown();
            }));
            b.addUsers(users.all());
            if (largeMib > 0) {
                b.addLargeMessage(users.first(), largeMib * 1024 * 1024);
            }
            spec.commandLine().getOut().println("backends ready imap=" + b.imapPort() + " pop3=" + b.pop3Port()
                    + " hosts=" + String.join(",", h) + " users=" + users.size());
            spec.commandLine().getOut().flush();
            stop.await();
            return 0;
        }
    }
}
