package io.mailproxy.cli;

import io.mailproxy.proxy.BoundListener;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.TlsMode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a built {@link ProxyServer} until the process is asked to stop: binds, logs one line per
 * listener, waits for SIGTERM/SIGINT, stops the server (with its shutdown grace) and closes the
 * resources it was given (the auth store, demo backends), last opened first.
 */
final class ProxyRunner {
    private static final Logger LOG = LoggerFactory.getLogger("mailproxy");

    private ProxyRunner() {
    }

    /** What to do once the listeners are bound (print the demo banner, probe the database). */
    interface AfterStart {
        void run(List<BoundListener> listeners) throws Exception;
    }

    /**
     * @param stop installed by the caller before it set anything up, so that a SIGTERM during
     *             start-up is not lost; closed by the caller
     */
    static int run(Io io, StopSignal stop, ProxyServer server, List<? extends AutoCloseable> resources,
            AfterStart afterStart) throws Exception {
        try {
            List<BoundListener> bound;
            try {
                bound = server.start();
            } catch (ProxyServer.ListenerBindException e) {
                throw new CliException(BindErrors.message(e));
            }
            for (BoundListener b : bound) {
                LOG.info("listening {} on {}{}", b.scheme(), ListenAddress.format(b.address()),
                        b.tls() == TlsMode.STARTTLS ? " (STARTTLS)"
                                : b.tls() == TlsMode.STARTTLS_REQUIRED ? " (STARTTLS required)" : "");
            }
            io.started(bound);
            afterStart.run(bound);
            stop.await();
            LOG.info("stopping: closing listeners, letting open sessions finish (at most {})",
                    Durations.format(server.context().settings().shutdownGrace()));
            server.stop();
            LOG.info("stopped");
            return ExitCodes.OK;
        } finally {
            server.stop();
            closeAll(resources);
        }
    }

    private static void closeAll(List<? extends AutoCloseable> resources) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("error while closing {}: {}", r, e.toString());
            }
        }
    }
}
