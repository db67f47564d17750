package io.mailproxy.cli;

/**
 * Tells a running {@code serve} or {@code demo} when to stop, and is told when it has stopped.
 * Install it before starting (so a signal during start-up is not lost), {@link #await()} after,
 * then stop everything and {@link #close()}.
 */
public interface StopSignal extends AutoCloseable {

    /** Blocks until the process is asked to stop. */
    void await() throws InterruptedException;

    /** Everything is stopped; the process may end. */
    @Override
    void close();

    @FunctionalInterface
    interface Factory {
        StopSignal install();
    }
}
