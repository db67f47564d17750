package io.mailproxy.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the PROXY protocol header that tells a backend who the client is, as the first bytes of
 * the backend connection (before its greeting is read): source = the client (the inbound PROXY
 * header's source when there was one), destination = the address the client connected to. With
 * one address IPv4 and the other IPv6, the IPv4 one is sent IPv4-mapped ({@code ::ffff:a.b.c.d}).
 * Without IP endpoints: v1 {@code PROXY UNKNOWN}, v2 {@code LOCAL}.
 */
final class BackendProxyHeader {
    private static final String ENCODER = "proxy-protocol-out";

    private BackendProxyHeader() {
    }

    static void write(Channel backend, BackendProxyProtocol mode, ClientEndpoints endpoints) {
        if (mode == BackendProxyProtocol.V1) {
            backend.writeAndFlush(Unpooled.copiedBuffer(v1(endpoints), StandardCharsets.US_ASCII));
            return;
        }
        HAProxyMessage header = header(mode, endpoints);
        backend.pipeline().addFirst(ENCODER, HAProxyMessageEncoder.INSTANCE);
        try {
            backend.writeAndFlush(header);
        } finally {
            backend.pipeline().remove(ENCODER);
        }
    }

    /** {@code PROXY TCP4 <src> <dst> <sport> <dport>\r\n}, or {@code PROXY UNKNOWN\r\n}. */
    static String v1(ClientEndpoints endpoints) {
        if (endpoints == null) {
            return "PROXY UNKNOWN\r\n";
        }
        HAProxyMessage m = header(BackendProxyProtocol.V1, endpoints);
        try {
            return "PROXY " + m.proxiedProtocol().name() + " " + m.sourceAddress() + " " + m.destinationAddress() + " "
                    + m.sourcePort() + " " + m.destinationPort() + "\r\n";
        } finally {
            m.release();
        }
    }

    static HAProxyMessage header(BackendProxyProtocol mode, ClientEndpoints endpoints) {
        HAProxyProtocolVersion version = mode == BackendProxyProtocol.V1 ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2;
        if (endpoints == null) {
            return version == HAProxyProtocolVersion.V1
                    ? new HAProxyMessage(version, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)
                    : new HAProxyMessage(version, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        InetAddress src = endpoints.client().getAddress();
        InetAddress dst = endpoints.connected().getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        if (!v4) {
            src = asIpv6(src);
            dst = asIpv6(dst);
        }
        return new HAProxyMessage(version, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                NetUtil.toAddressString(src, true), NetUtil.toAddressString(dst, true),
                endpoints.client().getPort(), endpoints.connected().getPort());
    }

    private static InetAddress asIpv6(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a;
        }
        byte[] v4 = a.getAddress();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(v4, 0, mapped, 12, 4);
        try {
            return Inet6Address.getByAddress(null, mapped, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes: cannot happen
        }
    }
}
