package io.mailproxy.proxy;

import io.mailproxy.auth.Authenticator;
import io.netty.channel.group.ChannelGroup;
import java.util.Objects;

/**
 * What the protocol handlers of one {@link ProxyServer} share: settings, the authenticator, the
 * backend connector and the group of open client channels.
 */
public final class ProxyContext {
    private final ProxySettings settings;
    private final Authenticator authenticator;
    private final BackendConnector connector;
    private final ChannelGroup clients;

    public ProxyContext(ProxySettings settings, Authenticator authenticator, BackendConnector connector, ChannelGroup clients) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    public ProxySettings settings() {
        return settings;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public BackendConnector connector() {
        return connector;
    }

    public ChannelGroup clients() {
        return clients;
    }
}
