package io.mailproxy.proxy.tls;

import io.mailproxy.auth.HostAndPort;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from the proxy to the backends: off, implicit (993/995) or STARTTLS/STLS before the login.
 * The backend's certificate is verified against the system trust store or a CA file, with host
 * name verification (the {@code HTTPS} endpoint identification rules: DNS or IP subject
 * alternative names) and SNI for host names; verification is off only when asked for.
 */
public final class BackendTls {
    private static final Logger LOG = LoggerFactory.getLogger(BackendTls.class);

    /** How the proxy reaches a backend. */
    public enum Mode {
        /** Cleartext (a trusted network). */
        OFF,
        /** TLS from the first byte (the backend's 993/995). */
        IMPLICIT,
        /** Cleartext greeting, then STARTTLS (IMAP) or STLS (POP3) before the login; refused means no login. */
        STARTTLS
    }

    /** No TLS to backends. */
    public static final BackendTls OFF = new BackendTls(Mode.OFF, null, true, null);

    private final Mode mode;
    private final SslContext context;
    private final boolean verify;
    private final SslProvider provider;

    private BackendTls(Mode mode, SslContext context, boolean verify, SslProvider provider) {
        this.mode = mode;
        this.context = context;
        this.verify = verify;
        this.provider = provider;
    }

    /**
     * TLS to backends in {@code mode}.
     *
     * @param caFile PEM file of the CA certificates to trust; null for the system trust store
     * @param verify false to accept any certificate (logged as a warning)
     */
    public static BackendTls create(Mode mode, Path caFile, boolean verify, TlsProvider provider) throws TlsConfigException {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.OFF) {
            return OFF;
        }
        SslProvider p = provider.resolve();
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(p)
                .protocols(ServerTlsConfig.DEFAULT_PROTOCOLS);
        if (!verify) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            if (caFile != null) {
                List<java.security.cert.X509Certificate> cas = PemFiles.readCertificates(caFile);
                b.trustManager(cas);
            }
            b.endpointIdentificationAlgorithm("HTTPS");
        }
        SslContext context;
        try {
            context = b.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException("cannot set up TLS to the backends: " + e.getMessage(), e);
        }
        BackendTls tls = new BackendTls(mode, context, verify, p);
        if (!verify) {
            LOG.warn("TLS to the backends does NOT verify their certificates (--backend-tls-verify off): "
                    + "anyone on the path to a backend can read the users' passwords");
        }
        LOG.info("TLS to the backends: {}, provider {}, verifying against {}", mode.name().toLowerCase(java.util.Locale.ROOT),
                TlsProvider.describe(p), !verify ? "nothing" : caFile == null ? "the system trust store" : caFile);
        return tls;
    }

    public Mode mode() {
        return mode;
    }

    public boolean verifies() {
        return verify;
    }

    public SslProvider provider() {
        return provider;
    }

    /** A client handler for a connection to {@code host}: SNI and host name verification against its name or address. */
    public SslHandler newHandler(ByteBufAllocator alloc, HostAndPort host, Duration handshakeTimeout) {
        if (context == null) {
            throw new IllegalStateException("TLS to backends is off");
        }
        SSLEngine engine = context.newEngine(alloc, host.host(), host.port());
        if (!NetUtil.isValidIpV4Address(host.host()) && !NetUtil.isValidIpV6Address(host.host())) {
            try {
                SSLParameters params = engine.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(host.host())));
                engine.setSSLParameters(params);
            } catch (IllegalArgumentException e) {
                // not a name SNI can carry: verification still checks it
            }
        }
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }
}
