package io.mailproxy.proxy;

/**
 * How many client connections a {@link ProxyServer} keeps open at once, over all its listeners.
 * A connection over a limit gets the protocol's reply ({@link FrontendProtocol#tooManyConnectionsReply})
 * and is closed before its greeting.
 *
 * @param maxConnections      all clients together; 0 for no limit
 * @param maxConnectionsPerIp clients from one IP address (the real client, from the PROXY header
 *                            when there is one); 0 for no limit
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerIp) {

    /** No limit at all. */
    public static final ConnectionLimits NONE = new ConnectionLimits(0, 0);

    public ConnectionLimits {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be 0 (no limit) or more");
        }
        if (maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("maxConnectionsPerIp must be 0 (no limit) or more");
        }
    }

    public boolean isUnlimited() {
        return maxConnections == 0 && maxConnectionsPerIp == 0;
    }
}
