package io.mailproxy.proxy;

import io.mailproxy.auth.AuthRequest;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Where a client connection comes from and where it arrived, as the backend should learn it: the
 * PROXY-protocol header's source and destination when the connection had one, else the socket's
 * own remote and local addresses.
 *
 * @param client    the client (original source)
 * @param connected the address the client connected to (the load balancer's, or this proxy's)
 * @param sessionId the session's id (the session record's; also in its log line)
 */
public record ClientEndpoints(InetSocketAddress client, InetSocketAddress connected, String sessionId) {

    /** The endpoints of a client channel, or null when it has no IP addresses. */
    public static ClientEndpoints of(Channel client) {
        SessionRecord session = ChannelAttributes.session(client);
        AuthRequest.ProxiedAddresses proxied = client.attr(ChannelAttributes.PROXIED).get();
        InetSocketAddress source = proxied != null ? proxied.source()
                : session != null ? session.clientInet() : inet(client.remoteAddress());
        InetSocketAddress destination = proxied != null ? proxied.destination() : inet(client.localAddress());
        if (source == null || destination == null || source.getAddress() == null || destination.getAddress() == null) {
            return null;
        }
        return new ClientEndpoints(source, destination, session == null ? "-" : session.id());
    }

    private static InetSocketAddress inet(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }
}
