package io.mailproxy.protocols.sasl;

/** What a SASL PLAIN or LOGIN exchange yields. {@code toString} never shows the password. */
public record SaslCredentials(String authzid, String user, String password) {
    @Override
    public String toString() {
        return "SaslCredentials[authzid=" + authzid + ", user=" + user + "]";
    }
}
