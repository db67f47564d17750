package io.mailproxy.auth;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One login attempt as captured by a front-end.
 *
 * @param protocol      the protocol the client speaks
 * @param user          the login name exactly as the client sent it
 * @param password      the password exactly as the client sent it (never logged: see {@link #toString()})
 * @param mechanism     how it was sent: {@code USER} (POP3 USER/PASS), {@code LOGIN} (IMAP LOGIN or SASL
 *                      LOGIN), {@code PLAIN} (SASL PLAIN); upper case
 * @param clientAddress the client's address (the PROXY-protocol source when there is one); may be null
 * @param attempt       1 for the first login attempt on this connection, 2 for the next, ...
 * @param secure        whether the client connection is on TLS
 * @param proxied       what the client connection's PROXY-protocol header said (source and
 *                      destination), or null when it had none; {@code clientAddress} is then the
 *                      header's source already
 * @param tls           details of the client's TLS session when {@code secure} and known, else null
 */
public record AuthRequest(
        Protocol protocol,
        String user,
        String password,
        String mechanism,
        InetSocketAddress clientAddress,
        int attempt,
        boolean secure,
        ProxiedAddresses proxied,
        TlsDetails tls) {

    public AuthRequest {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(mechanism, "mechanism");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
    }

    /** A request from a client connection without PROXY-protocol header and without TLS details. */
    public AuthRequest(Protocol protocol, String user, String password, String mechanism,
            InetSocketAddress clientAddress, int attempt, boolean secure) {
        this(protocol, user, password, mechanism, clientAddress, attempt, secure, null, null);
    }

    /**
     * The addresses of a PROXY-protocol header (nginx's {@code Proxy-Protocol-*} auth_http headers).
     *
     * @param source      the original client (the header's source address and port)
     * @param destination the address the client connected to at the load balancer
     */
    public record ProxiedAddresses(InetSocketAddress source, InetSocketAddress destination) {
        public ProxiedAddresses {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }
    }

    /**
     * What is known of the client's TLS session, for nginx's {@code Auth-SSL-*} headers; any field
     * may be null when unknown or not applicable (no client certificate).
     *
     * @param protocol    {@code TLSv1.3}
     * @param cipher      the cipher suite
     * @param verify      client certificate verification result ({@code SUCCESS}, {@code NONE}, ...)
     * @param subject     client certificate subject DN (RFC 2253)
     * @param issuer      client certificate issuer DN (RFC 2253)
     * @param serial      client certificate serial number (hex)
     * @param fingerprint SHA-1 fingerprint of the client certificate (lower-case hex)
     */
    public record TlsDetails(String protocol, String cipher, String verify, String subject, String issuer,
            String serial, String fingerprint) {
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "AuthRequest[protocol=" + protocol.id() + ", user=" + user + ", mechanism=" + mechanism
                + ", client=" + clientAddress + ", attempt=" + attempt + ", secure=" + secure
                + (proxied == null ? "" : ", proxied=" + proxied) + "]";
    }
}
