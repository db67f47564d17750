package io.mailproxy.cli;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.cache.CachingAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGUSR1 empties the auth cache of a running serve ({@code kill -USR1 PID},
 * {@code systemctl kill -s USR1 mailproxy}, or {@code mailproxy cache flush --pid PID}). A signal
 * rather than an admin port: nothing more to listen on, to secure or to configure, and only the
 * process owner (or root) can send it.
 */
final class CacheFlushSignal implements AutoCloseable {
    static final String SIGNAL = "USR1";
    private static final Logger LOG = LoggerFactory.getLogger("mailproxy");

    private final Object previous;

    private CacheFlushSignal(Object previous) {
        this.previous = previous;
    }

    /** Traps SIGUSR1 when {@code authenticator} is a cache; a no-op otherwise or where it cannot be trapped. */
    @SuppressWarnings("restriction")
    static CacheFlushSignal install(Authenticator authenticator) {
        if (!(authenticator instanceof CachingAuthenticator cache)) {
            return new CacheFlushSignal(null);
        }
        try {
            sun.misc.SignalHandler old = sun.misc.Signal.handle(new sun.misc.Signal(SIGNAL), sig -> {
                LOG.info("SIG{} received, flushing the auth cache", SIGNAL);
                cache.flush();
            });
            return new CacheFlushSignal(old);
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.warn("cannot trap SIG{} ({}): the auth cache can only expire by its TTL", SIGNAL, e.toString());
            return new CacheFlushSignal(null);
        }
    }

    @Override
    @SuppressWarnings("restriction")
    public void close() {
        if (previous instanceof sun.misc.SignalHandler old) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(SIGNAL), old);
            } catch (IllegalArgumentException | LinkageError e) {
                // nothing to restore
            }
        }
    }
}
