package io.mailproxy.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Turns the {@code mail_server} value of an account into a {@link BackendRoute}: the seed's
 * {@code $mail_server_ip} and {@code $protocol_ports} tables.
 *
 * <ul>
 *   <li>A mapped name ({@code mailhost01=192.168.1.22}) gives its hosts, in the order configured
 *       (the first is preferred, the rest are failover). Names are matched ignoring case and
 *       surrounding blanks, because SQL collations usually do the same.</li>
 *   <li>A name with no mapping is used as the host itself: a host name, an IPv4 literal, an IPv6
 *       literal ({@code ::1}, {@code [::1]}), optionally with a port ({@code host:1143},
 *       {@code [::1]:1143}).</li>
 * </ul>
 *
 * <p>Port precedence, most specific first: the account's own {@code port} column (when the query
 * returns one and it is set), then a port written in the host spec, then the protocol's port
 * (pop3 110, imap 143, configurable). The account row wins because it is the narrowest setting an
 * operator can make; a directory port is per server, a protocol port is global.
 */
public final class BackendDirectory {

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?");
    private static final Pattern NAME = Pattern.compile("[^\\s=,]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");

    private final Map<String, Mapping> mappings;
    private final Map<Protocol, Integer> ports;

    private BackendDirectory(Map<String, Mapping> mappings, Map<Protocol, Integer> ports) {
        this.mappings = Collections.unmodifiableMap(new LinkedHashMap<>(mappings));
        this.ports = Collections.unmodifiableMap(new EnumMap<>(ports));
    }

    /** No mappings (every mail_server is used as a host), default protocol ports. */
    public static BackendDirectory defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The route for an account.
     *
     * @param mailServer   the account's {@code mail_server} value
     * @param protocol     the protocol the client logs in with
     * @param portOverride the account's own port, if the query returned one; it beats every other
     *                     port
     * @throws IllegalArgumentException when {@code mailServer} is blank, or is not mapped and is not
     *                                  usable as a host (the message names the value)
     */
    public BackendRoute route(String mailServer, Protocol protocol, OptionalInt portOverride) {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(portOverride, "portOverride");
        if (mailServer == null || mailServer.isBlank()) {
            throw new IllegalArgumentException("empty mail_server");
        }
        Mapping mapping = mappings.get(key(mailServer));
        List<HostSpec> hosts = mapping != null ? mapping.hosts() : List.of(parseHostSpec(mailServer));
        int protocolPort = port(protocol);
        List<HostAndPort> resolved = new ArrayList<>(hosts.size());
        for (HostSpec h : hosts) {
            int port = portOverride.isPresent() ? portOverride.getAsInt() : h.hasPort() ? h.port() : protocolPort;
            resolved.add(new HostAndPort(h.host(), port));
        }
        return new BackendRoute(resolved);
    }

    /** {@link #route(String, Protocol, OptionalInt)} without an account port. */
    public BackendRoute route(String mailServer, Protocol protocol) {
        return route(mailServer, protocol, OptionalInt.empty());
    }

    /** The backend port for a protocol when neither the account nor the host spec names one. */
    public int port(Protocol protocol) {
        return ports.getOrDefault(protocol, protocol.defaultPort());
    }

    /** The configured mappings, in the order they were added. */
    public List<Mapping> mappings() {
        return List.copyOf(mappings.values());
    }

