package io.mailproxy.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Protocol-independent knobs of the proxy, with nginx-like defaults.
 *
 * @param loginTimeout          from connect to a finished login (nginx {@code timeout}, 60 s); absolute, so
 *                              a client trickling one byte a second cannot hold the connection longer
 * @param backendConnectTimeout TCP connect to one backend host (10 s)
 * @param backendLoginTimeout   backend greeting + login exchange (30 s)
 * @param idleTimeout           relay inactivity in both directions (nginx {@code proxy_timeout}, 24 h)
 * @param maxLineLength         longest command before login, literals included (8 KiB)
 * @param maxErrors             invalid commands (and failed logins) before the connection is closed (5)
 * @param shutdownGrace         how long {@link ProxyServer#stop()} lets sessions finish before closing them
 */
public record ProxySettings(
        Duration loginTimeout,
        Duration backendConnectTimeout,
        Duration backendLoginTimeout,
        Duration idleTimeout,
        int maxLineLength,
        int maxErrors,
        Duration shutdownGrace) {

    /** Longest line accepted from a backend during its login exchange. */
    public static final int MAX_BACKEND_LINE = 64 * 1024;

    public ProxySettings {
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(backendConnectTimeout, "backendConnectTimeout");
        Objects.requireNonNull(backendLoginTimeout, "backendLoginTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        positive(loginTimeout, "loginTimeout");
        positive(backendConnectTimeout, "backendConnectTimeout");
        positive(backendLoginTimeout, "backendLoginTimeout");
        positive(idleTimeout, "idleTimeout");
        if (maxLineLength < 64) {
            throw new IllegalArgumentException("maxLineLength must be at least 64");
        }
        if (maxErrors < 1) {
            throw new IllegalArgumentException("maxErrors must be at least 1");
        }
    }

    public static ProxySettings defaults() {
        return new ProxySettings(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofHours(24), 8192, 5, Duration.ofSeconds(30));
    }

    public ProxySettings withLoginTimeout(Duration d) {
        return new ProxySettings(d, backendConnectTimeout, backendLoginTimeout, idleTimeout, maxLineLength, maxErrors, shutdownGrace);
    }

    public ProxySettings withBackendConnectTimeout(Duration d) {
        return new ProxySettings(loginTimeout, d, backendLoginTimeout, idleTimeout, maxLineLength, maxErrors, shutdownGrace);
    }

    public ProxySettings withBackendLoginTimeout(Duration d) {
        return new ProxySettings(loginTimeout, backendConnectTimeout, d, idleTimeout, maxLineLength, maxErrors, shutdownGrace);
    }

    public ProxySettings withIdleTimeout(Duration d) {
        return new ProxySettings(loginTimeout, backendConnectTimeout, backendLoginTimeout, d, maxLineLength, maxErrors, shutdownGrace);
    }

    public ProxySettings withMaxLineLength(int n) {
        return new ProxySettings(loginTimeout, backendConnectTimeout, backendLoginTimeout, idleTimeout, n, maxErrors, shutdownGrace);
    }

    public ProxySettings withMaxErrors(int n) {
        return new ProxySettings(loginTimeout, backendConnectTimeout, backendLoginTimeout, idleTimeout, maxLineLength, n, shutdownGrace);
    }

    public ProxySettings withShutdownGrace(Duration d) {
        return new ProxySettings(loginTimeout, backendConnectTimeout, backendLoginTimeout, idleTimeout, maxLineLength, maxErrors, d);
    }

    private static void positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
