package io.mailproxy.auth.throttle;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.AuthOutcome.Accepted;
import io.mailproxy.auth.AuthOutcome.Rejected;
import io.mailproxy.auth.AuthOutcome.Unavailable;
import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure throttling in front of any {@link Authenticator}, in the manner of Dovecot's auth
 * penalty:
 *
 * <ul>
 *   <li><b>Growing delay.</b> Every {@code Rejected} gets its delay from here (or keeps the
 *       delegate's own, when that is longer: an auth_http server's {@code Auth-Wait}; the rest of
 *       the rejection, such as the auth server's text for the client, passes through): the client group's
 *       n-th counted failure in the window waits {@code baseDelay * 2^(n-1)}, capped: 2, 4, 8, 15,
 *       15 s with the defaults. A client group is an IPv4 address or an IPv6 /64 (one subscriber
 *       usually owns a whole /64). With no client address the user's count is used instead.</li>
 *   <li><b>Same wrong password, counted once.</b> A failure whose user+password was already seen
 *       failing from the same group in the window does not raise the count (a phone with an old
 *       password retrying every minute does not escalate); only a keyed digest of the pair is
 *       kept, never the password.</li>
 *   <li><b>Ceilings.</b> With {@code maxFailuresPerIp} or {@code maxFailuresPerUser} set, a client
 *       group or user at its ceiling gets {@code Unavailable} at once, without asking the
 *       delegate, until the window that counted those failures ends; one INFO line is logged when
 *       the ceiling is reached.</li>
 *   <li><b>Success.</b> An {@code Accepted} login forgets the user's failures (the user is who
 *       they say), but not the client group's: a password sprayer guesses right now and then and
 *       must not wipe its record by doing so; the group's count ends with its window.</li>
 *   <li><b>Trusted networks</b> are neither counted nor limited, and their rejections carry no
 *       delay (webmail and monitoring do their own throttling, and would otherwise lock everyone
 *       behind them out).</li>
 *   <li>{@code Unavailable} from the delegate passes through and counts nothing (the user may be
 *       right); a delegate future that completes exceptionally, or a delegate that throws, gives
 *       {@code Unavailable}.</li>
 * </ul>
 *
 * <p>Threads: the calling thread (an event loop) does a few hash-map look-ups and one short HMAC
 * of the user name; the outcome is mapped in a continuation of the delegate's future, so it
 * completes on whatever thread the delegate completes on (the auth executor), never earlier. Only a
 * ceiling answers at once on the calling thread, as a saturated pool does.
 */
