package io.mailproxy.protocols.testsupport;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.proxy.BackendConnector;
import io.mailproxy.proxy.ChannelAttributes;
import io.mailproxy.proxy.HandlerNames;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BackendConnector} whose backends are EmbeddedChannels: the handshake handler is added
 * at once (the channel is "connected"), the test then plays the backend by writing its lines inbound
 * and reading what the proxy sent outbound. {@link #failing()} makes every connect fail instead.
 */
public final class EmbeddedBackendConnector implements BackendConnector {
    private final ByteBufAllocator alloc;
    private final List<EmbeddedChannel> backends = new ArrayList<>();
    private final List<BackendRoute> routes = new ArrayList<>();
    private boolean failing;

    public EmbeddedBackendConnector(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Every later connect fails with a ConnectException. */
    public EmbeddedBackendConnector failing() {
        this.failing = true;
        return this;
    }

    @Override
    public Future<Channel> connect(Channel client, BackendRoute route, HandshakeFactory handshake) {
        routes.add(route);
        if (failing) {
            IOException cause = new ConnectException("Connection refused: " + route.primary());
            return client.eventLoop().newFailedFuture(cause);
        }
        EmbeddedChannel backend = new EmbeddedChannel();
        backend.freezeTime();
        backend.config().setAllocator(alloc);
        backend.attr(ChannelAttributes.SESSION).set(ChannelAttributes.session(client));
        ChannelAttributes.session(client).backend(route.primary());
        backend.pipeline().addLast(HandlerNames.BACKEND_HANDSHAKE, handshake.create(route.primary()));
        backends.add(backend);
        return client.eventLoop().newSucceededFuture(backend);
    }

    public List<EmbeddedChannel> backends() {
        return backends;
    }

    /** The only backend connected so far (fails unless exactly one). */
    public EmbeddedChannel backend() {
        if (backends.size() != 1) {
            throw new AssertionError("expected one backend, got " + backends.size());
        }
        return backends.get(0);
    }

    public List<BackendRoute> routes() {
        return routes;
    }
}
