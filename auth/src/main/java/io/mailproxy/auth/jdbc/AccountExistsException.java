package io.mailproxy.auth.jdbc;

/** {@link AccountStore#add} for a user name that is already taken. */
public class AccountExistsException extends AccountStoreException {
    private static final long serialVersionUID = 1L;

    private final String user;

    public AccountExistsException(String user) {
        super("account '" + user + "' already exists");
        this.user = user;
    }

    public String user() {
        return user;
    }
}