public final class ThrottlingAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottlingAuthenticator.class);

    private final Authenticator delegate;
    private final ThrottleConfig config;
    private final FailureTracker tracker;
    private final CredentialDigester digester;

    /** In-memory state and a random digest key. */
    public ThrottlingAuthenticator(Authenticator delegate, ThrottleConfig config) {
        this(delegate, config, new InMemoryFailureTracker(config), CredentialDigester.withRandomKey());
    }

    public ThrottlingAuthenticator(Authenticator delegate, ThrottleConfig config, FailureTracker tracker,
            CredentialDigester digester) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.config = Objects.requireNonNull(config, "config");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.digester = Objects.requireNonNull(digester, "digester");
    }

    /** {@code delegate} itself when the throttle is disabled, else a throttle with in-memory state. */
    public static Authenticator wrap(Authenticator delegate, ThrottleConfig config) {
        return config.enabled() ? new ThrottlingAuthenticator(delegate, config) : delegate;
    }

    @Override
    public CompletableFuture<AuthOutcome> authenticate(AuthRequest request) {
        if (!config.enabled()) {
            return delegate.authenticate(request);
        }
        InetAddress address = addressOf(request.clientAddress());
        if (address != null && config.isTrusted(address)) {
            return callDelegate(request).handle((outcome, error) -> trusted(outcome, error));
        }
        String ipKey = address == null ? null : clientGroup(address);
        String userKey = digester.userKey(request.user());
        int maxPerIp = config.maxFailuresPerIp();
        if (maxPerIp > 0 && ipKey != null && tracker.ipFailures(ipKey) >= maxPerIp) {
            return CompletableFuture.completedFuture(new Unavailable("too many failures from client " + ipKey
                    + " (ceiling " + maxPerIp + " per " + config.window() + ")"));
        }
        int maxPerUser = config.maxFailuresPerUser();
        if (maxPerUser > 0 && tracker.userFailures(userKey) >= maxPerUser) {
            return CompletableFuture.completedFuture(new Unavailable("too many failures for this user (ceiling "
                    + maxPerUser + " per " + config.window() + ")"));
        }
        return callDelegate(request).handle((outcome, error) -> decided(request, ipKey, userKey, outcome, error));
    }

    private CompletableFuture<AuthOutcome> callDelegate(AuthRequest request) {
        try {
            CompletableFuture<AuthOutcome> future = delegate.authenticate(request);
            return future != null ? future
                    : CompletableFuture.completedFuture(new Unavailable("authenticator returned no future"));
        } catch (RuntimeException e) {
            LOG.warn("authenticator threw instead of completing its future", e);
            return CompletableFuture.completedFuture(new Unavailable("authenticator failed: " + e));
        }
    }

    private static AuthOutcome trusted(AuthOutcome outcome, Throwable error) {
        if (error != null || outcome == null) {
            return failed(error);
        }
        return outcome instanceof Rejected r ? r.withDelay(Duration.ZERO) : outcome;
    }

    private AuthOutcome decided(AuthRequest request, String ipKey, String userKey, AuthOutcome outcome,
            Throwable error) {
        if (error != null || outcome == null) {
            return failed(error);
        }
        try {
            if (outcome instanceof Accepted) {
                tracker.recordSuccess(userKey);
            } else if (outcome instanceof Rejected r) {
                return r.withDelay(atLeast(failure(request, ipKey, userKey), r.delay()));
            }
        } catch (RuntimeException e) {
            // the throttle's own state must not turn a decided login into an error
            LOG.warn("failure tracker error; outcome passed on with the longest delay", e);
            if (outcome instanceof Rejected r) {
                return r.withDelay(atLeast(config.maxDelay(), r.delay()));
            }
        }
        return outcome;
    }

    /** Counts a failure, logs a ceiling when this failure reached it, and returns the delay. */
    private Duration failure(AuthRequest request, String ipKey, String userKey) {
        String credentialKey = digester.credentialKey(request.user(), request.password());
        FailureTracker.Counts counts = tracker.recordFailure(ipKey, userKey, credentialKey);
        int maxPerIp = config.maxFailuresPerIp();
        if (maxPerIp > 0 && counts.ipCounted() && counts.ipFailures() == maxPerIp) {
            LOG.info("auth throttle: client {} reached {} failed logins within {}; its logins get the"
                    + " temporary-failure reply until the window ends (last user={})",
                    ipKey, maxPerIp, config.window(), sanitize(request.user()));
        }
        int maxPerUser = config.maxFailuresPerUser();
        if (maxPerUser > 0 && counts.userCounted() && counts.userFailures() == maxPerUser) {
            LOG.info("auth throttle: user={} reached {} failed logins within {}; its logins get the"
                    + " temporary-failure reply until the window ends (last client={})",
                    sanitize(request.user()), maxPerUser, config.window(), ipKey == null ? "-" : ipKey);
        }
        return config.delayAfter(ipKey != null ? counts.ipFailures() : counts.userFailures());
    }

    /** The longer of the two: a delegate's own wait (auth_http {@code Auth-Wait}) is a floor. */
    private static Duration atLeast(Duration throttle, Duration delegate) {
        return delegate.compareTo(throttle) > 0 ? delegate : throttle;
    }

    private static AuthOutcome failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new Unavailable("authenticator failed: " + (cause == null ? "no outcome" : cause.toString()));
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static InetAddress addressOf(InetSocketAddress client) {
        return client == null ? null : client.getAddress(); // unresolved: null
    }

    /**
     * The client group of an address: the IPv4 address itself ({@code 192.0.2.7}; IPv4-mapped IPv6
     * counts as IPv4), or the IPv6 /64 ({@code 2001:db8:1:2:0:0:0:0/64}).
     */
    static String clientGroup(InetAddress address) {
        byte[] bytes = Cidr.canonicalBytes(address);
        try {
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            return InetAddress.getByAddress(Cidr.mask(bytes, 64)).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }

    /** A user name fit for one log line: control bytes, blanks, quotes escaped; at most 64 characters. */
    static String sanitize(String text) {
        int max = Math.min(text.length(), 64);
        StringBuilder sb = new StringBuilder(max + 8);
        for (int i = 0; i < max; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == ' ' || c == '"' || c == '\\'
                    || c == '=') {
                sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }
}
