package io.mailproxy.cli;

import io.mailproxy.proxy.tls.ServerTlsContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server certificate while serve runs: once the listeners are bound, its files are polled for
 * a renewal and SIGHUP reloads it; closing stops both. Nothing to do without a certificate.
 */
final class TlsRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("mailproxy");
    /** How often the certificate files are checked for a renewal. */
    static final Duration CERTIFICATE_POLL = Duration.ofSeconds(30);

    private final ServerTlsContext context;
    private AutoCloseable hangup;

    TlsRuntime(ServerTlsContext context) {
        this.context = context;
    }

    /** The certificate; null when none is configured. */
    ServerTlsContext context() {
        return context;
    }

    void start() {
        if (context != null && hangup == null) {
            context.watch(CERTIFICATE_POLL);
            hangup = HangupSignal.onHangup("reloading the TLS certificate", context::reload);
            LOG.info("TLS certificate {} reloaded when it changes (checked every {}) and on SIGHUP",
                    context.config().certificateChain(), Durations.format(CERTIFICATE_POLL));
        }
    }

    @Override
    public void close() throws Exception {
        if (context != null) {
            context.close();
        }
        if (hangup != null) {
            hangup.close();
            hangup = null;
        }
    }

    @Override
    public String toString() {
        return "TLS certificate watcher";
    }
}
