package io.mailproxy.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server certificate of the TLS listeners, and the {@link SslHandler}s made from it.
 *
 * <p>{@link #load} reads and checks everything up front (files readable, key matching the
 * certificate, protocols and ciphers usable by the provider), so a bad setting stops the start
 * with a message a person can act on. The current {@link SslContext} is kept in an
 * {@link AtomicReference}: {@link #reload()} (SIGHUP) and {@link #reloadIfChanged()} (polled by
 * {@link #watch}) swap in a new one for <em>new</em> connections, while open ones keep theirs. A
 * reload that fails keeps the old certificate and logs why.
 *
 * <p>Changes are detected by a digest of the files' contents, not their modification times: a
 * certificate replaced within the same second (or restored with its old mtime) is still seen.
 */
public final class ServerTlsContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTlsContext.class);

    private final ServerTlsConfig config;
    private final SslProvider provider;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private String lastSeenDigest;
    private String lastFailure;
    private ScheduledExecutorService watcher;

    /** One loaded certificate: the context made from it, its leaf, the digest of the files it came from. */
    private record Loaded(SslContext context, X509Certificate leaf, String digest) {
    }

    private ServerTlsContext(ServerTlsConfig config, SslProvider provider, Loaded loaded) {
        this.config = config;
        this.provider = provider;
        this.current.set(loaded);
        this.lastSeenDigest = loaded.digest();
    }

    /** Loads and checks the certificate and key; logs what is served, with which provider. */
    public static ServerTlsContext load(ServerTlsConfig config) throws TlsConfigException {
        SslProvider provider = config.provider().resolve();
        Loaded loaded = build(config, provider);
        ServerTlsContext tls = new ServerTlsContext(config, provider, loaded);
        Throwable whyNotOpenSsl = TlsProvider.openSslUnavailabilityCause();
        if (provider == SslProvider.JDK && config.provider() == TlsProvider.AUTO && whyNotOpenSsl != null) {
            LOG.info("TLS provider jdk (OpenSSL does not load: {})", whyNotOpenSsl.toString());
        }
        LOG.info("TLS provider {}, protocols {}, certificate {}", TlsProvider.describe(provider), config.protocols(),
                describe(loaded.leaf()));
        warnIfNotValidNow(loaded.leaf());
        return tls;
    }

    public ServerTlsConfig config() {
        return config;
    }

    /** The provider in use (OpenSSL or JDK). */
    public SslProvider provider() {
        return provider;
    }

    /** The certificate new connections are served (the leaf of the chain). */
    public X509Certificate certificate() {
        return current.get().leaf();
    }

    /**
     * A handler for one new connection, with the current certificate and the handshake timeout.
     * {@code startTls}: the first message written after it is added (the STARTTLS/STLS OK) goes
     * out in cleartext.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        SSLEngine engine = current.get().context().newEngine(alloc);
        SslHandler handler = new SslHandler(engine, startTls);
        handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
        return handler;
    }

    /** Loads the files again whatever their state (SIGHUP); on failure the old certificate stays. */
    public synchronized boolean reload() {
        return tryReload(true);
    }

    /** Loads the files again if their contents changed since they were last seen; true when a new certificate is in use. */
    public synchronized boolean reloadIfChanged() {
        return tryReload(false);
    }

    /** Polls the files every {@code interval} on a daemon thread of its own until {@link #close()}. */
    public synchronized void watch(Duration interval) {
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("mailproxy-tls-reload", true));
        long nanos = interval.toNanos();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.warn("TLS certificate check failed", e);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    private boolean tryReload(boolean force) {
        String digest;
        try {
            digest = digest(config);
        } catch (TlsConfigException e) {
            reportFailure(e.getMessage());
            return false;
        }
        if (!force && digest.equals(lastSeenDigest)) {
            return false;
        }
        lastSeenDigest = digest;
        try {
            Loaded loaded = build(config, provider);
            current.set(loaded);
            lastFailure = null;
            LOG.info("TLS certificate reloaded: {}; new connections get it", describe(loaded.leaf()));
            warnIfNotValidNow(loaded.leaf());
            return true;
        } catch (TlsConfigException e) {
            reportFailure(e.getMessage());
            return false;
        }
    }

    private void reportFailure(String message) {
        if (!message.equals(lastFailure)) {
            LOG.warn("TLS certificate not reloaded, still serving {}: {}", describe(current.get().leaf()), message);
            lastFailure = message;
        }
    }

    private static Loaded build(ServerTlsConfig config, SslProvider provider) throws TlsConfigException {
        String digest = digest(config);
        char[] password = config.keyPasswordFile() == null ? null : PemFiles.readPassword(config.keyPasswordFile());
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.readCertificates(config.certificateChain());
            key = PemFiles.readPrivateKey(config.privateKey(), password);
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        PemFiles.checkKeyMatches(key, chain.get(0), config.privateKey(), config.certificateChain());
        SslContext context;
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(provider)
                    .protocols(config.protocols())
                    .sessionCacheSize(config.sessionCacheSize())
                    .sessionTimeout(config.sessionTimeout().toSeconds());
            if (!config.ciphers().isEmpty()) {
                b.ciphers(config.ciphers());
            }
            context = b.build();
            if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
                // TLS 1.3 resumes with session tickets only: make sure they are on.
                // No keys given: BoringSSL makes and rotates its own (per context, so per reload).
                openSsl.setTicketKeys();
            }
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException("cannot set up TLS with " + config.certificateChain() + " (protocols "
                    + config.protocols() + (config.ciphers().isEmpty() ? "" : ", ciphers " + config.ciphers()) + "): "
                    + e.getMessage(), e);
        }
        checkUsable(context, config, provider);
        return new Loaded(context, chain.get(0), digest);
    }

    /** Makes one engine, as a connection would, so that unusable protocol or cipher lists fail at start. */
    private static void checkUsable(SslContext context, ServerTlsConfig config, SslProvider provider) throws TlsConfigException {
        SSLEngine engine;
        try {
            engine = context.newEngine(ByteBufAllocator.DEFAULT);
        } catch (RuntimeException e) {
            throw new TlsConfigException("the " + TlsProvider.describe(provider) + " TLS provider cannot use protocols "
                    + config.protocols() + (config.ciphers().isEmpty() ? "" : " with ciphers " + config.ciphers())
                    + ": " + e.getMessage(), e);
        }
        try {
            if (engine.getEnabledProtocols().length == 0) {
                throw new TlsConfigException("the " + TlsProvider.describe(provider) + " TLS provider supports none of the protocols "
                        + config.protocols());
            }
            if (engine.getEnabledCipherSuites().length == 0) {
                throw new TlsConfigException("the " + TlsProvider.describe(provider) + " TLS provider supports none of the ciphers "
                        + config.ciphers());
            }
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    private static String digest(ServerTlsConfig config) throws TlsConfigException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(PemFiles.readBytes(config.certificateChain(), "certificate"));
            md.update((byte) 0);
            md.update(PemFiles.readBytes(config.privateKey(), "key"));
            if (config.keyPasswordFile() != null) {
                md.update((byte) 0);
                md.update(PemFiles.readBytes(config.keyPasswordFile(), "key password"));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String describe(X509Certificate leaf) {
        return "'" + leaf.getSubjectX500Principal().getName() + "' (serial " + leaf.getSerialNumber().toString(16)
                + ", valid until " + leaf.getNotAfter().toInstant() + ")";
    }

    private static void warnIfNotValidNow(X509Certificate leaf) {
        Instant now = Instant.now();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            LOG.warn("TLS certificate {} has EXPIRED: clients will refuse it", describe(leaf));
        } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
            LOG.warn("TLS certificate {} is not valid before {}", describe(leaf), leaf.getNotBefore().toInstant());
        }
    }
}