    @Override
    public String toString() {
        return "BackendDirectory[mappings=" + mappings.values() + ", ports=" + ports + "]";
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code NAME=HOST[:PORT][,HOST[:PORT]...]}, the syntax of the CLI's {@code --backend}
     * flag, e.g. {@code mailhost01=10.0.0.1,10.0.0.2:1143} or {@code v6=[2001:db8::1]:143}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and where
     */
    public static Mapping parseMapping(String spec) {
        Objects.requireNonNull(spec, "spec");
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("backend '" + spec + "': expected NAME=HOST[:PORT][,HOST[:PORT]...]");
        }
        String name = spec.substring(0, eq).trim();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("backend '" + spec + "': bad name '" + name
                    + "' (needs at least one character, no blanks, '=' or ',')");
        }
        String list = spec.substring(eq + 1);
        List<HostSpec> hosts = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("backend '" + spec + "': empty host in list");
            }
            try {
                hosts.add(parseHostSpec(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("backend '" + spec + "': " + e.getMessage(), e);
            }
        }
        return new Mapping(name, hosts);
    }

    /**
     * Parses {@code HOST[:PORT]}: a host name, an IPv4 literal, a bare IPv6 literal ({@code ::1}; no
     * port possible) or a bracketed one ({@code [::1]}, {@code [::1]:1143}).
     *
     * @throws IllegalArgumentException with a message naming the bad value
     */
    public static HostSpec parseHostSpec(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("host '" + s + "': missing ']'");
            }
            String host = ipv6(s.substring(1, close), s);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return new HostSpec(host, 0);
            }
            if (rest.charAt(0) != ':') {
                throw new IllegalArgumentException("host '" + s + "': expected ':PORT' after ']'");
            }
            return new HostSpec(host, port(rest.substring(1), s));
        }
        int first = s.indexOf(':');
        if (first < 0) {
            return new HostSpec(hostName(s, s), 0);
        }
        if (s.indexOf(':', first + 1) >= 0) {
            return new HostSpec(ipv6(s, s), 0); // bare IPv6: every colon belongs to the address
        }
        return new HostSpec(hostName(s.substring(0, first), s), port(s.substring(first + 1), s));
    }

    private static String hostName(String host, String spec) {
        if (!HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("host '" + spec + "': '" + host
                    + "' is not a host name or IP address (letters, digits, '.', '-', '_'; at most 253)");
        }
        return host;
    }

    private static String ipv6(String literal, String spec) {
        if (!IPV6_CHARS.matcher(literal).matches() || literal.indexOf(':') < 0) {
            throw new IllegalArgumentException("host '" + spec + "': '" + literal + "' is not an IPv6 address");
        }
        try {
            // A string with a colon is parsed as an IPv6 literal, never looked up in DNS. The zone
            // (%eth0) is left out: it names an interface of the machine that will connect.
            int zone = literal.indexOf('%');
            InetAddress.getByName(zone < 0 ? literal : literal.substring(0, zone));
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("host '" + spec + "': '" + literal + "' is not an IPv6 address", e);
        }
        return literal;
    }

    private static int port(String digits, String spec) {
        if (!DIGITS.matcher(digits).matches()) {
            throw new IllegalArgumentException("host '" + spec + "': bad port '" + digits + "'");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("host '" + spec + "': port " + port + " out of range 1-65535");
        }
        return port;
    }

    /**
     * One host of a mapping as written: host name or IP literal (IPv6 without brackets), and a port
     * or 0 for "the protocol's port".
     */
    public record HostSpec(String host, int port) {
        public HostSpec {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty host");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        public boolean hasPort() {
            return port != 0;
        }

        @Override
        public String toString() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return hasPort() ? h + ":" + port : h;
        }
    }

    /** {@code name=host[:port],...}: the hosts for one mail_server name, preferred first. */
    public record Mapping(String name, List<HostSpec> hosts) {
        public Mapping {
            Objects.requireNonNull(name, "name");
            hosts = List.copyOf(hosts);
            if (name.isBlank()) {
                throw new IllegalArgumentException("empty backend name");
            }
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("backend '" + name + "' needs at least one host");
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(name).append('=');
            for (int i = 0; i < hosts.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(hosts.get(i));
            }
            return sb.toString();
        }
    }

    public static final class Builder {
        private final Map<String, Mapping> mappings = new LinkedHashMap<>();
        private final Map<Protocol, Integer> ports = new EnumMap<>(Protocol.class);

        private Builder() {
        }

        /** Adds (or replaces) a mapping. */
        public Builder map(Mapping mapping) {
            mappings.put(key(mapping.name()), mapping);
            return this;
        }

        /** {@code map("mailhost01", "10.0.0.1", "10.0.0.2:1143")}; each host parsed as by {@link #parseHostSpec}. */
        public Builder map(String name, String... hostSpecs) {
            List<HostSpec> hosts = new ArrayList<>(hostSpecs.length);
            for (String h : hostSpecs) {
                hosts.add(parseHostSpec(h));
            }
            return map(new Mapping(name, hosts));
        }

        /** Adds a mapping given as {@code NAME=HOST[:PORT][,...]} (see {@link #parseMapping}). */
        public Builder map(String spec) {
            return map(parseMapping(spec));
        }

        /** The backend port for a protocol (default: {@link Protocol#defaultPort()}). */
        public Builder port(Protocol protocol, int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            ports.put(Objects.requireNonNull(protocol, "protocol"), port);
            return this;
        }

        public BackendDirectory build() {
            return new BackendDirectory(mappings, ports);
        }
    }
}
