package io.mailproxy.proxy;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any number of listeners (protocol + address) on shared event loops. {@link #start()} binds them
 * all (or none) and reports the bound addresses; {@link #stop()} closes the listeners, then the
 * open sessions (after {@link ProxySettings#shutdownGrace()} at the most).
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final List<ListenerSpec> listeners;
    private final ProxySettings settings;
    private final Transport transport;
    private final int threads;
    private final Authenticator authenticator;
    private final BackendProxyProtocol backendProxyProtocol;
    private final boolean forwardClientAddress;
    private final ConnectionCounter connections;
    private final ServerTlsContext serverTls;
    private final BackendTls backendTls;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private BackendConnector connector;
    private ProxyContext context;
    private final List<Channel> serverChannels = new ArrayList<>();
    private List<BoundListener> bound = List.of();

    private ProxyServer(Builder b) {
        this.listeners = List.copyOf(b.listeners);
        this.settings = b.settings;
        this.transport = b.transport;
        this.threads = b.threads;
        this.authenticator = b.authenticator;
        this.backendProxyProtocol = b.backendProxyProtocol;
        this.forwardClientAddress = b.forwardClientAddress;
        this.connections = new ConnectionCounter(b.connectionLimits);
        this.serverTls = b.serverTls;
        this.backendTls = b.backendTls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every listener. On failure nothing stays bound and the cause is thrown
     * ({@link java.net.BindException} for a port in use or a privileged port, for instance).
     */
    public synchronized List<BoundListener> start() throws Exception {
        if (workerGroup != null) {
            throw new IllegalStateException("already started");
        }
        bossGroup = transport.newEventLoopGroup(1, "mailproxy-accept");
        workerGroup = transport.newEventLoopGroup(threads, "mailproxy-io");
        connector = new NettyBackendConnector(transport, settings.backendConnectTimeout(), backendProxyProtocol,
                backendTls, settings.backendLoginTimeout());
        ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        context = new ProxyContext(settings, authenticator, connector, clients, forwardClientAddress, serverTls, backendTls);
        List<BoundListener> result = new ArrayList<>();
        try {
            for (ListenerSpec spec : listeners) {
                ServerBootstrap sb = new ServerBootstrap()
                        .group(bossGroup, workerGroup)
                        .channel(transport.serverChannelClass())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        // auto-read off until the PreLoginDecoder takes over; TCP_NODELAY is the default
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childHandler(new Initializer(spec, context, connections));
                ChannelFuture f = sb.bind(spec.address()).await();
                if (!f.isSuccess()) {
                    Throwable cause = f.cause();
                    throw cause instanceof Exception e ? e : new RuntimeException(cause);
                }
                serverChannels.add(f.channel());
                InetSocketAddress local = (InetSocketAddress) f.channel().localAddress();
                result.add(new BoundListener(spec.protocol().protocol(), local, spec.tls()));
            }
        } catch (Exception e) {
            stopNow();
            throw new ListenerBindException(listenerFor(result.size()), e);
        }
        LOG.debug("transport {}", transport.id());
        bound = List.copyOf(result);
        return bound;
    }

    private ListenerSpec listenerFor(int index) {
        return index < listeners.size() ? listeners.get(index) : null;
    }

    public List<BoundListener> boundListeners() {
        return bound;
    }

    public Transport transport() {
        return transport;
    }

    /** The shared context (settings, authenticator, connector, open clients); null before start. */
    public ProxyContext context() {
        return context;
    }

    /** Open client connections and the limits they are counted against. */
    public ConnectionCounter connections() {
        return connections;
    }

    /**
     * Stops accepting, tells clients still logging in ({@link FrontendProtocol#shutdownReply}) and
     * closes them, gives relayed sessions up to the shutdown grace to end, then closes them.
     */
    public synchronized void stop() {
        if (workerGroup == null) {
            return;
        }
        for (Channel ch : serverChannels) {
            ch.close().awaitUninterruptibly();
        }
        serverChannels.clear();
        ChannelGroup clients = context.clients();
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(ShutdownEvent.INSTANCE);
        }
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!clients.isEmpty()) {
            LOG.info("shutdown grace over: closing {} open session(s)", clients.size());
        }
        for (Channel ch : clients) {
            ch.eventLoop().execute(() -> {
                SessionRecord s = ChannelAttributes.session(ch);
                if (s != null && ch.isActive()) {
                    s.outcome(SessionRecord.Outcome.SHUTDOWN);
                }
                ch.close();
            });
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        stopNow();
    }

    private void stopNow() {
        for (Channel ch : serverChannels) {
            ch.close().awaitUninterruptibly();
        }
        serverChannels.clear();
        if (connector != null) {
            connector.close();
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        workerGroup = null;
        bossGroup = null;
    }

    @Override
    public void close() {
        stop();
    }

    /** Builds the client pipeline of one listener from named steps. */
    private static final class Initializer extends ChannelInitializer<SocketChannel> {
        private final FrontendProtocol protocol;
        private final ProxyProtocolPolicy proxyProtocol;
        private final TlsMode tls;
        private final ProxyContext context;
        private final ConnectionCounter connections;

        Initializer(ListenerSpec spec, ProxyContext context, ConnectionCounter connections) {
            this.protocol = spec.protocol();
            this.proxyProtocol = spec.proxyProtocol();
            this.tls = spec.tls();
            this.context = context;
            this.connections = connections;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            SessionRecord session = new SessionRecord(protocol.protocol(), ch.remoteAddress());
            ch.attr(ChannelAttributes.SESSION).set(session);
            ch.attr(ChannelAttributes.FRONTEND).set(protocol);
            ch.closeFuture().addListener(f -> session.finish());
            context.clients().add(ch);
            addProxyProtocol(ch);
            ch.attr(ChannelAttributes.LISTENER_TLS).set(tls);
            addTls(ch, session);
            addConnectionLimits(ch);
            addTimeouts(ch);
            protocol.initSession(ch, context);
            ch.pipeline().addLast(HandlerNames.TAIL, TailHandler.INSTANCE);
        }

        private void addProxyProtocol(SocketChannel ch) {
            if (proxyProtocol != null) {
                ch.pipeline().addLast(HandlerNames.PROXY_PROTOCOL, new HAProxyMessageDecoder());
                ch.pipeline().addLast(HandlerNames.PROXY_PROTOCOL_SOURCE, new ProxyProtocolHandler(proxyProtocol));
            }
        }

        /** Implicit TLS: the handshake comes first; the greeting waits in the handler until it is done. */
        private void addTls(SocketChannel ch, SessionRecord session) {
            if (tls == TlsMode.IMPLICIT) {
                SslHandler ssl = context.serverTls().newHandler(ch.alloc(), false);
                TlsHandshakes.recordClient(ssl, session);
                ch.pipeline().addLast(HandlerNames.TLS, ssl);
            }
        }

        private void addConnectionLimits(SocketChannel ch) {
            ch.pipeline().addLast(HandlerNames.CONNECTION_LIMITS, new ConnectionLimitHandler(connections, protocol));
        }

        private void addTimeouts(SocketChannel ch) {
            ch.pipeline().addLast(HandlerNames.LOGIN_TIMEOUT,
                    new LoginTimeoutHandler(context.settings().loginTimeout(), protocol));
        }
    }

    /** A listener could not be bound; says which, and why in terms a person can act on. */
    public static final class ListenerBindException extends Exception {
        /** Why a bind failed. */
        public enum Reason { ADDRESS_IN_USE, PERMISSION_DENIED, ADDRESS_NOT_AVAILABLE, OTHER }

        private final transient ListenerSpec listener;
        private final Reason reason;

        ListenerBindException(ListenerSpec listener, Throwable cause) {
            super((listener == null ? "listener" : listener.protocol().protocol().id() + " on " + listener.address())
                    + ": " + cause.getMessage(), cause);
            this.listener = listener;
            this.reason = classify(cause);
        }

        public ListenerSpec listener() {
            return listener;
        }

        public Reason reason() {
            return reason;
        }

        /** Epoll reports errno text ("Address already in use"), NIO a BindException with the same words. */
        static Reason classify(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (m.contains("address already in use")) {
                    return Reason.ADDRESS_IN_USE;
                }
                if (m.contains("permission denied") || m.contains("access denied")) {
                    return Reason.PERMISSION_DENIED;
                }
                if (m.contains("cannot assign requested address")) {
                    return Reason.ADDRESS_NOT_AVAILABLE;
                }
            }
            return Reason.OTHER;
        }
    }

    public static final class Builder {
        private final List<ListenerSpec> listeners = new ArrayList<>();
        private ProxySettings settings = ProxySettings.defaults();
        private Transport transport = Transport.auto();
        private int threads = Runtime.getRuntime().availableProcessors();
        private Authenticator authenticator;
        private ConnectionLimits connectionLimits = ConnectionLimits.NONE;
        private BackendProxyProtocol backendProxyProtocol = BackendProxyProtocol.OFF;
        private boolean forwardClientAddress;
        private ServerTlsContext serverTls;
        private BackendTls backendTls = BackendTls.OFF;

        public Builder listener(FrontendProtocol protocol, InetSocketAddress address) {
            listeners.add(new ListenerSpec(protocol, address));
            return this;
        }

        /** A listener whose connections start with a PROXY protocol header from a trusted load balancer. */
        public Builder listener(FrontendProtocol protocol, InetSocketAddress address, ProxyProtocolPolicy proxyProtocol) {
            listeners.add(new ListenerSpec(protocol, address, proxyProtocol));
            return this;
        }

        /** Whether backends are sent a PROXY protocol header with the client's address (default: off). */
        public Builder backendProxyProtocol(BackendProxyProtocol mode) {
            this.backendProxyProtocol = Objects.requireNonNull(mode);
            return this;
        }

        /** A listener with TLS ({@link TlsMode#IMPLICIT}) or STARTTLS; needs {@link #serverTls}. */
        public Builder listener(FrontendProtocol protocol, InetSocketAddress address, TlsMode tls) {
            listeners.add(new ListenerSpec(protocol, address, tls));
            return this;
        }

        /** A listener behind a PROXY-protocol load balancer ({@code proxyProtocol} may be null) in TLS mode {@code tls}. */
        public Builder listener(FrontendProtocol protocol, InetSocketAddress address, ProxyProtocolPolicy proxyProtocol,
                                TlsMode tls) {
            listeners.add(new ListenerSpec(protocol, address, proxyProtocol, tls));
            return this;
        }

        /** The certificate of the TLS and STARTTLS listeners. */
        public Builder serverTls(ServerTlsContext serverTls) {
            this.serverTls = serverTls;
            return this;
        }

        /** How backends are reached (default: cleartext). */
        public Builder backendTls(BackendTls backendTls) {
            this.backendTls = Objects.requireNonNull(backendTls);
            return this;
        }

        public Builder settings(ProxySettings settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport);
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
            this.threads = threads;
            return this;
        }

        /** Limits on open client connections, in total and per client IP (default: none). */
        public Builder connectionLimits(ConnectionLimits limits) {
            this.connectionLimits = Objects.requireNonNull(limits);
            return this;
        }

        /** Whether backend logins tell the backend the client's address (IMAP ID, POP3 XCLIENT); default off. */
        public Builder forwardClientAddress(boolean forward) {
            this.forwardClientAddress = forward;
            return this;
        }

        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator);
            return this;
        }

        public ProxyServer build() {
            if (authenticator == null) {
                throw new IllegalStateException("an authenticator is required");
            }
            if (listeners.isEmpty()) {
                throw new IllegalStateException("at least one listener is required");
            }
            for (ListenerSpec l : listeners) {
                if (l.tls().needsCertificate() && serverTls == null) {
                    throw new IllegalStateException("listener " + l.address() + " uses TLS (" + l.tls() + ") but no certificate is configured");
                }
            }
            return new ProxyServer(this);
        }
    }
}
