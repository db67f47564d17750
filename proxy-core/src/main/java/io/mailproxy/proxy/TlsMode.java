package io.mailproxy.proxy;

/**
 * How a listener uses TLS towards its clients.
 *
 * <ul>
 *   <li>{@link #NONE}: cleartext only; STARTTLS/STLS is not offered.</li>
 *   <li>{@link #STARTTLS}: cleartext, STARTTLS/STLS offered; cleartext login allowed.</li>
 *   <li>{@link #STARTTLS_REQUIRED}: STARTTLS/STLS offered and required before login ({@code --starttls only}).</li>
 *   <li>{@link #IMPLICIT}: TLS from the first byte (993, 995).</li>
 * </ul>
 */
public enum TlsMode {
    NONE,
    STARTTLS,
    STARTTLS_REQUIRED,
    IMPLICIT;

    /** Whether the listener offers STARTTLS/STLS to clients still in cleartext. */
    public boolean offersStartTls() {
        return this == STARTTLS || this == STARTTLS_REQUIRED;
    }

    /** Whether the listener needs a server certificate. */
    public boolean needsCertificate() {
        return this != NONE;
    }
}
