package io.mailproxy.cli;

import io.mailproxy.proxy.ListenerSpec;
import io.mailproxy.proxy.ProxyServer.ListenerBindException;
import io.mailproxy.proxy.ProxyServer.ListenerBindException.Reason;
import java.net.InetSocketAddress;

/** Turns a failed bind into the sentence a person needs. */
final class BindErrors {
    private BindErrors() {
    }

    static String message(ListenerBindException e) {
        ListenerSpec l = e.listener();
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (l == null) {
            return message(null, e.reason(), cause.getMessage());
        }
        return message(l.address(), e.reason(), cause.getMessage());
    }

    /**
     * {@code cannot listen on 0.0.0.0:143: address already in use}, {@code ... permission denied:
     * ports below 1024 need root or CAP_NET_BIND_SERVICE}, ...
     */
    static String message(InetSocketAddress address, Reason reason, String detail) {
        String where = "cannot listen on " + (address == null ? "a listener address" : ListenAddress.format(address)) + ": ";
        int port = address == null ? 0 : address.getPort();
        return switch (reason) {
            case ADDRESS_IN_USE -> where + "address already in use";
            case PERMISSION_DENIED -> port > 0 && port < 1024
                    ? where + "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE"
                    : where + "permission denied";
            case ADDRESS_NOT_AVAILABLE -> where + "no such address on this machine (cannot assign requested address)";
            case OTHER -> where + (detail == null ? "bind failed" : detail);
        };
    }
}
