package io.mailproxy.auth.jdbc;

import java.util.Objects;

/**
 * One row of {@code mailaccounts} as {@link AccountStore#list()} shows it: never the stored hash.
 *
 * @param username   the login name
 * @param mailServer the {@code mail_server} value (may be null in a hand-edited table)
 * @param scheme     the stored password's scheme ({@code sha512-crypt}, {@code bcrypt}, ...),
 *                   {@value #NO_PASSWORD} when it is null or empty, {@value #UNKNOWN_SCHEME} when
 *                   it is not a recognised format
 */
public record Account(String username, String mailServer, String scheme) {
    public static final String NO_PASSWORD = "none";
    public static final String UNKNOWN_SCHEME = "unknown";

    public Account {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(scheme, "scheme");
    }
}
