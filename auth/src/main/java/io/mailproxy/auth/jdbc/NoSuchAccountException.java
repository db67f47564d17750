package io.mailproxy.auth.jdbc;

/** {@link AccountStore#setPassword} or {@link AccountStore#delete} for a user name that does not exist. */
public class NoSuchAccountException extends AccountStoreException {
    private static final long serialVersionUID = 1L;

    private final String user;

    public NoSuchAccountException(String user) {
        super("no account '" + user + "'");
        this.user = user;
    }

    public String user() {
        return user;
    }
}
