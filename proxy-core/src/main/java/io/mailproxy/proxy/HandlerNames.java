package io.mailproxy.proxy;

/** Names of the handlers in client and backend pipelines, in one place. */
public final class HandlerNames {
    private HandlerNames() {
    }

    /** Netty's HAProxyMessageDecoder, then the handler that applies the header; both remove themselves. */
    public static final String PROXY_PROTOCOL = "proxy-protocol";
    public static final String PROXY_PROTOCOL_SOURCE = "proxy-protocol-source";
    public static final String TLS = "tls";
    public static final String CONNECTION_LIMITS = "connection-limits";
    public static final String LOGIN_TIMEOUT = "login-timeout";
    public static final String DECODER = "decoder";
    public static final String SESSION = "session";
    public static final String BACKEND_HANDSHAKE = "backend-handshake";
    public static final String IDLE = "idle";
    public static final String RELAY = "relay";
    public static final String TAIL = "tail";
}
