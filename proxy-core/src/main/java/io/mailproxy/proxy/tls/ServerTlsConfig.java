package io.mailproxy.proxy.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The server side of TLS: the certificate a listener presents and how.
 *
 * @param certificateChain PEM file: the certificate, then the intermediates; served whole
 * @param privateKey       PEM file with the certificate's private key (may be the same file)
 * @param keyPasswordFile  file whose first line is the key's password; null for an unencrypted key
 * @param protocols        enabled protocol versions, default TLSv1.3 and TLSv1.2
 * @param ciphers          enabled cipher suites in order of preference; empty for the provider's (secure) default
 * @param provider         OpenSSL or JDK, or {@link TlsProvider#AUTO}
 * @param handshakeTimeout longest TLS handshake before the connection is closed (10 s)
 * @param sessionCacheSize sessions kept for resumption (20480)
 * @param sessionTimeout   how long a session can be resumed (5 min, as nginx's ssl_session_timeout)
 */
public record ServerTlsConfig(
        Path certificateChain,
        Path privateKey,
        Path keyPasswordFile,
        List<String> protocols,
        List<String> ciphers,
        TlsProvider provider,
        Duration handshakeTimeout,
        long sessionCacheSize,
        Duration sessionTimeout) {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The protocol names accepted in {@link #protocols}. */
    public static final List<String> KNOWN_PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public ServerTlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols"));
        ciphers = List.copyOf(Objects.requireNonNull(ciphers, "ciphers"));
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol is required");
        }
        for (String p : protocols) {
            if (!KNOWN_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("unknown TLS protocol '" + p + "' (expected one of " + KNOWN_PROTOCOLS + ")");
            }
        }
        if (handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        if (sessionCacheSize < 0) {
            throw new IllegalArgumentException("sessionCacheSize cannot be negative");
        }
    }

    /** The certificate and key files with every other setting at its default. */
    public static ServerTlsConfig of(Path certificateChain, Path privateKey) {
        return new ServerTlsConfig(certificateChain, privateKey, null, DEFAULT_PROTOCOLS, List.of(), TlsProvider.AUTO,
                Duration.ofSeconds(10), 20480, Duration.ofMinutes(5));
    }

    public ServerTlsConfig withKeyPasswordFile(Path file) {
        return new ServerTlsConfig(certificateChain, privateKey, file, protocols, ciphers, provider, handshakeTimeout,
                sessionCacheSize, sessionTimeout);
    }

    public ServerTlsConfig withProtocols(List<String> list) {
        return new ServerTlsConfig(certificateChain, privateKey, keyPasswordFile, list, ciphers, provider, handshakeTimeout,
                sessionCacheSize, sessionTimeout);
    }

    public ServerTlsConfig withCiphers(List<String> list) {
        return new ServerTlsConfig(certificateChain, privateKey, keyPasswordFile, protocols, list, provider, handshakeTimeout,
                sessionCacheSize, sessionTimeout);
    }

    public ServerTlsConfig withProvider(TlsProvider p) {
        return new ServerTlsConfig(certificateChain, privateKey, keyPasswordFile, protocols, ciphers, p, handshakeTimeout,
                sessionCacheSize, sessionTimeout);
    }

    public ServerTlsConfig withHandshakeTimeout(Duration d) {
        return new ServerTlsConfig(certificateChain, privateKey, keyPasswordFile, protocols, ciphers, provider, d,
                sessionCacheSize, sessionTimeout);
    }
}
