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
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS handshakes per second through the proxy's implicit-TLS listener (pop3s), OpenSSL provider
 * then JDK provider, in one run, loopback only, bounded in time. Each handshake is a new TCP
 * connection, a TLS handshake and the greeting read; "full" invalidates every client session,
 * "resumed" lets the client offer its last session. The client is the JDK's SSLSocket, the same for
 * both providers, on the same machine (its cost is included).
 *
 * <p>{@code scripts/tls-bench.sh [seconds-per-run] [client-threads] [server-threads]}
 */
public final class TlsHandshakeBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int serverThreads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (seconds < 1 || seconds > 60 || clients < 1 || clients > 64) {
            throw new IllegalArgumentException("seconds 1-60, client threads 1-64");
        }
        TestPki pki = TestPki.create("bench");
        Path dir = Files.createTempDirectory("mailproxy-tls-bench");
        TestPki.Issued ec = pki.issue("bench-ec");
        TestPki.Issued rsa = pki.issue("bench-rsa", true, TestPki.LOOPBACK_NAMES);
        SSLContext client = pki.clientContext();
        System.out.printf("TLS handshakes/s through the proxy: %d s per run, %d client threads, %d server event-loop thread(s), "
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
                    run(client, at, 1, 1, false); // warm-up
                    run(client, at, Math.max(1, seconds / 2), clients, false);
                    for (boolean resumed : List.of(false, true)) {
                        Result r = run(client, at, seconds, clients, resumed);
                        System.out.printf("  %-7s %-11s %-7s %8.0f handshakes/s  (%d in %.1f s, %d resumed, %d errors)%n",
                                provider.name().toLowerCase(), keyType, resumed ? "resumed" : "full",
                                r.count / r.seconds, r.count, r.seconds, r.resumed, r.errors);
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

    private record Result(long count, long resumed, long errors, double seconds) {
    }

    private static Result run(SSLContext context, InetSocketAddress at, int seconds, int threads, boolean resume)
            throws Exception {
        SSLSocketFactory factory = context.getSocketFactory();
        AtomicLong count = new AtomicLong();
        AtomicLong resumed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long firstCreation = -1;
                while (System.nanoTime() < deadline) {
                    try (SSLSocket s = (SSLSocket) factory.createSocket(at.getAddress(), at.getPort())) {
                        s.setSoTimeout(10_000);
                        s.startHandshake();
                        InputStream in = s.getInputStream();
                        while (in.read() != '\n') {
                            // the greeting
                        }
                        long created = s.getSession().getCreationTime();
                        if (resume && created == firstCreation) {
                            resumed.incrementAndGet();
                        }
                        firstCreation = firstCreation < 0 ? created : firstCreation;
                        if (!resume) {
                            s.getSession().invalidate();
                        }
                        count.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return new Result(count.get(), resumed.get(), errors.get(), (System.nanoTime() - start) / 1e9);
    }
}
