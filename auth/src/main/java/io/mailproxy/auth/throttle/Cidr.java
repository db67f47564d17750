package io.mailproxy.auth.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare
 * address is a single host ({@code /32}, {@code /128}).
 *
 * <p>Parsing never touches DNS: IPv4 is parsed here as a strict dotted quad, IPv6 only after it
 * has been checked to be made of hex digits, colons and dots, so the JDK treats it as a literal.
 * Host bits below the prefix are cleared ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}), as nginx and
 * Dovecot do. IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.1}) are matched as IPv4.
 */
public final class Cidr {

    private static final Pattern IPV4 =
            Pattern.compile("(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,3}");

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = mask(network, prefixLength);
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}.
     *
     * @throws IllegalArgumentException naming the bad value and what is wrong with it
     */
    public static Cidr parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = parseAddress(address, spec);
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String digits = s.substring(slash + 1);
            if (!DIGITS.matcher(digits).matches() || Integer.parseInt(digits) > max) {
                throw new IllegalArgumentException("network '" + spec + "': prefix length must be 0-" + max);
            }
            prefix = Integer.parseInt(digits);
        }
        return new Cidr(bytes, prefix);
    }

    /**
     * Parses a comma-separated list ({@code 10.0.0.0/8, 2001:db8::/32}); blanks around entries
     * are ignored, an empty or blank string gives an empty list.
     *
     * @throws IllegalArgumentException for an empty entry or a bad network
     */
    public static List<Cidr> parseList(String specs) {
        Objects.requireNonNull(specs, "specs");
        if (specs.isBlank()) {
            return List.of();
        }
        List<Cidr> result = new ArrayList<>();
        for (String part : specs.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("networks '" + specs + "': empty entry in list");
            }
            result.add(parse(part));
        }
        return List.copyOf(result);
    }

    /** Whether {@code address} lies in this network; always false for the other address family. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = canonicalBytes(address);
        if (bytes.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes, prefixLength), network);
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /**
     * The address bytes, IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) turned into its 4 IPv4 bytes, so
     * a dual-stack socket's view of an IPv4 client is grouped and matched as IPv4.
     */
    static byte[] canonicalBytes(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16 && isIpv4Mapped(b)) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** A copy of {@code bytes} with every bit after the first {@code prefix} cleared. */
    static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static byte[] parseAddress(String address, String spec) {
        if (IPV4.matcher(address).matches()) {
            String[] parts = address.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(parts[i]);
            }
            return b;
        }
        if (address.indexOf(':') >= 0 && IPV6_CHARS.matcher(address).matches()) {
            try {
                // Has a colon and only hex/colon/dot: parsed as a literal, never looked up.
                // (The JDK returns ::ffff:a.b.c.d as IPv4, so a mapped network is an IPv4 one.)
                return InetAddress.getByName(address).getAddress();
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException("network '" + spec + "': '" + address
                        + "' is not an IPv6 address", e);
            }
        }
        throw new IllegalArgumentException("network '" + spec + "': '" + address
                + "' is not an IPv4 or IPv6 address");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** {@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32} (the JDK's IPv6 spelling). */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }
}
