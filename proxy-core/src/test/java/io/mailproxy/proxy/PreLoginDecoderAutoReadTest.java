package io.mailproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder owns the channel's auto-read switch: on from the start of the session, off only
 * while a paused decoder holds more than {@code maxCommandLength} bytes, on again when it resumes.
 * (With epoll each flip is an epoll_ctl call, so a session that logs in at once flips it once.)
 */
class PreLoginDecoderAutoReadTest {
    private final List<String> commands = new ArrayList<>();
    private final LineTestProtocol.Decoder decoder = new LineTestProtocol.Decoder(64);

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false); // as accepted by ProxyServer
        ch.pipeline().addLast(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                commands.add((String) msg);
                if (msg.equals("LOGIN")) {
                    decoder.pause(); // as FrontendSessionHandler does while the login is checked
                }
            }
        });
        ch.pipeline().fireChannelActive();
        return ch;
    }

    private static void send(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    @Test
    void autoReadShouldBeTurnedOnWhenTheSessionStartsAndStayOnWhileCommandsAreDecoded() {
        EmbeddedChannel ch = channel();
        assertThat(ch.config().isAutoRead()).isTrue();

        send(ch, "NOOP\r\nNO");
        send(ch, "OP\r\n");

        assertThat(commands).containsExactly("NOOP", "NOOP");
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPausedDecoderShouldKeepReadingUpToTheLimitThenStopAndReadAgainWhenResumed() {
        EmbeddedChannel ch = channel();
        send(ch, "LOGIN\r\nNOOP\r\n");
        assertThat(commands).containsExactly("LOGIN");
        assertThat(ch.config().isAutoRead()).as("paused, 6 bytes held: reading goes on").isTrue();

        send(ch, "NOOP\r\n".repeat(9)); // 60 bytes held: not above the limit of 64
        assertThat(ch.config().isAutoRead()).isTrue();
        send(ch, "NOOP\r\n"); // 66 bytes held
        assertThat(ch.config().isAutoRead()).as("above the limit while paused: stop reading").isFalse();
        assertThat(commands).containsExactly("LOGIN");

        decoder.resume(); // a failed login: the pipelined commands are decoded in order
        assertThat(commands).hasSize(12).last().isEqualTo("NOOP");
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aLoginThatSucceedsShouldLeaveAutoReadOnForTheRelayAndHandOverWhatWasPipelined() {
        EmbeddedChannel ch = channel();
        send(ch, "LOGIN\r\nSTAT\r\n");
        assertThat(ch.config().isAutoRead()).isTrue();

        var leftover = decoder.takeLeftover();
        try {
            assertThat(leftover.toString(StandardCharsets.US_ASCII)).isEqualTo("STAT\r\n");
        } finally {
            leftover.release();
        }
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.finishAndReleaseAll();
    }
}
