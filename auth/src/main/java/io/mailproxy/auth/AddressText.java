package io.mailproxy.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * IP addresses as text the way nginx (and most mail software) writes them: IPv4 dotted quad, IPv6
 * in the RFC 5952 short form ({@code 2001:db8::1}, lower case, the longest run of zero groups
 * shortened), without brackets or zone.
 */
public final class AddressText {
    private AddressText() {
    }

    /** The address of {@code address} as text; its host string when it is unresolved; null for null. */
    public static String ip(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        InetAddress a = address.getAddress();
        return a == null ? address.getHostString() : ip(a);
    }

    /** {@code 192.0.2.7}, {@code 2001:db8::1}. */
    public static String ip(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        if (bestLength < 2) {
            bestStart = -1; // RFC 5952 4.2.2: a single zero group is not shortened
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
