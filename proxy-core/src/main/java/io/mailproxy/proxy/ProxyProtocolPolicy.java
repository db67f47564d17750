package io.mailproxy.proxy;

import io.mailproxy.auth.throttle.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A listener that expects a PROXY protocol header (v1 or v2) in front of every connection (nginx
 * {@code listen ... proxy_protocol} with {@code set_real_ip_from}).
 *
 * @param trusted       the load balancers allowed to send one; a connection from anywhere else is
 *                      closed at once, without a byte written
 * @param headerTimeout how long a connection may take to send its header before it is closed
 */
public record ProxyProtocolPolicy(List<Cidr> trusted, Duration headerTimeout) {
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    public ProxyProtocolPolicy {
        trusted = List.copyOf(Objects.requireNonNull(trusted, "trusted"));
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("the PROXY protocol needs at least one trusted network");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive");
        }
    }

    /** Trusting {@code trusted} ({@code 10.0.0.0/8,::1}), with the default header timeout. */
    public static ProxyProtocolPolicy trusting(String trusted) {
        return new ProxyProtocolPolicy(Cidr.parseList(trusted), DEFAULT_HEADER_TIMEOUT);
    }

    /** Whether a connection from {@code peer} may send a PROXY header. */
    public boolean trusts(InetAddress peer) {
        for (Cidr c : trusted) {
            if (c.contains(peer)) {
                return true;
            }
        }
        return false;
    }
}
