package io.mailproxy.proxy.tls;

/** A TLS setting that cannot be used (unreadable file, key not matching the certificate, ...); the message says which and why. */
public final class TlsConfigException extends Exception {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
