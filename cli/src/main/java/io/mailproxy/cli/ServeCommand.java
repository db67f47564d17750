package io.mailproxy.cli;

import io.mailproxy.auth.Authenticator;
import io.mailproxy.auth.Protocol;
import io.mailproxy.auth.cache.AuthCacheConfig;
import io.mailproxy.auth.cache.CachingAuthenticator;
import io.mailproxy.auth.http.HttpAuthenticator;
import io.mailproxy.auth.jdbc.AuthStores;
import io.mailproxy.auth.jdbc.JdbcAuthConfig;
import io.mailproxy.auth.throttle.ThrottleConfig;
import io.mailproxy.auth.throttle.ThrottlingAuthenticator;
import io.mailproxy.proxy.ProxyProtocolPolicy;
import io.mailproxy.proxy.ProxyServer;
import io.mailproxy.proxy.TlsMode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mailproxy serve}: the proxy. */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Run the proxy.",
        description = {
            "Accepts POP3 and IMAP clients, checks their login against the account database, and relays "
                    + "each session to the user's mail server. Stops cleanly on SIGTERM or SIGINT.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  # the seed's nginx.conf + Perl map:",
            "  MAILPROXY_DB_PASSWORD=dbpass mailproxy serve \\",
            "      --db-url jdbc:mysql://HOSTNAME/DBNAME --db-user dbusername \\",
            "      --backend mailhost01=192.168.1.22 --backend mailhost02=192.168.1.33 \\",
            "      --pop3-capabilities TOP,USER --imap-capabilities IMAP4rev1,UIDPLUS",
            "  mailproxy serve --config /etc/mailproxy/mailproxy.properties",
            "  mailproxy serve --pop3 off --imap 127.0.0.1:1143 --data-dir /var/lib/mailproxy",
            "",
            "Ports below 1024 need root or CAP_NET_BIND_SERVICE (README: setcap, systemd",
            "AmbientCapabilities). Durations: 500ms, 30s, 5m, 24h.",
            "Exit codes: 0 stopped cleanly; 1 could not start (message says why); 2 usage error."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("mailproxy");

    @Spec
    CommandSpec spec;

    @Option(names = "--pop3", paramLabel = "[ADDR:]PORT|off", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            converter = ListenAddress.Converter.class,
            description = "POP3 listener; repeatable. Default: 110 (all addresses). 'off' disables POP3.")
    List<ListenAddress> pop3 = new ArrayList<>();

    @Option(names = "--imap", paramLabel = "[ADDR:]PORT|off", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            converter = ListenAddress.Converter.class,
            description = "IMAP listener; repeatable. Default: 143 (all addresses). 'off' disables IMAP.")
    List<ListenAddress> imap = new ArrayList<>();

    @Mixin
    DatabaseOptions db;

    @Mixin
    RoutingOptions routing;

    @Mixin
    ThrottleOptions throttle;

    @Mixin
    CacheOptions cache;

    @Mixin
    ProxyOptions proxy;

    @Mixin
    AuthHttpOptions authHttp;

    @Mixin
    ClientAddressOptions clientAddress;

    @Mixin
    TlsOptions tls;

    @Override
    public Integer call() throws Exception {
        Io io = Commands.io(spec);
        try (StopSignal stop = io.stopSignals().install()) {
            return serve(io, stop);
        }
    }

    private int serve(Io io, StopSignal stop) throws Exception {
        List<Listener> listeners = new ArrayList<>();
        listeners.addAll(listeners(spec, "--pop3", Protocol.POP3, pop3, 110));
        listeners.addAll(listeners(spec, "--imap", Protocol.IMAP, imap, 143));
        TlsMode plainMode = tls.plainListenerMode();
        tls.checkImplicitListeners();
        if (tls.certificateConfigured()) {
            listeners.addAll(listeners(spec, "--pop3s", Protocol.POP3, tls.pop3s, 995, TlsMode.IMPLICIT));
            listeners.addAll(listeners(spec, "--imaps", Protocol.IMAP, tls.imaps, 993, TlsMode.IMPLICIT));
        }
        if (listeners.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Nothing to listen on: every listener is off");
        }
        ProxyServer.Builder builder = ProxyServer.builder().settings(proxy.settings()).threads(proxy.threads())
                .connectionLimits(proxy.connectionLimits())
                .backendProxyProtocol(clientAddress.backendProxyProtocol())
                .forwardClientAddress(clientAddress.forwardClientIp)
                .backendTls(tls.backendTls());
        ProxyProtocolPolicy proxyProtocol = clientAddress.proxyProtocolPolicy();
        for (Listener l : listeners) {
            builder.listener(Frontends.of(l.protocol(), proxy), l.address(), proxyProtocol,
                    l.tls() == TlsMode.NONE ? plainMode : l.tls());
        }
        routing.implicitTlsPorts = tls.backendImplicit();
        ThrottleConfig throttling = throttle.config(routing.failureDelay);
        TlsRuntime tlsRuntime = new TlsRuntime(tls.serverTls());
        builder.serverTls(tlsRuntime.context());
        if (authHttp.enabled()) {
            return serveWithAuthHttp(io, stop, builder, throttling, tlsRuntime);
        }
        JdbcAuthConfig config = Stores.config(spec, routing.apply(db.configBuilder(io)));
        AuthCacheConfig caching = cache.config();
        AuthStores stores = Stores.open(spec, config);
        ProxyServer server;
        // throttle outside the cache: a failure answered from the cache is still counted and delayed
        Authenticator cached = CachingAuthenticator.wrap(stores.authenticator(), caching);
        try {
            server = builder.authenticator(new ThrottlingAuthenticator(cached, throttling)).build();
        } catch (RuntimeException e) {
            stores.close();
            throw e;
        }
        CacheFlushSignal flushSignal = CacheFlushSignal.install(cached);
        return ProxyRunner.run(io, stop, server, List.of(stores, flushSignal, tlsRuntime), bound -> {
            tlsRuntime.start();
            if (!routing.backends.isEmpty()) {
                LOG.info("backends {}", routing.directory().mappings());
            }
            Stores.unreachable(stores).ifPresent(why -> LOG.warn(
                    "cannot reach the account database {}: {}; serving anyway: logins get the temporary-failure "
                            + "reply until it is back", config.redactedUrl(), why));
        });
    }

    /**
     * nginx's setup: the auth_http server decides and routes; no account database is opened. No
     * auth cache either: the auth server sees every login, as behind nginx.
     */
    private int serveWithAuthHttp(Io io, StopSignal stop, ProxyServer.Builder builder, ThrottleConfig throttling,
                                  TlsRuntime tlsRuntime) throws Exception {
        if (db.url != null) {
            throw new ParameterException(spec.commandLine(), "--auth-http replaces the account database: drop --db-url");
        }
        HttpAuthenticator http = authHttp.open(routing.authTimeout);
        ProxyServer server;
        try {
            server = builder.authenticator(new ThrottlingAuthenticator(http, throttling)).build();
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
        return ProxyRunner.run(io, stop, server, List.of(http, tlsRuntime), bound -> {
            tlsRuntime.start();
            LOG.info("auth_http {}", http.config().uri());
        });
    }

    record Listener(Protocol protocol, InetSocketAddress address, TlsMode tls) {
        Listener(Protocol protocol, InetSocketAddress address) {
            this(protocol, address, TlsMode.NONE);
        }
    }

    /** The listeners of one protocol: the default when none given, none for 'off'. */
    static List<Listener> listeners(CommandSpec spec, String flag, Protocol protocol, List<ListenAddress> given,
            int defaultPort) {
        return listeners(spec, flag, protocol, given, defaultPort, TlsMode.NONE);
    }

    /** The same for listeners in TLS mode {@code tls}. */
    static List<Listener> listeners(CommandSpec spec, String flag, Protocol protocol, List<ListenAddress> given,
            int defaultPort, TlsMode tls) {
        if (given.isEmpty()) {
            return List.of(new Listener(protocol, ListenAddress.all(defaultPort).socketAddress(), tls));
        }
        boolean off = given.stream().anyMatch(ListenAddress::off);
        if (off && given.size() > 1) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag
                    + "': 'off' cannot be combined with addresses");
        }
        if (off) {
            return List.of();
        }
        List<Listener> result = new ArrayList<>();
        for (ListenAddress a : given) {
            InetSocketAddress sa = a.socketAddress();
            if (sa.isUnresolved()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag + "': cannot resolve '"
                        + a.host() + "'");
            }
            result.add(new Listener(protocol, sa, tls));
        }
        return result;
    }
}
