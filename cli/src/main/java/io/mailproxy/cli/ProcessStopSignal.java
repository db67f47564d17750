package io.mailproxy.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT ask the main thread to stop the server in order, after which the process
 * exits with 0. Where those signals cannot be caught (or for any other way the JVM starts shutting
 * down, SIGHUP say), a shutdown hook does the same: it asks for the stop and waits for it.
 */
final class ProcessStopSignal implements StopSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessStopSignal.class);
    /** How long the shutdown hook waits for the orderly stop; above any sane shutdown grace. */
    private static final long HOOK_WAIT_SECONDS = 120;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook;

    private ProcessStopSignal() {
        this.hook = new Thread(this::onShutdown, "mailproxy-shutdown");
    }

    static StopSignal install() {
        ProcessStopSignal s = new ProcessStopSignal();
        Runtime.getRuntime().addShutdownHook(s.hook);
        s.trap("TERM");
        s.trap("INT");
        return s;
    }

    @SuppressWarnings("restriction")
    private void trap(String name) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                LOG.info("SIG{} received, stopping", name);
                stopRequested.countDown();
            });
        } catch (IllegalArgumentException | LinkageError e) {
            // not catchable here (e.g. -Xrs): the shutdown hook covers it
            LOG.debug("cannot trap SIG{}: {}", name, e.toString());
        }
    }

    private void onShutdown() {
        stopRequested.countDown();
        try {
            stopped.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void await() throws InterruptedException {
        stopRequested.await();
    }

    @Override
    public void close() {
        stopped.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and now returns
        }
    }
}
