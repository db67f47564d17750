package io.mailproxy.bench;

import io.mailproxy.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The client side of a run: one event-loop group (epoll where it loads), connections to one target. */
final class LoadClient implements AutoCloseable {
    private final Transport transport = Transport.auto();
    private final EventLoopGroup group;
    private final InetSocketAddress target;
    private final int connectTimeoutMillis;

    LoadClient(InetSocketAddress target, int threads, int connectTimeoutMillis) {
        this.target = target;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.group = transport.newEventLoopGroup(threads, "bench-client");
    }

    /** Refuses a target that is not on this machine unless allowed: a load test is not for other people's servers. */
    static void requireLoopback(InetSocketAddress target, boolean allowRemote) {
        InetAddress a = target.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("cannot resolve " + target.getHostString());
        }
        if (!allowRemote && !a.isLoopbackAddress()) {
            throw new IllegalArgumentException(target.getHostString() + " is not a loopback address; "
                    + "pass --allow-remote to load a server you run elsewhere");
        }
    }

    /** Connects and installs the session made by {@code session}; the future is the connect. */
    ChannelFuture connect(Supplier<ScriptedSession> session) {
        Bootstrap b = new Bootstrap().group(group).channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new io.netty.channel.ChannelInitializer<>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel ch) {
                        ch.pipeline().addLast("session", session.get());
                    }
                });
        return b.connect(target);
    }

    EventLoopGroup group() {
        return group;
    }

    String transport() {
        return transport.id();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
