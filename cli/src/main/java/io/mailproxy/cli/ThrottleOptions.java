package io.mailproxy.cli;

import io.mailproxy.auth.throttle.ThrottleConfig;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Failed-login throttling for serve (the auth module's ThrottlingAuthenticator, like Dovecot's auth penalty). */
final class ThrottleOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--max-failure-delay", paramLabel = "DURATION", defaultValue = "15s",
            converter = Converters.DurationConverter.class,
            description = "The failure delay doubles with each failed login from a client, up to this. Default: ${DEFAULT-VALUE}.")
    Duration maxFailureDelay;

    @Option(names = {"--max-auth-failures-per-ip", "--max-failures-per-ip"}, paramLabel = "N", defaultValue = "0",
            description = "After N failed logins from one client (IPv4 address, IPv6 /64) within --failure-window, "
                    + "its logins get the temporary-failure reply until the window ends. 0: no ceiling (default).")
    int maxFailuresPerIp;

    @Option(names = {"--max-auth-failures-per-user", "--max-failures-per-user"}, paramLabel = "N", defaultValue = "0",
            description = "The same per user name, from any client (anyone can lock a user out). 0: no ceiling (default).")
    int maxFailuresPerUser;

    @Option(names = "--failure-window", paramLabel = "DURATION", defaultValue = "15m",
            converter = Converters.DurationConverter.class,
            description = "How long failed logins are remembered. Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(names = "--trusted-networks", paramLabel = "CIDR[,CIDR...]",
            description = "Clients exempt from failure delays and ceilings (webmail, monitoring), e.g. 10.0.0.0/8,::1.")
    String trustedNetworks;

    ThrottleConfig config(Duration baseDelay) {
        try {
            ThrottleConfig c = ThrottleConfig.defaults()
                    .withDelays(baseDelay, maxFailureDelay.compareTo(baseDelay) < 0 ? baseDelay : maxFailureDelay)
                    .withMaxFailuresPerIp(maxFailuresPerIp)
                    .withMaxFailuresPerUser(maxFailuresPerUser)
                    .withWindow(window);
            return trustedNetworks == null || trustedNetworks.isBlank() ? c : c.withTrustedNetworks(trustedNetworks);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
