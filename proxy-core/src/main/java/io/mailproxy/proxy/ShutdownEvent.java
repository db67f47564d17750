package io.mailproxy.proxy;

/**
 * Fired through every client pipeline when the server stops. A session still in its login phase
 * ({@link FrontendSessionHandler}) answers with {@link FrontendProtocol#shutdownReply} and closes;
 * relayed sessions let it pass (the tail drops it) and run on until the shutdown grace ends.
 */
public final class ShutdownEvent {
    public static final ShutdownEvent INSTANCE = new ShutdownEvent();

    private ShutdownEvent() {
    }

    @Override
    public String toString() {
        return "ShutdownEvent";
    }
}
