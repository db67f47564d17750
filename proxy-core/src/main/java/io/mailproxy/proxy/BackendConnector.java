package io.mailproxy.proxy;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.HostAndPort;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Future;

/** Opens the backend connection of a logged-in client ({@link NettyBackendConnector} on real sockets). */
public interface BackendConnector extends AutoCloseable {

    /** Relay write-buffer watermarks: a peer stops being read while the other side has this much queued. */
    WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /**
     * Connects to the first host of {@code route} that accepts, on {@code client}'s event loop.
     * The returned channel has auto-read off and the handshake made by {@code handshake} as its
     * only handler, and has been asked to read once (to receive the greeting). Fails when every
     * host failed.
     */
    Future<Channel> connect(Channel client, BackendRoute route, HandshakeFactory handshake);

    @Override
    default void close() {
    }

    /** Makes the handler that logs in to one backend host once connected. */
    @FunctionalInterface
    interface HandshakeFactory {
        ChannelHandler create(HostAndPort host);
    }
}
