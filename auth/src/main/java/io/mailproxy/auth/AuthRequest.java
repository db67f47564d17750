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
 */
public record AuthRequest(
        Protocol protocol,
        String user,
        String password,
        String mechanism,
        InetSocketAddress clientAddress,
        int attempt,
        boolean secure) {

    public AuthRequest {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(mechanism, "mechanism");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "AuthRequest[protocol=" + protocol.id() + ", user=" + user + ", mechanism=" + mechanism
                + ", client=" + clientAddress + ", attempt=" + attempt + ", secure=" + secure + "]";
    }
}
