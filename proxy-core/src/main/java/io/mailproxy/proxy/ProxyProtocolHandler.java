package io.mailproxy.proxy;

import io.mailproxy.auth.AuthRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (v1 and v2) in front of a client connection, after Netty's
 * {@link HAProxyMessageDecoder} (which reads the header however it is split across TCP segments and
 * removes itself, handing on any bytes after it).
 *
 * <ul>
 *   <li>A connection from outside the {@linkplain ProxyProtocolPolicy#trusted() trusted networks} is
 *       closed at once: nothing is read, nothing written.</li>
 *   <li>{@code channelActive} is held back until the header is read, so nothing after this handler
 *       (connection limits, greeting) sees the connection before its real client address is known.
 *       The header's source becomes the session's client address (auth request, throttling,
 *       limits, logs); both addresses are kept in {@link ChannelAttributes#PROXIED} (auth_http's
 *       {@code Proxy-Protocol-*} headers, the backend's PROXY header, ID/XCLIENT).</li>
 *   <li>A {@code LOCAL} header (v2 health checks) or {@code PROXY UNKNOWN} keeps the socket's own
 *       addresses, as the specification says.</li>
 *   <li>No valid header within {@link ProxyProtocolPolicy#headerTimeout()}, or an invalid one: the
 *       connection is closed without a reply.</li>
 * </ul>
 * Once done it removes itself.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private final ProxyProtocolPolicy policy;
    private ScheduledFuture<?> timeout;
    private boolean done;

    public ProxyProtocolHandler(ProxyProtocolPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress peer = ctx.channel().remoteAddress();
        InetAddress address = peer instanceof InetSocketAddress i ? i.getAddress() : null;
        if (address == null || !policy.trusts(address)) {
            LOG.info("closing connection from {}: not a trusted PROXY protocol source", peer);
            outcome(ctx, SessionRecord.Outcome.PROXY_UNTRUSTED);
            ctx.close();
            return;
        }
        timeout = ctx.executor().schedule(() -> {
            if (!done) {
                LOG.info("closing connection from {}: no PROXY protocol header within {} ms", peer,
                        policy.headerTimeout().toMillis());
                outcome(ctx, SessionRecord.Outcome.PROXY_INVALID);
                ctx.close();
            }
        }, policy.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg); // cannot happen: the decoder sends the header first
            return;
        }
        try {
            accept(ctx, header);
        } finally {
            header.release();
        }
    }

    private void accept(ChannelHandlerContext ctx, HAProxyMessage header) {
        done = true;
        cancelTimeout();
        if (header.command() == HAProxyCommand.PROXY && isTcp(header.proxiedProtocol())) {
            InetSocketAddress source = new InetSocketAddress(
                    NetUtil.createInetAddressFromIpAddressString(header.sourceAddress()), header.sourcePort());
            InetSocketAddress destination = new InetSocketAddress(
                    NetUtil.createInetAddressFromIpAddressString(header.destinationAddress()), header.destinationPort());
            SessionRecord session = ChannelAttributes.session(ctx.channel());
            if (session != null) {
                session.proxiedClient(source);
            }
            ctx.channel().attr(ChannelAttributes.PROXIED).set(new AuthRequest.ProxiedAddresses(source, destination));
        }
        ctx.fireChannelActive();
        if (ctx.channel().isActive()) {
            ctx.pipeline().remove(this);
        }
    }

    private static boolean isTcp(HAProxyProxiedProtocol p) {
        return p == HAProxyProxiedProtocol.TCP4 || p == HAProxyProxiedProtocol.TCP6;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            ctx.read(); // the header is not complete yet
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        LOG.info("closing connection from {}: bad PROXY protocol header: {}", ctx.channel().remoteAddress(),
                cause.getMessage());
        outcome(ctx, SessionRecord.Outcome.PROXY_INVALID);
        done = true;
        cancelTimeout();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private static void outcome(ChannelHandlerContext ctx, SessionRecord.Outcome outcome) {
        SessionRecord session = ChannelAttributes.session(ctx.channel());
        if (session != null) {
            session.outcome(outcome);
        }
    }
}
