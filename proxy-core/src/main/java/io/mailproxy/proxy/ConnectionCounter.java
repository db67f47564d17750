package io.mailproxy.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open client connections of one {@link ProxyServer}, in total and per client IP, checked
 * against {@link ConnectionLimits}. Thread-safe (every event loop admits and releases here); the
 * per-IP map holds only addresses with open connections, so it is bounded by the connection count.
 */
public final class ConnectionCounter {

    /** What {@link #tryAcquire} decided. */
    public enum Admission { ADMITTED, TOO_MANY, TOO_MANY_FROM_IP }

    private final ConnectionLimits limits;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perIp = new ConcurrentHashMap<>();

    public ConnectionCounter(ConnectionLimits limits) {
        this.limits = limits;
    }

    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Counts one more connection from {@code client} (null: no IP address, only the total applies)
     * unless that passes a limit. Each ADMITTED must be paired with one {@link #release}.
     */
    public Admission tryAcquire(InetAddress client) {
        int max = limits.maxConnections();
        if (total.incrementAndGet() > max && max > 0) {
            total.decrementAndGet();
            return Admission.TOO_MANY;
        }
        int maxPerIp = limits.maxConnectionsPerIp();
        if (client != null) {
            boolean[] admitted = {true};
            perIp.compute(normalize(client), (ip, n) -> {
                int count = n == null ? 0 : n;
                if (maxPerIp > 0 && count >= maxPerIp) {
                    admitted[0] = false;
                    return n;
                }
                return count + 1;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Admission.TOO_MANY_FROM_IP;
            }
        }
        return Admission.ADMITTED;
    }

    /** Forgets one admitted connection from {@code client} (the same address given to {@link #tryAcquire}). */
    public void release(InetAddress client) {
        total.decrementAndGet();
        if (client != null) {
            perIp.computeIfPresent(normalize(client), (ip, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Open connections counted now. */
    public int total() {
        return total.get();
    }

    /** Open connections counted now from {@code client}. */
    public int fromIp(InetAddress client) {
        return perIp.getOrDefault(normalize(client), 0);
    }

    /** Number of addresses with open connections (bounded by {@link #total()}). */
    public int trackedAddresses() {
        return perIp.size();
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) counts as the IPv4 address. */
    static InetAddress normalize(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}
