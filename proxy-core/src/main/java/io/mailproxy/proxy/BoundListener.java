package io.mailproxy.proxy;

import io.mailproxy.auth.Protocol;
import java.net.InetSocketAddress;

/** A listener after {@link ProxyServer#start()}: the address it is actually bound to, and its TLS mode. */
public record BoundListener(Protocol protocol, InetSocketAddress address, TlsMode tls) {
    public BoundListener(Protocol protocol, InetSocketAddress address) {
        this(protocol, address, TlsMode.NONE);
    }

    public int port() {
        return address.getPort();
    }

    /** {@code imap}, {@code imaps}, {@code pop3s}, ...: the protocol, with an {@code s} for implicit TLS. */
    public String scheme() {
        return protocol.id() + (tls == TlsMode.IMPLICIT ? "s" : "");
    }
}
