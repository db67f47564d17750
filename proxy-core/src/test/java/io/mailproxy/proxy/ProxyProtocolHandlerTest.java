package io.mailproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthRequest;
import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PROXY protocol in, on EmbeddedChannels with real-looking socket addresses; every header split at every offset. */
class ProxyProtocolHandlerTest {
    private static final InetSocketAddress BALANCER = new InetSocketAddress("10.0.0.5", 51000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.10", 143);
    private static final ProxyProtocolPolicy POLICY = ProxyProtocolPolicy.trusting("10.0.0.0/24, ::1");

    static final String V1 = "PROXY TCP4 203.0.113.9 198.51.100.1 41000 993\r\n";
    /** v2, PROXY, TCP over IPv6: 2001:db8::7 port 40000 -> 2001:db8::1 port 143. */
    static final byte[] V2_TCP6 = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "21" + "0024"
            + "20010db8000000000000000000000007" + "20010db8000000000000000000000001" + "9c40" + "008f");
    /** v2 LOCAL (a health check): no addresses. */
    static final byte[] V2_LOCAL = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000");

    /** An EmbeddedChannel whose peer and local addresses are IP socket addresses. */
    private static final class InetChannel extends EmbeddedChannel {
        private final InetSocketAddress remote;

        InetChannel(InetSocketAddress remote) {
            super(false, false);
            this.remote = remote;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }

        @Override
        protected SocketAddress localAddress0() {
            return LOCAL;
        }
    }

