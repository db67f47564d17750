package io.mailproxy.proxy;

import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

/**
 * A front-end protocol (POP3, IMAP): how a listener's client pipeline is completed. The core has
 * already added TLS (when configured) and the login timeout, and adds its tail handler after.
 */
public interface FrontendProtocol {

    Protocol protocol();

    /**
     * Adds the protocol's decoder ({@link HandlerNames#DECODER}, a {@link PreLoginDecoder}) and
     * session handler ({@link HandlerNames#SESSION}, a {@link FrontendSessionHandler}) to
     * {@code channel}'s pipeline.
     */
    void initSession(Channel channel, ProxyContext proxy);

    /** What a client is told when the login timeout expires (IMAP {@code * BYE ...}); null to just close. */
    ByteBuf loginTimeoutReply(ByteBufAllocator alloc);

    /**
     * What a client over a {@link ConnectionLimits connection limit} is told instead of the greeting
     * before it is closed ({@code -ERR [SYS/TEMP] too many connections}, {@code * BYE Too many
     * connections}); null to just close.
     */
    default ByteBuf tooManyConnectionsReply(ByteBufAllocator alloc) {
        return null;
    }

    /**
     * What a client still logging in is told when the server shuts down, before it is closed
     * ({@code * BYE ...}; POP3 has no unsolicited reply, so a {@code -ERR} it reads as the answer to
     * its next command); null to just close. Relayed sessions are not told anything: they belong to
     * the backend.
     */
    default ByteBuf shutdownReply(ByteBufAllocator alloc) {
        return null;
    }
}
