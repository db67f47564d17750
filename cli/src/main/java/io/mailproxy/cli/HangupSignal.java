package io.mailproxy.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP runs an action (reload the TLS certificate) instead of ending the process. */
final class HangupSignal {
    private static final Logger LOG = LoggerFactory.getLogger(HangupSignal.class);

    private HangupSignal() {
    }

    /**
     * Installs the handler; closing restores the one before. A process started with SIGHUP ignored
     * (under {@code nohup}, say) keeps ignoring it: the JVM does not take over an ignored SIGHUP, and
     * installing the handler "succeeds" without effect. That is logged as a warning rather than left
     * for the operator to find out at the next certificate renewal.
     */
    @SuppressWarnings("restriction")
    static AutoCloseable onHangup(String what, Runnable action) {
        if (ignoredFromStart()) {
            LOG.warn("SIGHUP is ignored by this process (started under nohup?): it will not trigger {}", what);
        }
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

    private static boolean ignoredFromStart() {
        try {
            return sighupIgnored(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return false; // not Linux, or no /proc: nothing to say
        }
    }

    /** Whether the {@code SigIgn} mask of a {@code /proc/PID/status} text has SIGHUP (signal 1, bit 0) set. */
    static boolean sighupIgnored(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
            }
        }
        return false;
    }
}