    /** What the rest of the pipeline saw. */
    private static final class Downstream extends ChannelInboundHandlerAdapter {
        int active;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InetSocketAddress clientWhenActive;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active++;
            clientWhenActive = ChannelAttributes.session(ctx.channel()).clientInet();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] copy = new byte[b.readableBytes()];
            b.readBytes(copy);
            bytes.writeBytes(copy);
            b.release();
        }
    }

    private static EmbeddedChannel channel(InetSocketAddress peer, Downstream downstream) throws Exception {
        InetChannel ch = new InetChannel(peer);
        ch.attr(ChannelAttributes.SESSION).set(new SessionRecord(Protocol.IMAP, peer));
        ch.pipeline().addLast(HandlerNames.PROXY_PROTOCOL, new HAProxyMessageDecoder());
        ch.pipeline().addLast(HandlerNames.PROXY_PROTOCOL_SOURCE, new ProxyProtocolHandler(POLICY));
        ch.pipeline().addLast(downstream);
        ch.register();
        ch.freezeTime();
        return ch;
    }

    private static byte[] concat(byte[] a, String b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Feeds {@code input} cut at {@code cut} (0: whole). */
    private static void feed(EmbeddedChannel ch, byte[] input, int cut) {
        if (cut > 0 && cut < input.length) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(input, cut, input.length - cut));
        } else {
            ch.writeInbound(Unpooled.wrappedBuffer(input));
        }
    }

    @Test
    void v1HeaderShouldSetTheClientAddressBeforeActiveWhateverTheSplit() throws Exception {
        byte[] input = concat(V1.getBytes(StandardCharsets.US_ASCII), "a1 NOOP\r\n");
        for (int cut = 0; cut < input.length; cut++) {
            Downstream d = new Downstream();
            EmbeddedChannel ch = channel(BALANCER, d);
            feed(ch, input, cut);
            assertThat(d.active).as("cut %d", cut).isEqualTo(1);
            InetSocketAddress source = new InetSocketAddress("203.0.113.9", 41000);
            assertThat(d.clientWhenActive).as("cut %d", cut).isEqualTo(source);
            assertThat(ch.attr(ChannelAttributes.PROXIED).get())
                    .isEqualTo(new AuthRequest.ProxiedAddresses(source, new InetSocketAddress("198.51.100.1", 993)));
            assertThat(d.bytes.toString(StandardCharsets.US_ASCII)).as("cut %d", cut).isEqualTo("a1 NOOP\r\n");
            assertThat(ch.pipeline().get(HandlerNames.PROXY_PROTOCOL)).isNull();
            assertThat(ch.pipeline().get(HandlerNames.PROXY_PROTOCOL_SOURCE)).isNull();
            assertThat(ch.isOpen()).isTrue();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void v2HeaderShouldSetTheClientAddressWhateverTheSplit() throws Exception {
        byte[] input = concat(V2_TCP6, "a1 NOOP\r\n");
        for (int cut = 0; cut < input.length; cut++) {
            Downstream d = new Downstream();
            EmbeddedChannel ch = channel(BALANCER, d);
            feed(ch, input, cut);
            assertThat(d.active).as("cut %d", cut).isEqualTo(1);
            assertThat(d.clientWhenActive).as("cut %d", cut).isEqualTo(new InetSocketAddress("2001:db8::7", 40000));
            assertThat(ch.attr(ChannelAttributes.PROXIED).get().destination())
                    .isEqualTo(new InetSocketAddress("2001:db8::1", 143));
            assertThat(d.bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("a1 NOOP\r\n");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void nothingShouldBeActiveBeforeTheHeaderIsComplete() throws Exception {
        Downstream d = new Downstream();
        EmbeddedChannel ch = channel(BALANCER, d);
        feed(ch, "PROXY TCP4 203.0.113.9 ".getBytes(StandardCharsets.US_ASCII), 0);
        assertThat(d.active).isZero();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void localHeaderShouldKeepTheSocketAddress() throws Exception {
        Downstream d = new Downstream();
        EmbeddedChannel ch = channel(BALANCER, d);
        feed(ch, V2_LOCAL, 0);
        assertThat(d.active).isEqualTo(1);
        assertThat(d.clientWhenActive).isEqualTo(BALANCER);
        assertThat(ch.attr(ChannelAttributes.PROXIED).get()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void untrustedPeerShouldBeClosedAtOnceWithoutAByte() throws Exception {
        Downstream d = new Downstream();
        EmbeddedChannel ch = channel(new InetSocketAddress("192.0.2.66", 5000), d);
        assertThat(ch.isOpen()).isFalse();
        assertThat(d.active).isZero();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ChannelAttributes.session(ch).outcome()).isEqualTo(SessionRecord.Outcome.PROXY_UNTRUSTED);
        ch.finishAndReleaseAll();
    }

    @Test
    void garbageInsteadOfAHeaderShouldClose() throws Exception {
        Downstream d = new Downstream();
        EmbeddedChannel ch = channel(BALANCER, d);
        feed(ch, "a1 LOGIN alice secret\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        assertThat(ch.isOpen()).isFalse();
        assertThat(d.active).isZero();
        assertThat(d.bytes.size()).isZero();
        assertThat(ChannelAttributes.session(ch).outcome()).isEqualTo(SessionRecord.Outcome.PROXY_INVALID);
        ch.finishAndReleaseAll();
    }

    @Test
    void noHeaderWithinTheTimeoutShouldClose() throws Exception {
        Downstream d = new Downstream();
        EmbeddedChannel ch = channel(BALANCER, d);
        ch.advanceTimeBy(ProxyProtocolPolicy.DEFAULT_HEADER_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(d.active).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void backendHeaderShouldNameTheClientAndWhereItConnected() {
        ClientEndpoints e = new ClientEndpoints(new InetSocketAddress("203.0.113.9", 41000),
                new InetSocketAddress("198.51.100.1", 993), "s1");
        assertThat(encode(BackendProxyProtocol.V1, e)).isEqualTo(
                "PROXY TCP4 203.0.113.9 198.51.100.1 41000 993\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(encode(BackendProxyProtocol.V2, e))).isEqualTo(
                "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "cb007109" + "c6336401" + "a028" + "03e1");
        ClientEndpoints mixed = new ClientEndpoints(new InetSocketAddress("203.0.113.9", 41000),
                new InetSocketAddress("2001:db8::1", 143), "s2");
        assertThat(new String(encode(BackendProxyProtocol.V1, mixed), StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP6 ::ffff:203.0.113.9 2001:db8::1 41000 143\r\n");
        assertThat(HexFormat.of().formatHex(encode(BackendProxyProtocol.V2, mixed))).isEqualTo(
                "0d0a0d0a000d0a515549540a" + "21" + "21" + "0024" + "00000000000000000000ffffcb007109"
                        + "20010db8000000000000000000000001" + "a028" + "008f");
        assertThat(new String(encode(BackendProxyProtocol.V1, null), StandardCharsets.US_ASCII))
                .isEqualTo("PROXY UNKNOWN\r\n");
    }

    private static byte[] encode(BackendProxyProtocol mode, ClientEndpoints e) {
        EmbeddedChannel ch = new EmbeddedChannel();
        BackendProxyHeader.write(ch, mode, e);
        ByteBuf out = ch.readOutbound();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        assertThat(ch.pipeline().names()).doesNotContain("proxy-protocol-out");
        ch.finishAndReleaseAll();
        return bytes;
    }

    @Test
    void headerMessageTypeIsNettys() {
        assertThat(HAProxyMessage.class.getPackageName()).isEqualTo("io.netty.handler.codec.haproxy");
    }
}
