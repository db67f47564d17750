package io.mailproxy.protocols.imap;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/** Per-channel data of the IMAP front-end, as typed keys owned by this one class. */
public final class ImapAttributes {
    private ImapAttributes() {
    }

    /** What the client said in its last {@code ID} command before login; absent when it sent none. */
    public static final AttributeKey<ImapClientId> CLIENT_ID = AttributeKey.valueOf(ImapAttributes.class, "clientId");

    /** The client's ID parameters, or null when it sent no {@code ID} command. */
    public static ImapClientId clientId(Channel channel) {
        return channel.attr(CLIENT_ID).get();
    }
}
