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

    public static SessionRecord session(Channel channel) {
        return channel.attr(SESSION).get();
    }
}
