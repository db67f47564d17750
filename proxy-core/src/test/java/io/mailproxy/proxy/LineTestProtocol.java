package io.mailproxy.proxy;

import io.mailproxy.auth.AuthOutcome;
import io.mailproxy.auth.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;

/**
 * A minimal line protocol exercising the core without POP3/IMAP knowledge:
 * client {@code LOGIN user pass} / {@code QUIT} / {@code NOOP} / {@code STARTTLS} ({@code GO}) /
 * {@code SECURE} ({@code SECURE <on TLS> <TLS required for login>}); backend greets {@code HELLO}, takes
 * {@code AUTH user pass}, answers {@code OK ...} or {@code NO ...}.
 */
final class LineTestProtocol implements FrontendProtocol {

    @Override
    public Protocol protocol() {
        return Protocol.POP3;
    }

    @Override
    public void initSession(Channel channel, ProxyContext proxy) {
        channel.pipeline().addLast(HandlerNames.DECODER, new Decoder(proxy.settings().maxLineLength()));
        channel.pipeline().addLast(HandlerNames.SESSION, new Session(proxy));
    }

    @Override
    public ByteBuf loginTimeoutReply(ByteBufAllocator alloc) {
        return ascii("TIMEOUT\r\n");
    }

    @Override
    public ByteBuf tooManyConnectionsReply(ByteBufAllocator alloc) {
        return ascii("BUSY\r\n");
    }

    @Override
    public ByteBuf shutdownReply(ByteBufAllocator alloc) {
        return ascii("SHUTDOWN\r\n");
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    static final class Decoder extends PreLoginDecoder {
        Decoder(int max) {
            super(max);
        }

        @Override
        protected Object decode(ChannelHandlerContext ctx, ByteBuf in) {
            int lf = Lines.indexOfLf(in, maxCommandLength());
            if (lf < 0) {
                return null;
            }
            boolean crlf = Lines.isCrlf(in, lf);
            int len = lf - in.readerIndex() - (crlf ? 1 : 0);
            String line = in.toString(in.readerIndex(), len, StandardCharsets.ISO_8859_1);
            in.readerIndex(lf + 1);
            return crlf ? line : "\0bare-lf";
        }
    }

    static final class Session extends FrontendSessionHandler<String> {
        Session(ProxyContext proxy) {
            super(proxy, Protocol.POP3);
        }

        @Override
        protected ByteBuf greeting(ByteBufAllocator alloc) {
            return ascii("READY\r\n");
        }

        @Override
        protected void onCommand(ChannelHandlerContext ctx, Object command) {
            String[] parts = ((String) command).split(" ");
            if (parts[0].equals("LOGIN") && parts.length == 3) {
                login(ctx, parts[1], parts[2], "USER", parts[1]);
            } else if (parts[0].equals("QUIT")) {
                logout(ctx, ascii("BYE\r\n"));
            } else if (parts[0].equals("NOOP")) {
                ctx.writeAndFlush(ascii("NOOP OK\r\n"));
            } else if (parts[0].equals("STARTTLS")) {
                if (startTlsAvailable()) {
                    startTls(ctx, ascii("GO\r\n"));
                } else {
                    commandError(ctx, ascii("NOTLS\r\n"));
                }
            } else if (parts[0].equals("SECURE")) {
                ctx.writeAndFlush(ascii("SECURE " + isSecure() + " " + tlsRequiredForLogin() + "\r\n"));
            } else {
                commandError(ctx, ascii("ERR\r\n"));
            }
        }

        @Override
        protected ByteBuf lineTooLongReply(ByteBufAllocator alloc) {
            return ascii("TOOLONG\r\n");
        }

        @Override
        protected ByteBuf tooManyErrorsReply(ByteBufAllocator alloc) {
            return ascii("TOOMANY\r\n");
        }

        @Override
        protected ByteBuf authFailedReply(ByteBufAllocator alloc, String login) {
            return ascii("AUTHFAIL " + login + "\r\n");
        }

        @Override
        protected ByteBuf temporaryFailureReply(ByteBufAllocator alloc, String login) {
            return ascii("TEMPFAIL\r\n");
        }

        @Override
        protected ChannelHandler backendHandshake(AuthOutcome.Accepted accepted, String login,
                                                  Promise<BackendLoginResult> result) {
            return new Handshake(result, proxy.settings(), accepted);
        }
    }

    static final class Handshake extends BackendHandshake {
        private final AuthOutcome.Accepted accepted;
        private boolean greeted;

        Handshake(Promise<BackendLoginResult> result, ProxySettings settings, AuthOutcome.Accepted accepted) {
            super(result, settings.backendLoginTimeout());
            this.accepted = accepted;
        }

        @Override
        protected void onLine(ChannelHandlerContext ctx, ByteBuf line) {
            String text = text(line);
            if (!greeted) {
                if (!text.equals("HELLO")) {
                    fail("bad greeting");
                    return;
                }
                greeted = true;
                send(ctx, ascii("AUTH " + accepted.backendUser() + " " + accepted.backendPassword() + "\r\n"));
            } else if (text.startsWith("OK")) {
                loggedIn(line.retainedDuplicate());
            } else {
                refused(line.retainedDuplicate(), text);
            }
        }
    }
}
