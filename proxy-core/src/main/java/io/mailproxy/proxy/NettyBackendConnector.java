package io.mailproxy.proxy;

import io.mailproxy.auth.BackendRoute;
import io.mailproxy.auth.HostAndPort;
import io.mailproxy.proxy.tls.BackendTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens backend connections on the client channel's own event loop, with the same channel class,
 * so client and backend are served by one thread without locks. Tries the route's hosts in order;
 * host names are resolved with Netty's non-blocking DNS resolver (hosts file first).
 */
public final class NettyBackendConnector implements BackendConnector {
    private static final Logger LOG = LoggerFactory.getLogger(NettyBackendConnector.class);

    private final Transport transport;
    private final Duration connectTimeout;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final BackendProxyProtocol proxyProtocol;
    private final BackendTls tls;
    private final Duration tlsHandshakeTimeout;

    public NettyBackendConnector(Transport transport, Duration connectTimeout) {
        this(transport, connectTimeout, BackendProxyProtocol.OFF);
    }

    /** With {@code proxyProtocol} v1 or v2, each backend connection starts with a PROXY header naming the client. */
    public NettyBackendConnector(Transport transport, Duration connectTimeout, BackendProxyProtocol proxyProtocol) {
        this(transport, connectTimeout, proxyProtocol, BackendTls.OFF, connectTimeout);
    }

    /**
     * With {@link BackendTls.Mode#IMPLICIT} the TLS handler goes first in every backend pipeline (after
     * the PROXY header, which is sent in cleartext before the handshake).
     */
    public NettyBackendConnector(Transport transport, Duration connectTimeout, BackendProxyProtocol proxyProtocol,
                                 BackendTls tls, Duration tlsHandshakeTimeout) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
        this.proxyProtocol = proxyProtocol;
        this.tls = tls;
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(transport.datagramChannelClass()));
    }

    @Override
    public Future<Channel> connect(Channel client, BackendRoute route, HandshakeFactory handshake) {
        Promise<Channel> promise = client.eventLoop().newPromise();
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channel(transport.socketChannelClass())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                // Auto-read on: the handshake handler is in place before the first read (it is added
                // when the connect promise completes, before channelActive arms reading) and bounds
                // what it buffers; the relay keeps it on. One read() per backend line instead costs two
                // epoll_ctl calls each. TCP_NODELAY is the transports' default already.
                .option(ChannelOption.SO_KEEPALIVE, true)
                // No half-closure: when the backend closes (after LOGOUT/QUIT, or on its own), the session
                // is over; its channel closes at once and the relay flushes and closes the client, as
                // nginx and Dovecot's proxy do. (The client's half-close is still passed on to the backend.)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new NoopHandler());
        SessionRecord session = ChannelAttributes.session(client);
        if (session != null) {
            bootstrap.attr(ChannelAttributes.SESSION, session);
        }
        attempt(bootstrap, client, route.hosts(), 0, handshake, promise, null);
        return promise;
    }

    private void attempt(Bootstrap bootstrap, Channel client, List<HostAndPort> hosts, int index,
                         HandshakeFactory handshake, Promise<Channel> promise, Throwable lastCause) {
        if (!client.isActive()) {
            promise.tryFailure(new IllegalStateException("client went away"));
            return;
        }
        if (index >= hosts.size()) {
            promise.tryFailure(lastCause != null ? lastCause : new IllegalStateException("no backend host"));
            return;
        }
        HostAndPort host = hosts.get(index);
        SocketAddress address = InetSocketAddress.createUnresolved(host.host(), host.port());
        ChannelFuture f = bootstrap.connect(address);
        f.addListener(done -> {
            if (done.isSuccess()) {
                Channel backend = f.channel();
                SessionRecord session = ChannelAttributes.session(client);
                if (session != null) {
                    session.backend(host);
                }
                if (!client.isActive()) {
                    backend.close();
                    promise.tryFailure(new IllegalStateException("client went away"));
                    return;
                }
                if (proxyProtocol != BackendProxyProtocol.OFF) {
                    BackendProxyHeader.write(backend, proxyProtocol, ClientEndpoints.of(client));
                }
                backend.attr(ChannelAttributes.BACKEND_HOST).set(host);
                if (tls.mode() == BackendTls.Mode.IMPLICIT) {
                    backend.pipeline().addLast(HandlerNames.TLS, tls.newHandler(backend.alloc(), host, tlsHandshakeTimeout));
                }
                backend.pipeline().addLast(HandlerNames.BACKEND_HANDSHAKE, handshake.create(host));
                promise.trySuccess(backend);
            } else {
                LOG.warn("backend {} unreachable: {}", host, describe(done.cause()));
                attempt(bootstrap, client, hosts, index + 1, handshake, promise, done.cause());
            }
        });
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        resolver.close();
    }

    /** Placeholder so the bootstrap has a handler; the handshake is added once connected. */
    @ChannelHandler.Sharable
    private static final class NoopHandler extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }
    }
}
