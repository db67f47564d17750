package io.mailproxy.bench.jmh;

import io.mailproxy.protocols.imap.ImapCommandDecoder;
import io.mailproxy.protocols.imap.ImapState;
import io.mailproxy.protocols.pop3.Pop3CommandDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pre-login command decoders, one command per operation, through an {@link EmbeddedChannel}
 * (its per-read overhead, a few hundred ns, is part of every figure; compare the inputs with each
 * other, not with zero). Run: {@code java -jar bench/target/mailproxy-bench.jar jmh Decoder}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DecoderBenchmark {

    /** The command lines fed, one per operation. */
    @Param({"imap-login-quoted", "imap-login-literal-plus", "imap-capability", "pop3-user", "pop3-pass"})
    public String input;

    private EmbeddedChannel channel;
    private ByteBuf line;
    private Blackhole sink;
    private int decoded;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.sink = blackhole;
        String text = switch (input) {
            case "imap-login-quoted" -> "a001 LOGIN \"alice@example.com\" \"correct horse battery\"\r\n";
            case "imap-login-literal-plus" -> "a001 LOGIN {17+}\r\nalice@example.com {21+}\r\ncorrect horse battery\r\n";
            case "imap-capability" -> "a001 CAPABILITY\r\n";
            case "pop3-user" -> "USER alice@example.com\r\n";
            case "pop3-pass" -> "PASS correct horse battery\r\n";
            default -> throw new IllegalArgumentException(input);
        };
        line = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII)));
        ChannelInboundHandlerAdapter tail = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoded++;
                sink.consume(msg);
            }
        };
        channel = new EmbeddedChannel(input.startsWith("imap")
                ? new ImapCommandDecoder(8192, () -> ImapState.NOT_AUTHENTICATED)
                : new Pop3CommandDecoder(8192), tail);
        channel.writeInbound(line.duplicate());
        if (decoded != 1) { // else the cumulation would grow and the figure mean nothing
            throw new IllegalStateException(input + ": " + decoded + " commands from one line");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public void decodeOneCommand() {
        channel.writeInbound(line.duplicate());
    }
}
