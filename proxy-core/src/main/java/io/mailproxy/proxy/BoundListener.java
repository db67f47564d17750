package io.mailproxy.proxy;

import io.mailproxy.auth.Protocol;
import java.net.InetSocketAddress;

/** A listener after {@link ProxyServer#start()}: the address it is actually bound to. */
public record BoundListener(Protocol protocol, InetSocketAddress address) {
    public int port() {
        return address.getPort();
    }
}
