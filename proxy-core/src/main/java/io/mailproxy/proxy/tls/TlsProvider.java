package io.mailproxy.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/** Which TLS implementation to use: OpenSSL (netty-tcnative BoringSSL) when it loads, the JDK's otherwise. */
public enum TlsProvider {
    /** OpenSSL when its native library loads on this machine, else the JDK. */
    AUTO,
    OPENSSL,
    JDK;

    /** The Netty provider this stands for; {@link #AUTO} is decided here. */
    public SslProvider resolve() throws TlsConfigException {
        switch (this) {
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new TlsConfigException("the OpenSSL TLS provider does not load here: " + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            }
            case JDK -> {
                return SslProvider.JDK;
            }
            default -> {
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            }
        }
    }

    /** Why OpenSSL is not used, for the start-up log; null when it loads. */
    public static Throwable openSslUnavailabilityCause() {
        return OpenSsl.isAvailable() ? null : OpenSsl.unavailabilityCause();
    }

    /** {@code openssl (BoringSSL ...)} or {@code jdk}, for logs. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.JDK) {
            return "jdk";
        }
        return "openssl (" + OpenSsl.versionString() + ")";
    }

    public static TlsProvider fromId(String id) {
        return valueOf(id.trim().toUpperCase(Locale.ROOT));
    }
}
