package io.mailproxy.proxy;

import io.mailproxy.auth.AuthRequest;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/** Per-channel data, as typed keys owned by this one class. */
public final class ChannelAttributes {
    private ChannelAttributes() {
    }

    /** The session record of a client channel (also set on its backend channel). */
    public static final AttributeKey<SessionRecord> SESSION = AttributeKey.valueOf(ChannelAttributes.class, "session");

    /** The front-end protocol of a client channel (for replies outside its session handler). */
    public static final AttributeKey<FrontendProtocol> FRONTEND = AttributeKey.valueOf(ChannelAttributes.class, "frontend");

    /** What a client connection's PROXY-protocol header said; absent when it had none (or a LOCAL one). */
    public static final AttributeKey<AuthRequest.ProxiedAddresses> PROXIED =
            AttributeKey.valueOf(ChannelAttributes.class, "proxied");

    /** How the listener that accepted a client channel uses TLS (absent: {@link TlsMode#NONE}). */
    public static final AttributeKey<TlsMode> LISTENER_TLS = AttributeKey.valueOf(ChannelAttributes.class, "listener-tls");

    /** The backend host a backend channel was opened to (for TLS host name verification and SNI). */
    public static final AttributeKey<io.mailproxy.auth.HostAndPort> BACKEND_HOST =
            AttributeKey.valueOf(ChannelAttributes.class, "backend-host");

    public static SessionRecord session(Channel channel) {
        return channel.attr(SESSION).get();
    }

    public static TlsMode listenerTls(Channel channel) {
        TlsMode mode = channel.attr(LISTENER_TLS).get();
        return mode == null ? TlsMode.NONE : mode;
    }
}
