package io.mailproxy.cli;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A listener address as given to {@code --pop3} / {@code --imap}: {@code PORT} (all addresses),
 * {@code ADDR:PORT}, {@code [V6]:PORT}, or {@code off}. Port 0 lets the system pick a free port.
 *
 * @param host null for all addresses
 * @param port 0-65535
 */
public record ListenAddress(String host, int port) {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.-]{1,253}");

    /** {@code --imap off}: no listener. */
    public static final ListenAddress OFF = new ListenAddress("off", -1);

    public ListenAddress {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 0-65535");
        }
    }

    public boolean off() {
        return port == -1;
    }

    public static ListenAddress all(int port) {
        return new ListenAddress(null, port);
    }

    /** Parses {@code [ADDR:]PORT} or {@code off}; the message of the exception says what is wrong. */
    public static ListenAddress parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim();
        if (s.equalsIgnoreCase("off")) {
            return OFF;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address (expected [ADDR:]PORT or off)");
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + spec + "': expected [IPV6]:PORT");
            }
            String v6 = s.substring(1, close);
            if (v6.isEmpty() || !v6.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?")) {
                throw new IllegalArgumentException("'" + spec + "': '" + v6 + "' is not an IPv6 address");
            }
            return new ListenAddress(v6, port(s.substring(close + 2), spec));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return all(port(s, spec));
        }
        String host = s.substring(0, colon);
        if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + spec + "': write IPv6 addresses in brackets, e.g. [::1]:143");
        }
        if (host.equals("*") || host.isEmpty()) {
            return all(port(s.substring(colon + 1), spec));
        }
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + spec + "': '" + host + "' is not an address or host name");
        }
        return new ListenAddress(host, port(s.substring(colon + 1), spec));
    }

    private static int port(String digits, String spec) {
        if (!DIGITS.matcher(digits).matches()) {
            throw new IllegalArgumentException("'" + spec + "': bad port '" + digits + "' (expected [ADDR:]PORT or off)");
        }
        int p = Integer.parseInt(digits);
        if (p > 65535) {
            throw new IllegalArgumentException("'" + spec + "': port " + p + " out of range 0-65535");
        }
        return p;
    }

    /** The address to bind; all addresses is the wildcard (IPv4 and, where the system has it, IPv6). */
    public InetSocketAddress socketAddress() {
        if (off()) {
            throw new IllegalStateException("off");
        }
        return host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** {@code 0.0.0.0:143}, {@code 127.0.0.1:1143}, {@code [::1]:143}, {@code off}. */
    @Override
    public String toString() {
        if (off()) {
            return "off";
        }
        String h = host == null ? "0.0.0.0" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /** Formats a bound address the same way (wildcard as 0.0.0.0). */
    public static String format(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        if (a.getAddress().isAnyLocalAddress()) {
            return "0.0.0.0:" + a.getPort();
        }
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** picocli converter: the exception message becomes the one-line usage error. */
    public static final class Converter implements ITypeConverter<ListenAddress> {
        @Override
        public ListenAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().toLowerCase(Locale.ROOT).startsWith("'")
                        ? e.getMessage() : "'" + value + "': " + e.getMessage());
            }
        }
    }
}
