package io.mailproxy.proxy;

import java.util.Locale;

/** Whether and how the client's address is sent to the backend in a PROXY protocol header. */
public enum BackendProxyProtocol {
    OFF,
    /** The text header, {@code PROXY TCP4 <src> <dst> <sport> <dport>\r\n}. */
    V1,
    /** The binary header. */
    V2;

    /** {@code off}, {@code v1}, {@code v2} (any case). */
    public static BackendProxyProtocol parse(String s) {
        for (BackendProxyProtocol v : values()) {
            if (v.name().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + s + "': expected off, v1 or v2");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
