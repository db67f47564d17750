package io.mailproxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP runs an action (reload the TLS certificate) instead of ending the process. */
final class HangupSignal {
    private static final Logger LOG = LoggerFactory.getLogger(HangupSignal.class);

    private HangupSignal() {
    }

    /** Installs the handler; closing restores the one before. */
    @SuppressWarnings("restriction")
    static AutoCloseable onHangup(String what, Runnable action) {
        try {
            sun.misc.Signal hup = new sun.misc.Signal("HUP");
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(hup, sig -> {
                LOG.info("SIGHUP received: {}", what);
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.warn("SIGHUP action failed", e);
                }
            });
            return () -> sun.misc.Signal.handle(hup, previous);
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.debug("cannot trap SIGHUP: {}", e.toString());
            return () -> { };
        }
    }
}
