package io.mailproxy.cli;

import io.mailproxy.protocols.imap.ImapConfig;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.proxy.ConnectionLimits;
import io.mailproxy.proxy.ProxySettings;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Front-end behaviour shared by serve and demo: capabilities, timeouts, limits. */
final class ProxyOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--pop3-capabilities", paramLabel = "CAP", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "CAPA lines before login (nginx pop3_capabilities); the SASL line is added. "
                    + "Default: TOP,USER,UIDL.")
    List<String> pop3Capabilities;

    @Option(names = "--imap-capabilities", paramLabel = "CAP", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Capabilities before login (nginx imap_capabilities); AUTH=PLAIN / AUTH=LOGIN also "
                    + "enable AUTHENTICATE. Default: IMAP4rev1,SASL-IR,LITERAL+,ID,ENABLE,IDLE,AUTH=PLAIN,AUTH=LOGIN.")
    List<String> imapCapabilities;

    @Option(names = "--login-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.DurationConverter.class,
            description = "From connect to a finished login. Default: ${DEFAULT-VALUE}.")
    Duration loginTimeout;

    @Option(names = "--backend-connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "TCP connect to one backend host. Default: ${DEFAULT-VALUE}.")
    Duration backendConnectTimeout;

    @Option(names = "--backend-login-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationConverter.class,
            description = "Backend greeting and login. Default: ${DEFAULT-VALUE}.")
    Duration backendLoginTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "24h",
            converter = Converters.DurationConverter.class,
            description = "Close a relayed session idle this long (nginx proxy_timeout). Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--max-errors", paramLabel = "N", defaultValue = "5",
            description = "Invalid commands and failed logins before the connection is closed. Default: ${DEFAULT-VALUE}.")
    int maxErrors;

    @Option(names = "--max-line-length", paramLabel = "BYTES", defaultValue = "8192",
            description = "Longest command before login. Default: ${DEFAULT-VALUE}.")
    int maxLineLength;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = "Open client connections at most, all listeners together; more are told "
                    + "'-ERR [SYS/TEMP] too many connections' / '* BYE Too many connections' and closed. "
                    + "0: no limit. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-connections-per-ip", paramLabel = "N", defaultValue = "0",
            description = "Open connections at most from one client IP address (the PROXY-protocol client when "
                    + "there is one). 0: no limit (default; clients behind one NAT share an address).")
    int maxConnectionsPerIp;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationConverter.class,
            description = "On SIGTERM, let open sessions run this long before closing them. Default: ${DEFAULT-VALUE}.")
    Duration shutdownGrace;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads. Default: the number of CPUs.")
    Integer ioThreads;

    ProxySettings settings() {
        try {
            return new ProxySettings(loginTimeout, backendConnectTimeout, backendLoginTimeout, idleTimeout,
                    maxLineLength, maxErrors, shutdownGrace);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    ConnectionLimits connectionLimits() {
        try {
            return new ConnectionLimits(maxConnections, maxConnectionsPerIp);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid connection limit: " + e.getMessage());
        }
    }

    Pop3Config pop3Config() {
        try {
            return pop3Capabilities == null ? Pop3Config.defaults() : Pop3Config.defaults().withCapabilities(pop3Capabilities);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--pop3-capabilities': " + e.getMessage());
        }
    }

    ImapConfig imapConfig() {
        try {
            return imapCapabilities == null ? ImapConfig.defaults() : new ImapConfig(imapCapabilities);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--imap-capabilities': " + e.getMessage());
        }
    }

    int threads() {
        if (ioThreads != null && (ioThreads < 1 || ioThreads > 1024)) {
            throw usage("Invalid value for option '--io-threads': " + ioThreads + " (expected 1..1024)");
        }
        return ioThreads == null ? Runtime.getRuntime().availableProcessors() : ioThreads;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
