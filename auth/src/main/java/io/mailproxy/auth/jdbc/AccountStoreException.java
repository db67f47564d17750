package io.mailproxy.auth.jdbc;

/** An account operation failed (database error, or one of the subclasses). Never carries a password. */
public class AccountStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AccountStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public AccountStoreException(String message) {
        super(message);
    }
}
