package io.mailproxy.cli;

import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AccountStore;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mailproxy demo}: everything on one machine, to try it in one command. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Try it: demo users, mail servers and the proxy on 127.0.0.1.",
        description = {
            "Starts an embedded account database with two demo users, two in-process mail servers "
                    + "(mailhost01, mailhost02) holding a few messages each, and the proxy on 127.0.0.1:1110 (POP3) "
                    + "and 127.0.0.1:1143 (IMAP). Prints the users, their passwords and curl commands to paste, "
                    + "then runs until interrupted (Ctrl-C).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mailproxy demo",
            "  mailproxy demo --imap 127.0.0.1:2143 --pop3 127.0.0.1:2110",
            "  mailproxy demo --imap 0 --pop3 0              free ports, printed at start"})
final class DemoCommand implements Callable<Integer> {
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    @Spec
    CommandSpec spec;

    @Option(names = "--pop3", paramLabel = "[ADDR:]PORT", defaultValue = "127.0.0.1:1110",
            converter = ListenAddress.Converter.class,
            description = "POP3 listener. Default: ${DEFAULT-VALUE}. A bare port is on 127.0.0.1; 0 picks a free one.")
    ListenAddress pop3;

    @Option(names = "--imap", paramLabel = "[ADDR:]PORT", defaultValue = "127.0.0.1:1143",
            converter = ListenAddress.Converter.class,
            description = "IMAP listener. Default: ${DEFAULT-VALUE}. A bare port is on 127.0.0.1; 0 picks a free one.")
    ListenAddress imap;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the demo database in DIR. Default: a temporary directory, deleted on exit.")
    Path dataDir;

    @Mixin
    ProxyOptions proxy;

    private final SecureRandom random = new SecureRandom();

    @Override
    public Integer call() throws Exception {
        Io io = Commands.io(spec);
        try (StopSignal stop = io.stopSignals().install()) {
            return demo(io, stop);
        }
    }

    private int demo(Io io, StopSignal stop) throws Exception {
        InetSocketAddress pop3Address = demoAddress("--pop3", pop3);
        InetSocketAddress imapAddress = demoAddress("--imap", imap);
        ProxyServer.Builder builder = ProxyServer.builder()
                .settings(proxy.settings().withShutdownGrace(Duration.ofSeconds(2)))
                .threads(Math.min(2, proxy.threads()))
                .connectionLimits(proxy.connectionLimits())
                .listener(Frontends.pop3(proxy.pop3Config()), pop3Address)
                .listener(Frontends.imap(proxy.imapConfig()), imapAddress);

        List<AutoCloseable> resources = new ArrayList<>();
        try {
            Path dir = dataDir;
            if (dir == null) {
                Path tmp = Files.createTempDirectory("mailproxy-demo-");
                resources.add(new DeleteOnClose(tmp));
                dir = tmp;
            }
            DemoBackends backends = DemoBackends.start();
            resources.add(backends);
            JdbcAuthConfig config = JdbcAuthConfig.embedded(dir)
                    .poolSize(2)
                    .connectTimeout(DatabaseOptions.EMBEDDED_CONNECT_TIMEOUT)
                    .failureDelay(Duration.ofMillis(500))
                    .directory(BackendDirectory.builder()
                            .map("mailhost01", backends.host(0))
                            .map("mailhost02", backends.host(1))
                            .port(Protocol.POP3, backends.pop3Port())
                            .port(Protocol.IMAP, backends.imapPort())
                            .build())
                    .build();
            AuthStores stores = Stores.open(spec, config);
            resources.add(stores);
            List<DemoUser> users = List.of(
                    new DemoUser("alice", password(), "mailhost01", 0,
                            new String[] {"Welcome to mailproxy", "Your IMAP login went through the proxy", "Third message"}),
                    new DemoUser("bob", password(), "mailhost02", 1,
                            new String[] {"Hello Bob", "POP3 works too"}));
            for (DemoUser u : users) {
                upsert(stores.accounts(), u);
                backends.addUser(u.backend(), u.name(), u.password(), u.subjects());
            }
            ProxyServer server = builder.authenticator(stores.authenticator()).build();
            return ProxyRunner.run(io, stop, server, resources, bound -> banner(io.out(), bound, users, backends));
        } catch (Exception | Error e) {
            closeQuietly(resources);
            throw e;
        }
    }

    private InetSocketAddress demoAddress(String flag, ListenAddress a) {
        if (a.off()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag + "': the demo needs both listeners");
        }
        InetSocketAddress sa = a.host() == null ? new InetSocketAddress("127.0.0.1", a.port()) : a.socketAddress();
        if (sa.isUnresolved()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag + "': cannot resolve '" + a.host() + "'");
        }
        return sa;
    }

    private static void upsert(AccountStore accounts, DemoUser u) {
        if (accounts.find(u.name()).isPresent()) {
            accounts.delete(u.name());
        }
        accounts.add(u.name(), u.password(), u.mailServer());
    }

    private String password() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static void banner(PrintWriter out, List<BoundListener> bound, List<DemoUser> users, DemoBackends backends) {
        String pop3 = address(bound, Protocol.POP3);
        String imap = address(bound, Protocol.IMAP);
        out.println();
        out.println("mailproxy demo: POP3 on " + pop3 + ", IMAP on " + imap);
        out.println();
        out.printf("  %-6s %-14s %s%n", "USER", "PASSWORD", "MAIL SERVER");
        for (DemoUser u : users) {
            out.printf("  %-6s %-14s %s (%s, pop3 %d, imap %d; %d messages)%n", u.name(), u.password(), u.mailServer(),
                    backends.host(u.backend()), backends.pop3Port(), backends.imapPort(), u.subjects().length);
        }
        out.println();
        out.println("Try:");
        DemoUser alice = users.get(0);
        DemoUser bob = users.get(1);
        out.println("  curl -u " + alice.name() + ":" + alice.password() + " imap://" + imap
                + "/INBOX -X 'STATUS INBOX (MESSAGES)'");
        out.println("  curl -u " + bob.name() + ":" + bob.password() + " pop3://" + pop3 + "/1");
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    private static String address(List<BoundListener> bound, Protocol p) {
        for (BoundListener b : bound) {
            if (b.protocol() == p) {
                InetSocketAddress a = b.address();
                if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
                    return "127.0.0.1:" + a.getPort();
                }
                return ListenAddress.format(a);
            }
        }
        throw new IllegalStateException("no " + p.id() + " listener");
    }

    private static void closeQuietly(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // already failing
            }
        }
        resources.clear();
    }

    record DemoUser(String name, String password, String mailServer, int backend, String[] subjects) {
    }

    /** Deletes the temporary demo directory. */
    private record DeleteOnClose(Path dir) implements AutoCloseable {
        @Override
        public void close() {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // a leftover temp dir is harmless
            }
        }

        @Override
        public String toString() {
            return "demo data directory " + dir;
        }
    }
}
