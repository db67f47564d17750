package io.mailproxy.cli;

import io.mailproxy.proxy.TlsMode;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsConfig;
import io.mailproxy.proxy.tls.ServerTlsContext;
import io.mailproxy.proxy.tls.TlsConfigException;
import io.mailproxy.proxy.tls.TlsProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * TLS for serve: the certificate, the implicit-TLS listeners ({@code --imaps}, {@code --pop3s}),
 * STARTTLS on the plain ones, and TLS to the backends. Without {@code --tls-cert} the proxy speaks
 * cleartext to clients, as before.
 */
final class TlsOptions {
    /** {@code --starttls}. */
    enum StartTls { OFF, ON, ONLY }

    /** {@code --backend-tls}. */
    enum BackendMode { OFF, ON, STARTTLS }

    /** {@code --backend-tls-verify}. */
    enum OnOff { ON, OFF }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--imaps", paramLabel = "[ADDR:]PORT|off", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            converter = ListenAddress.Converter.class,
            description = "IMAP listener with implicit TLS; repeatable. Default: 993 (all addresses) when "
                    + "--tls-cert is given, none otherwise. 'off' disables it.")
    List<ListenAddress> imaps = new ArrayList<>();

    @Option(names = "--pop3s", paramLabel = "[ADDR:]PORT|off", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            converter = ListenAddress.Converter.class,
            description = "POP3 listener with implicit TLS; repeatable. Default: 995 (all addresses) when "
                    + "--tls-cert is given, none otherwise. 'off' disables it.")
    List<ListenAddress> pop3s = new ArrayList<>();

    @Option(names = "--starttls", paramLabel = "off|on|only",
            description = "STARTTLS (IMAP) / STLS (POP3) on the --imap and --pop3 listeners: 'on' offers it, "
                    + "'only' also refuses logins before it. Default: on when --tls-cert is given, off otherwise.")
    StartTls starttls;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain (the certificate, then its intermediates) for TLS to clients. "
                    + "Reloaded when the file changes and on SIGHUP.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert (PKCS#8, RSA or EC; may be encrypted, see --tls-key-password-file).")
    Path key;

    @Option(names = "--tls-key-password-file", paramLabel = "FILE",
            description = "File whose first line is the password of an encrypted --tls-key.")
    Path keyPasswordFile;

    @Option(names = "--tls-protocols", paramLabel = "PROTOCOL", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "TLS versions to accept. Default: TLSv1.3,TLSv1.2.")
    List<String> protocols;

    @Option(names = "--tls-ciphers", paramLabel = "CIPHER", split = "\\s*[,:]\\s*", splitSynopsisLabel = ",",
            description = "Cipher suites, in order of preference (IANA names, e.g. TLS_AES_128_GCM_SHA256). "
                    + "Default: the TLS provider's secure defaults.")
    List<String> ciphers;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "Longest TLS handshake (implicit TLS or after STARTTLS) before the connection is closed. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration handshakeTimeout;

    @Option(names = "--backend-tls", paramLabel = "off|on|starttls",
            description = "TLS to the backends: 'on' is implicit TLS (default backend ports become 993/995), "
                    + "'starttls' upgrades with STARTTLS/STLS before the login. Default: off.")
    BackendMode backendTls;

    @Option(names = "--backend-ca", paramLabel = "FILE",
            description = "PEM file of the CA certificates that backend certificates must chain to. "
                    + "Default: the system trust store.")
    Path backendCa;

    @Option(names = "--backend-tls-verify", paramLabel = "on|off",
            description = "Verify backend certificates and host names. 'off' accepts any certificate (warned about "
                    + "at start). Default: on.")
    OnOff backendVerify;

    /** Whether a certificate is configured (both --tls-cert and --tls-key). */
    boolean certificateConfigured() {
        if ((cert == null) != (key == null)) {
            throw usage(cert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
        }
        if (keyPasswordFile != null && key == null) {
            throw usage("--tls-key-password-file needs --tls-key and --tls-cert");
        }
        return cert != null;
    }

    /** The TLS mode of the --imap and --pop3 listeners. */
    TlsMode plainListenerMode() {
        boolean certificate = certificateConfigured();
        StartTls s = starttls != null ? starttls : certificate ? StartTls.ON : StartTls.OFF;
        if (s != StartTls.OFF && !certificate) {
            throw usage("--starttls " + s.name().toLowerCase(java.util.Locale.ROOT) + " needs --tls-cert and --tls-key");
        }
        return switch (s) {
            case OFF -> TlsMode.NONE;
            case ON -> TlsMode.STARTTLS;
            case ONLY -> TlsMode.STARTTLS_REQUIRED;
        };
    }

    /** Checks that implicit-TLS listeners have a certificate. */
    void checkImplicitListeners() {
        boolean asked = imaps.stream().anyMatch(a -> !a.off()) || pop3s.stream().anyMatch(a -> !a.off());
        if (asked && !certificateConfigured()) {
            throw usage((imaps.stream().anyMatch(a -> !a.off()) ? "--imaps" : "--pop3s") + " needs --tls-cert and --tls-key");
        }
    }

    /**
     * Loads and checks the certificate; null when none is configured.
     *
     * @throws CliException (exit 1) when a file is unreadable, the key does not match, ...
     */
    ServerTlsContext serverTls() {
        if (!certificateConfigured()) {
            if (protocols != null || ciphers != null) {
                throw usage((protocols != null ? "--tls-protocols" : "--tls-ciphers") + " needs --tls-cert and --tls-key");
            }
            return null;
        }
        ServerTlsConfig config = ServerTlsConfig.of(cert, key).withKeyPasswordFile(keyPasswordFile)
                .withProvider(provider());
        try {
            config = config.withHandshakeTimeout(handshakeTimeout);
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--tls-handshake-timeout': " + e.getMessage());
        }
        try {
            if (protocols != null) {
                config = config.withProtocols(protocols);
            }
            if (ciphers != null) {
                config = config.withCiphers(ciphers);
            }
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--tls-protocols': " + e.getMessage());
        }
        try {
            return ServerTlsContext.load(config);
        } catch (TlsConfigException e) {
            throw new CliException("TLS: " + e.getMessage());
        }
    }

    /** How backends are reached. */
    BackendTls backendTls() {
        BackendMode mode = backendTls == null ? BackendMode.OFF : backendTls;
        if (mode == BackendMode.OFF) {
            if (backendCa != null || backendVerify != null) {
                throw usage((backendCa != null ? "--backend-ca" : "--backend-tls-verify") + " needs --backend-tls on or starttls");
            }
            return BackendTls.OFF;
        }
        boolean verify = backendVerify != OnOff.OFF;
        if (!verify && backendCa != null) {
            throw usage("--backend-ca cannot be used with --backend-tls-verify off");
        }
        try {
            return BackendTls.create(mode == BackendMode.ON ? BackendTls.Mode.IMPLICIT : BackendTls.Mode.STARTTLS,
                    backendCa, verify, provider());
        } catch (TlsConfigException e) {
            throw new CliException("TLS to the backends: " + e.getMessage());
        }
    }

    /** Whether backends are reached with implicit TLS (so their default ports are 993/995). */
    boolean backendImplicit() {
        return backendTls == BackendMode.ON;
    }

    /** {@code -Dmailproxy.tls.provider=jdk|openssl} forces a provider (for comparisons); automatic otherwise. */
    private static TlsProvider provider() {
        String forced = System.getProperty("mailproxy.tls.provider", "");
        try {
            return forced.isEmpty() ? TlsProvider.AUTO : TlsProvider.fromId(forced);
        } catch (IllegalArgumentException e) {
            throw new CliException("-Dmailproxy.tls.provider=" + forced + ": expected auto, openssl or jdk");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
