package io.mailproxy.cli;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.HostAndPort;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailproxy check USER}: what serve would decide for a login, like {@code doveadm auth test}. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Test a login: outcome and backend route.",
        description = {
            "Runs one login through the same lookup serve uses and prints the outcome and the "
                    + "backend it would be relayed to, like doveadm auth test. The password is read from "
                    + "standard input or prompted for.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  mailproxy check alice",
            "  printf '%%s\\n' \"$PW\" | mailproxy check --protocol pop3 \\",
            "      --backend mailhost01=192.168.1.22 alice",
            "",
            "Exit codes: 0 accepted; 1 rejected (or an error); 2 unavailable (database",
            "down, unusable row) or a usage error."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "USER", description = "Login name.")
    String user;

    @Option(names = "--protocol", paramLabel = "PROTOCOL", defaultValue = "imap",
            description = "imap (default) or pop3: decides the backend port.")
    String protocol;

    @Mixin
    DatabaseOptions db;

    @Mixin
    RoutingOptions routing;

    @Override
    public Integer call() throws Exception {
        Io io = Commands.io(spec);
        Commands.main(spec).quietUnlessLogLevelGiven();
        Protocol p = protocol(protocol);
        JdbcAuthConfig config = Stores.config(spec, routing.apply(db.configBuilder(io)));
        String password = PasswordInput.read(io, "Password for " + user, false);
        try (AuthStores stores = Stores.open(spec, config)) {
            AuthRequest request = new AuthRequest(p, user, password, p == Protocol.POP3 ? "USER" : "LOGIN", null, 1, false);
            AuthOutcome outcome;
            try {
                outcome = stores.authenticator().authenticate(request)
                        .get(config.authTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                outcome = new AuthOutcome.Unavailable(e.toString());
            }
            return report(io, p, outcome);
        }
    }

    private Protocol protocol(String id) {
        try {
            Protocol p = Protocol.fromId(id);
            if (p != Protocol.SMTP) {
                return p;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "Invalid value for option '--protocol': '" + id + "' (expected imap or pop3)");
    }

    private int report(Io io, Protocol p, AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Accepted a) {
            List<HostAndPort> hosts = a.route().hosts();
            String failover = hosts.size() > 1
                    ? " (failover " + hosts.subList(1, hosts.size()).stream().map(HostAndPort::toString)
                            .collect(Collectors.joining(", ")) + ")"
                    : "";
            io.out().println("accepted: " + user + " -> " + p.id() + " " + a.route().primary() + failover
                    + ", backend login " + a.backendUser());
            return ExitCodes.CHECK_ACCEPTED;
        }
        if (outcome instanceof AuthOutcome.Rejected r) {
            io.out().println("rejected: " + user + ": " + r.reason());
            return ExitCodes.CHECK_REJECTED;
        }
        AuthOutcome.Unavailable u = (AuthOutcome.Unavailable) outcome;
        io.out().println("unavailable: " + u.reason());
        return ExitCodes.CHECK_UNAVAILABLE;
    }
}
