package io.mailproxy.auth;

import java.util.List;

/**
 * Where an accepted login goes: one or more backend addresses, tried in order (the first that
 * connects wins; the rest are failover).
 */
public record BackendRoute(List<HostAndPort> hosts) {
    public BackendRoute {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one host");
        }
    }

    public static BackendRoute of(String host, int port) {
        return new BackendRoute(List.of(new HostAndPort(host, port)));
    }

    /** The first (preferred) backend. */
    public HostAndPort primary() {
        return hosts.get(0);
    }

    @Override
    public String toString() {
        return hosts.toString();
    }
}
