package io.mailproxy.proxy;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.proxy.tls.BackendTls;
import io.mailproxy.proxy.tls.ServerTlsContext;
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
    private final boolean forwardClientAddress;
    private final ServerTlsContext serverTls;
    private final BackendTls backendTls;

    public ProxyContext(ProxySettings settings, Authenticator authenticator, BackendConnector connector, ChannelGroup clients) {
        this(settings, authenticator, connector, clients, false);
    }

    /**
     * @param forwardClientAddress whether backend logins tell the backend the client's address with
     *                             the protocol's own command (IMAP {@code ID}, POP3 {@code XCLIENT})
     *                             when the backend announces it
     */
    public ProxyContext(ProxySettings settings, Authenticator authenticator, BackendConnector connector, ChannelGroup clients,
            boolean forwardClientAddress) {
        this(settings, authenticator, connector, clients, forwardClientAddress, null, BackendTls.OFF);
    }

    /**
     * @param serverTls  the certificate of the TLS listeners and STARTTLS; null when none is configured
     * @param backendTls how backends are reached
     */
    public ProxyContext(ProxySettings settings, Authenticator authenticator, BackendConnector connector, ChannelGroup clients,
                        ServerTlsContext serverTls, BackendTls backendTls) {
        this(settings, authenticator, connector, clients, false, serverTls, backendTls);
    }

    public ProxyContext(ProxySettings settings, Authenticator authenticator, BackendConnector connector, ChannelGroup clients,
                        boolean forwardClientAddress, ServerTlsContext serverTls, BackendTls backendTls) {
        this.forwardClientAddress = forwardClientAddress;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.serverTls = serverTls;
        this.backendTls = Objects.requireNonNull(backendTls, "backendTls");
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

    /** Whether backend logins forward the client's address (IMAP ID, POP3 XCLIENT). */
    public boolean forwardClientAddress() {
        return forwardClientAddress;
    }

    /** The server certificate for TLS listeners and STARTTLS/STLS; null when none is configured. */
    public ServerTlsContext serverTls() {
        return serverTls;
    }

    public BackendTls backendTls() {
        return backendTls;
    }
}
