package io.mailproxy.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listening socket: which front-end protocol, on which address (port 0 picks a free one),
 * whether connections start with a PROXY protocol header ({@code proxyProtocol}, null for none),
 * and how it uses TLS ({@code tls}).
 */
public record ListenerSpec(FrontendProtocol protocol, InetSocketAddress address, ProxyProtocolPolicy proxyProtocol,
                           TlsMode tls) {
    public ListenerSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
    }

    /** A cleartext listener without PROXY protocol or STARTTLS. */
    public ListenerSpec(FrontendProtocol protocol, InetSocketAddress address) {
        this(protocol, address, null, TlsMode.NONE);
    }

    /** A cleartext listener without STARTTLS, with PROXY protocol as {@code proxyProtocol} says. */
    public ListenerSpec(FrontendProtocol protocol, InetSocketAddress address, ProxyProtocolPolicy proxyProtocol) {
        this(protocol, address, proxyProtocol, TlsMode.NONE);
    }

    /** A listener without PROXY protocol, in TLS mode {@code tls}. */
    public ListenerSpec(FrontendProtocol protocol, InetSocketAddress address, TlsMode tls) {
        this(protocol, address, null, tls);
    }
}
