package io.mailproxy.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listening socket: which front-end protocol, on which address (port 0 picks a free one), and
 * whether connections start with a PROXY protocol header ({@code proxyProtocol}, null for none).
 */
public record ListenerSpec(FrontendProtocol protocol, InetSocketAddress address, ProxyProtocolPolicy proxyProtocol) {
    public ListenerSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
    }

    /** A listener without PROXY protocol. */
    public ListenerSpec(FrontendProtocol protocol, InetSocketAddress address) {
        this(protocol, address, null);
    }
}
