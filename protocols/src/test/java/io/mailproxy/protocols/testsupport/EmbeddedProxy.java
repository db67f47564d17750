package io.mailproxy.protocols.testsupport;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.proxy.ChannelAttributes;
import io.mailproxy.proxy.FrontendProtocol;
import io.mailproxy.proxy.HandlerNames;
import io.mailproxy.proxy.LoginTimeoutHandler;
import io.mailproxy.proxy.ProxyContext;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.SessionRecord;
import io.mailproxy.proxy.TailHandler;
import io.mailproxy.proxy.TlsMode;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A proxy on EmbeddedChannels: a client channel built like {@code ProxyServer}'s initializer
 * (session record, login timeout, the protocol's decoder and session, tail handler), a
 * {@link ScriptedAuthenticator}-style authenticator, an {@link EmbeddedBackendConnector} and one
 * {@link TrackingAllocator} for all channels. Time is frozen; move it with {@link #advance}.
 */
public final class EmbeddedProxy {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final EmbeddedBackendConnector connector = new EmbeddedBackendConnector(alloc);
    private final ProxyContext context;

    public EmbeddedProxy(ProxySettings settings, Authenticator authenticator) {
        this(settings, authenticator, null, BackendTls.OFF);
    }

    /** With a server certificate (for TLS listener modes) and TLS to backends. */
    public EmbeddedProxy(ProxySettings settings, Authenticator authenticator, ServerTlsContext serverTls, BackendTls backendTls) {
        this.context = new ProxyContext(settings, authenticator, connector,
                new DefaultChannelGroup("clients", ImmediateEventExecutor.INSTANCE), serverTls, backendTls);
    }

    public ProxyContext context() {
        return context;
    }

    public TrackingAllocator alloc() {
        return alloc;
    }

    public EmbeddedBackendConnector connector() {
        return connector;
    }

    /** A connected client channel; the greeting is already in its outbound queue. */
    public EmbeddedChannel connect(FrontendProtocol protocol) {
        return connect(protocol, TlsMode.NONE);
    }

    /**
     * A connected client channel of a listener in TLS mode {@code tls}: for implicit TLS the
     * outbound queue holds the start of the handshake, not the greeting ({@link EmbeddedTlsClient}).
     */
    public EmbeddedChannel connect(FrontendProtocol protocol, TlsMode tls) {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAllocator(alloc);
                ch.attr(ChannelAttributes.SESSION).set(new SessionRecord(protocol.protocol(), ch.remoteAddress()));
                ch.attr(ChannelAttributes.FRONTEND).set(protocol);
                ch.attr(ChannelAttributes.LISTENER_TLS).set(tls);
                if (tls == TlsMode.IMPLICIT) {
                    ch.pipeline().addLast(HandlerNames.TLS, context.serverTls().newHandler(alloc, false));
                }
                ch.pipeline().addLast(HandlerNames.LOGIN_TIMEOUT,
                        new LoginTimeoutHandler(context.settings().loginTimeout(), protocol));
                protocol.initSession(ch, context);
                ch.pipeline().addLast(HandlerNames.TAIL, TailHandler.INSTANCE);
            }
        });
        ch.freezeTime();
        return ch;
    }

    /** Moves the client's (frozen) clock and runs what became due; also the backends' clocks. */
    public void advance(EmbeddedChannel client, Duration by) {
        long nanos = by.toNanos();
        for (EmbeddedChannel b : connector.backends()) {
            b.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
            b.runScheduledPendingTasks();
        }
        client.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        client.runScheduledPendingTasks();
        client.runPendingTasks();
    }

    public static SessionRecord session(Channel ch) {
        return ChannelAttributes.session(ch);
    }
}
