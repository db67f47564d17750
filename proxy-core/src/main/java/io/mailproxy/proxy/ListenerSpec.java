package io.mailproxy.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;

/** One listening socket: which front-end protocol, on which address (port 0 picks a free one). */
public record ListenerSpec(FrontendProtocol protocol, InetSocketAddress address) {
    public ListenerSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
    }
}
