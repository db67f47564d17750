package io.mailproxy.auth.throttle;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of {@link ThrottlingAuthenticator}.
 *
 * @param enabled            false: the throttle passes every outcome through untouched
 * @param baseDelay          the {@code Rejected} delay after the first counted failure from a client
 *                           (default 2 s, like Dovecot's {@code auth_failure_delay}); it doubles with
 *                           each further counted failure in the window
 * @param maxDelay           the cap of that growth (default 15 s): 2, 4, 8, 15, 15, ...
 * @param maxFailuresPerIp   failures from one client (IPv4 address, IPv6 /64) within {@code window}
 *                           after which its logins get {@code Unavailable} for the rest of the window;
 *                           0 = no ceiling (default)
 * @param maxFailuresPerUser the same for one user name, from any client; 0 = no ceiling (default).
 *                           Beware: anyone can push a user over it and lock that user out until the
 *                           window ends
 * @param window             how long failures are remembered, counted from the first failure of a
 *                           client or user (a fixed window; default 15 min): it bounds both the
 *                           ceilings and the delay growth
 * @param trustedNetworks    clients exempt from delays, counting and ceilings (webmail, monitoring)
 * @param maxEntries         the size cap of each in-memory table (default 100,000), so an attacker
 *                           cannot grow the state without limit; least-used entries go first
 */
public record ThrottleConfig(
        boolean enabled,
        Duration baseDelay,
        Duration maxDelay,
        int maxFailuresPerIp,
        int maxFailuresPerUser,
        Duration window,
        List<Cidr> trustedNetworks,
        int maxEntries) {

    public static final Duration DEFAULT_BASE_DELAY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(15);
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    public ThrottleConfig {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(window, "window");
        trustedNetworks = List.copyOf(trustedNetworks);
        if (baseDelay.isNegative()) {
            throw new IllegalArgumentException("baseDelay must not be negative: " + baseDelay);
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below baseDelay " + baseDelay);
        }
        if (maxFailuresPerIp < 0 || maxFailuresPerUser < 0) {
            throw new IllegalArgumentException("failure ceilings must be 0 (off) or positive");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
    }

    /** Enabled; 2 s growing to 15 s; no ceilings; 15 min window; no trusted networks; 100k entries. */
    public static ThrottleConfig defaults() {
        return new ThrottleConfig(true, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, 0, 0, DEFAULT_WINDOW, List.of(),
                DEFAULT_MAX_ENTRIES);
    }

    /** The defaults with {@code enabled = false}: outcomes pass through untouched. */
    public static ThrottleConfig disabled() {
        return defaults().withEnabled(false);
    }

    public ThrottleConfig withEnabled(boolean enabled) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    public ThrottleConfig withDelays(Duration baseDelay, Duration maxDelay) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    public ThrottleConfig withMaxFailuresPerIp(int maxFailuresPerIp) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    public ThrottleConfig withMaxFailuresPerUser(int maxFailuresPerUser) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    public ThrottleConfig withWindow(Duration window) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    public ThrottleConfig withTrustedNetworks(List<Cidr> trustedNetworks) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    /** {@code withTrustedNetworks(Cidr.parseList(specs))}: the {@code --trusted-networks} syntax. */
    public ThrottleConfig withTrustedNetworks(String specs) {
        return withTrustedNetworks(Cidr.parseList(specs));
    }

    public ThrottleConfig withMaxEntries(int maxEntries) {
        return new ThrottleConfig(enabled, baseDelay, maxDelay, maxFailuresPerIp, maxFailuresPerUser, window,
                trustedNetworks, maxEntries);
    }

    /**
     * The delay after the {@code failures}-th counted failure: {@code baseDelay * 2^(failures-1)},
     * capped at {@code maxDelay}; {@code baseDelay} for 0 or 1.
     */
    public Duration delayAfter(int failures) {
        int doublings = Math.max(0, failures - 1);
        if (baseDelay.isZero()) {
            return Duration.ZERO;
        }
        // stops at the first value past the cap: a few iterations, never an overflow
        Duration d = baseDelay;
        for (int i = 0; i < doublings && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    /** Whether a client address lies in one of the trusted networks. */
    public boolean isTrusted(InetAddress address) {
        for (Cidr network : trustedNetworks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
