package io.mailproxy.auth.throttle;

/**
 * Counts failed logins per client group and per user within a window. The keys are opaque strings
 * made by {@link ThrottlingAuthenticator}: a client group ({@code 192.0.2.7},
 * {@code 2001:db8:1:2::/64}), and keyed digests of the user name and of user+password, so a
 * tracker never sees a password and never needs to store a long user name.
 *
 * <p>Implementations are called on event-loop and auth-executor threads and must never block:
 * O(1) work on local state. One shared by several instances (Redis) would keep a local view and
 * exchange counts asynchronously, and would need the same digest key on every instance
 * (see {@link CredentialDigester#CredentialDigester(byte[])}).
 */
public interface FailureTracker {

    /** Failures counted for this client group in its current window; 0 when none. */
    int ipFailures(String ipKey);

    /** Failures counted for this user in its current window; 0 when none. */
    int userFailures(String userKey);

    /**
     * Records one failed login and returns the counts after it. A credential already recorded in
     * the window is not counted again: not for the client group when it failed from the same group
     * before, not for the user when it failed from anywhere before.
     *
     * @param ipKey         the client group, or null when the client address is unknown (then only
     *                      the user is counted)
     * @param userKey       the user
     * @param credentialKey the user+password digest
     */
    Counts recordFailure(String ipKey, String userKey, String credentialKey);

    /**
     * A successful login: forgets the user's failures. The client group's failures stay: a
     * password sprayer succeeds now and then, and must not wipe its own record by doing so.
     */
    void recordSuccess(String userKey);

    /** Forgets everything. */
    void clear();

    /**
     * Counts after a failure.
     *
     * @param ipFailures   failures of the client group in its window (0 when it is unknown)
     * @param userFailures failures of the user in its window
     * @param ipCounted    whether this failure raised the client group's count (false for a
     *                     credential already seen from that group)
     * @param userCounted  whether this failure raised the user's count
     */
    record Counts(int ipFailures, int userFailures, boolean ipCounted, boolean userCounted) {
    }
}
