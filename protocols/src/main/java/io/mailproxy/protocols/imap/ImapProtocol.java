package io.mailproxy.protocols.imap;

import io.mailproxy.auth.Protocol;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.HandlerNames;
import io.mailproxy.proxy.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.util.Objects;

/**
 * The IMAP front-end: {@code new ImapProtocol(ImapConfig.defaults())}. Adds an
 * {@link ImapCommandDecoder} and an {@link ImapSessionHandler} to each client pipeline; the
 * backend login is an {@link ImapBackendLogin}.
 */
public final class ImapProtocol implements FrontendProtocol {
    private final ImapConfig config;

    public ImapProtocol(ImapConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public ImapConfig config() {
        return config;
    }

    @Override
    public Protocol protocol() {
        return Protocol.IMAP;
    }

    @Override
    public void initSession(Channel channel, ProxyContext proxy) {
        ImapSessionHandler session = new ImapSessionHandler(proxy, config);
        channel.pipeline().addLast(HandlerNames.DECODER,
                new ImapCommandDecoder(proxy.settings().maxLineLength(), session::state));
        channel.pipeline().addLast(HandlerNames.SESSION, session);
    }

    @Override
    public ByteBuf loginTimeoutReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.AUTOLOGOUT);
    }

    @Override
    public ByteBuf tooManyConnectionsReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.TOO_MANY_CONNECTIONS);
    }

    @Override
    public ByteBuf shutdownReply(ByteBufAllocator alloc) {
        return ImapReplies.line(alloc, ImapReplies.SHUTTING_DOWN);
    }
}
