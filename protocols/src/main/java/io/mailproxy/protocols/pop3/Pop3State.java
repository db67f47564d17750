package io.mailproxy.protocols.pop3;

/** Where a POP3 client is in the login phase (RFC 1939 AUTHORIZATION state, refined). */
public enum Pop3State {
    /** Waiting for USER, AUTH, CAPA, ... */
    AUTHORIZATION,
    /** USER accepted; PASS expected next. */
    AWAIT_PASS,
    /** {@code AUTH PLAIN} without initial response: the next line is the base64 response. */
    SASL_PLAIN,
    /** {@code AUTH LOGIN}: the next line is the base64 user name. */
    SASL_LOGIN_USER,
    /** {@code AUTH LOGIN}: the next line is the base64 password. */
    SASL_LOGIN_PASS,
    /** Credentials handed to the authenticator; decoding is paused until the outcome. */
    AUTHENTICATING;

    /** Whether the next client line is a SASL response rather than a command. */
    public boolean expectsSaslResponse() {
        return this == SASL_PLAIN || this == SASL_LOGIN_USER || this == SASL_LOGIN_PASS;
    }
}
