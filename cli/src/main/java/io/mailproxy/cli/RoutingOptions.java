package io.mailproxy.cli;

import io.mailproxy.auth.BackendDirectory;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a login is decided and routed (serve and check): the lookup query, and the seed's
 * {@code $mail_server_ip} / {@code $protocol_ports} maps as {@code --backend} / {@code --backend-port}.
 */
final class RoutingOptions {

    @Option(names = "--auth-query", paramLabel = "SQL", defaultValue = JdbcAuthConfig.DEFAULT_QUERY,
            description = "The account lookup: first ? is the user name, an optional second ? the protocol "
                    + "(pop3, imap); columns password, mail_server and optionally port. Default: ${DEFAULT-VALUE}")
    String query;

    @Option(names = "--backend", paramLabel = "NAME=HOST[:PORT][,...]", split = "\\s*;\\s*", splitSynopsisLabel = ";",
            converter = Converters.BackendConverter.class,
            description = "Map a mail_server value to backend hosts (first preferred, the rest failover); "
                    + "repeatable. An unmapped mail_server is used as a host name itself.")
    List<BackendDirectory.Mapping> backends = new ArrayList<>();

    @Option(names = "--backend-port", paramLabel = "PROTOCOL=PORT", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            converter = Converters.BackendPortConverter.class,
            description = "Backend port per protocol when the host gives none; repeatable. Default: pop3=110, imap=143.")
    List<Map.Entry<Protocol, Integer>> backendPorts = new ArrayList<>();

    @Option(names = "--auth-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = Converters.DurationConverter.class,
            description = "A lookup not answered by then gets the temporary-failure reply. Default: ${DEFAULT-VALUE}.")
    Duration authTimeout;

    @Option(names = "--failure-delay", paramLabel = "DURATION", defaultValue = "2s",
            converter = Converters.DurationConverter.class,
            description = "Wait before answering a failed login; serve doubles it for each further failure "
                    + "from the same client (see --max-failure-delay). Default: ${DEFAULT-VALUE}.")
    Duration failureDelay;

    /** Set by serve for --backend-tls on: backends listen on 995 (pop3) and 993 (imap) unless --backend-port says otherwise. */
    boolean implicitTlsPorts;

    BackendDirectory directory() {
        BackendDirectory.Builder b = BackendDirectory.builder();
        if (implicitTlsPorts) {
            b.port(Protocol.POP3, 995).port(Protocol.IMAP, 993);
        }
        for (BackendDirectory.Mapping m : backends) {
            b.map(m);
        }
        for (Map.Entry<Protocol, Integer> e : backendPorts) {
            b.port(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /** Adds query, directory, timeouts to a database config. */
    JdbcAuthConfig.Builder apply(JdbcAuthConfig.Builder b) {
        return b.query(query).directory(directory()).authTimeout(authTimeout).failureDelay(failureDelay);
    }
}
