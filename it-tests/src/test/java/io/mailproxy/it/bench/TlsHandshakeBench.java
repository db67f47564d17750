package io.mailproxy.it.bench;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Authenticator;
import io.mailproxy.protocols.pop3.Pop3Config;
import io.mailproxy.protocols.pop3.Pop3Protocol;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.ProxySettings;
import io.mailproxy.proxy.TlsMode;
import io.mailproxy.proxy.tls.ServerTlsConfig;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.mailproxy.proxy.tls.TlsProvider;
import io.mailproxy.testsupport.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

/**
 * TLS handshakes per second through the proxy's implicit-TLS listener (pop3s), OpenSSL provider
 * then JDK provider, in one run, loopback only, bounded in time. Each handshake is a new TCP
 * connection, a TLS 1.3 handshake and the greeting read, then close; "full" never offers a session,
 * "resumed" offers the client's cached one. The client (Netty + OpenSSL, one event loop) is the
 * same for both providers and shares the machine with the proxy, so its cost is in the figures.
 *
 * <p>{@code scripts/tls-bench.sh [seconds-per-run] [connections-in-flight] [server-threads]}
 */
public final class TlsHandshakeBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int serverThreads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (seconds < 1 || seconds > 60 || clients < 1 || clients > 256) {
            throw new IllegalArgumentException("seconds 1-60, connections in flight 1-256");
        }
        TestPki pki = TestPki.create("bench");
        Path dir = Files.createTempDirectory("mailproxy-tls-bench");
        TestPki.Issued ec = pki.issue("bench-ec");
        TestPki.Issued rsa = pki.issue("bench-rsa", true, TestPki.LOOPBACK_NAMES);
        // Resumed: the client caches sessions per host:port and offers them. Full: no peer host, so
        // no session cache (and no host name check, which costs next to nothing beside the rest).
        SslContext resuming = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(pki.root()).build();
        SslContext fresh = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(pki.root()).endpointIdentificationAlgorithm(null).build();
        System.out.printf("TLS handshakes/s through the proxy: %d s per run, %d connections in flight (one OpenSSL client "
                + "event loop), %d server event-loop thread(s), "
                + "%d CPUs, Java %s%n", seconds, clients, serverThreads, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        for (TestPki.Issued cert : List.of(ec, rsa)) {
            String keyType = cert == ec ? "ECDSA P-256" : "RSA 2048";
            ServerTlsConfig config = ServerTlsConfig.of(cert.writeChain(dir.resolve(keyType.charAt(0) + "-chain.pem")),
                    cert.writeKey(dir.resolve(keyType.charAt(0) + "-key.pem")));
            for (TlsProvider provider : List.of(TlsProvider.OPENSSL, TlsProvider.JDK)) {
                try (ServerTlsContext tls = ServerTlsContext.load(config.withProvider(provider));
                     ProxyServer server = server(tls, serverThreads)) {
                    InetSocketAddress at = server.start().get(0).address();
                    run(fresh, at, 1, 1, false); // warm-up
                    run(fresh, at, Math.max(1, seconds / 2), clients, false);
                    for (boolean resumed : List.of(false, true)) {
                        Result r = run(resumed ? resuming : fresh, at, seconds, clients, resumed);
                        System.out.printf("  %-7s %-11s %-7s %8.0f handshakes/s  (%d in %.1f s, %d errors)%n",
                                provider.name().toLowerCase(), keyType, resumed ? "resumed" : "full",
                                r.count / r.seconds, r.count, r.seconds, r.errors);
                    }
                }
            }
        }
    }

    private static ProxyServer server(ServerTlsContext tls, int threads) {
        Authenticator never = request -> CompletableFuture.completedFuture(new AuthOutcome.Unavailable("bench"));
        return ProxyServer.builder()
                .listener(new Pop3Protocol(Pop3Config.defaults()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TlsMode.IMPLICIT)
                .serverTls(tls)
                .settings(ProxySettings.defaults().withShutdownGrace(Duration.ofMillis(100)))
                .authenticator(never)
                .threads(threads)
                .build();
    }

    private record Result(long count, long errors, double seconds) {
    }

    /**
     * {@code concurrency} connections in flight on one client event loop, each: connect, TLS
     * handshake (OpenSSL client; with {@code resume} it offers its cached session for this
     * host:port), read the greeting line, close, then the next, until the deadline.
     */
    private static Result run(SslContext client, InetSocketAddress at, int seconds, int concurrency, boolean resume)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            AtomicLong count = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(seconds).toNanos();
            CountDownLatch done = new CountDownLatch(concurrency);
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            SslHandler ssl = resume
                                    ? client.newHandler(ch.alloc(), at.getHostString(), at.getPort())
                                    : client.newHandler(ch.alloc());
                            ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    boolean line = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\n') >= 0;
                                    buf.release();
                                    if (line) {
                                        count.incrementAndGet();
                                        ctx.close();
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    errors.incrementAndGet();
                                    ctx.close();
                                }
                            });
                        }
                    });
            for (int i = 0; i < concurrency; i++) {
                next(b, at, deadline, done);
            }
            done.await(seconds + 30L, TimeUnit.SECONDS);
            return new Result(count.get(), errors.get(), (System.nanoTime() - start) / 1e9);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void next(Bootstrap b, InetSocketAddress at, long deadline, CountDownLatch done) {
        if (System.nanoTime() >= deadline) {
            done.countDown();
            return;
        }
        b.connect(at).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                next(b, at, deadline, done);
                return;
            }
            f.channel().closeFuture().addListener(c -> next(b, at, deadline, done));
        });
    }
}
