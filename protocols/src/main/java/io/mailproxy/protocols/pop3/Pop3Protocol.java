package io.mailproxy.protocols.pop3;

import io.mailproxy.auth.Protocol;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.HandlerNames;
import io.mailproxy.proxy.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.util.Objects;

/**
 * The POP3 front-end: {@code new Pop3Protocol(Pop3Config.defaults())} for a listener. Adds a
 * {@link Pop3CommandDecoder} (lines capped at {@code ProxySettings.maxLineLength}) and a
 * {@link Pop3SessionHandler}. The login timeout closes without a reply, as nginx does.
 */
public final class Pop3Protocol implements FrontendProtocol {
    private final Pop3Config config;
    private final Pop3SessionHandler.Replies replies;

    public Pop3Protocol(Pop3Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.replies = new Pop3SessionHandler.Replies(config);
    }

    public Pop3Config config() {
        return config;
    }

    @Override
    public Protocol protocol() {
        return Protocol.POP3;
    }

    @Override
    public void initSession(Channel channel, ProxyContext proxy) {
        channel.pipeline().addLast(HandlerNames.DECODER, new Pop3CommandDecoder(proxy.settings().maxLineLength()));
        channel.pipeline().addLast(HandlerNames.SESSION, new Pop3SessionHandler(proxy, config, replies));
    }

    @Override
    public ByteBuf loginTimeoutReply(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public ByteBuf tooManyConnectionsReply(ByteBufAllocator alloc) {
        return Pop3SessionHandler.line(alloc, Pop3SessionHandler.TOO_MANY_CONNECTIONS);
    }

    @Override
    public ByteBuf shutdownReply(ByteBufAllocator alloc) {
        return Pop3SessionHandler.line(alloc, Pop3SessionHandler.SHUTTING_DOWN);
    }
}
