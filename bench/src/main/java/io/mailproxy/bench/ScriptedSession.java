package io.mailproxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scripted POP3 or IMAP session on a client channel: waits for the greeting, sends each
 * step's command, reads until the reply that ends it, and reports to a {@link Listener}. The whole
 * session is bounded by a timeout (paused while the script holds an IMAP IDLE). Message bytes of
 * an IMAP literal or a POP3 RETR body go to a {@link MessageSink} without being kept.
 *
 * <p>Everything runs on the channel's event loop; nothing blocks.
 */
public final class ScriptedSession extends ByteToMessageDecoder {

    private static final int MAX_LINE = 64 * 1024;

    /** What a load run learns from one session; called on the channel's event loop. */
    public interface Listener {
        /** Step {@code index} ended well at {@code nanoTime}. */
        default void stepDone(int index, Step step, long nanoTime) {
        }

        /** The script reached an IMAP IDLE and holds it until {@link ScriptedSession#resume()}. */
        default void holding(ScriptedSession session) {
        }

        /** The session ended: {@code error} null when every step succeeded. Called once. */
        void finished(ScriptedSession session, ErrorKind error, String detail);
    }

    private final List<Step> steps;
    private final Listener listener;
    private final long timeoutNanos;
    private final MessageSink sink;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timeout;
    private int index;
    private boolean finished;
    private boolean holding;
    private long literalRemaining = -1;
    /** POP3 body: -1 not in a body, else one of the BODY_* states. */
    private int bodyState = -1;
    private static final int BODY_LINE_START = 0;
    private static final int BODY_MID_LINE = 1;

    public ScriptedSession(List<Step> steps, Listener listener, long timeout, TimeUnit unit, MessageSink sink) {
        this.steps = List.copyOf(steps);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timeoutNanos = unit.toNanos(timeout);
        this.sink = sink;
        if (this.steps.isEmpty() || this.steps.get(0).kind() != Step.Kind.GREETING) {
            throw new IllegalArgumentException("a script starts with the greeting");
        }
    }

    public MessageSink sink() {
        return sink;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        armTimeout();
    }

    private void armTimeout() {
        timeout = ctx.executor().schedule(() -> fail(ErrorKind.TIMEOUT, "no answer to step " + index),
                timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Ends an IDLE being held: sends the next step (DONE) and goes on with the script. */
    public void resume() {
        ctx.executor().execute(() -> {
            if (!holding || finished) {
                return;
            }
            holding = false;
            armTimeout();
            send();
        });
    }

    /** Closes the connection without reporting anything more (used at the end of a hold). */
    public void abandon() {
        ctx.executor().execute(() -> {
            finished = true;
            cancelTimeout();
            ctx.close();
        });
    }

    public boolean isOpen() {
        return ctx != null && ctx.channel().isActive();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!finished && in.isReadable()) {
            if (literalRemaining >= 0) {
                int n = (int) Math.min(literalRemaining, in.readableBytes());
                if (sink != null && steps.get(index).sink()) {
                    sink.take(in, n);
                } else {
                    in.skipBytes(n);
                }
                literalRemaining -= n;
                if (literalRemaining > 0) {
                    return;
                }
                literalRemaining = -1;
                continue;
            }
            if (bodyState >= 0) {
                if (!body(in)) {
                    return;
                }
                continue;
            }
            int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (lf < 0) {
                if (in.readableBytes() > MAX_LINE) {
                    fail(ErrorKind.PROTOCOL, "line longer than " + MAX_LINE);
                }
                return;
            }
            int length = lf - in.readerIndex();
            if (length == 0 || in.getByte(lf - 1) != '\r') {
                fail(ErrorKind.PROTOCOL, "line not ended by CRLF");
                return;
            }
            String line = in.toString(in.readerIndex(), length - 1, StandardCharsets.ISO_8859_1);
            in.readerIndex(lf + 1);
            onLine(line);
        }
    }

    private void onLine(String line) {
        if (holding) {
            return; // untagged updates during IDLE
        }
        Step step = steps.get(index);
        switch (step.kind()) {
            case GREETING -> {
                if (line.startsWith("* OK") || line.startsWith("+OK")) {
                    stepDone();
                } else {
                    fail(ErrorKind.PROTOCOL, "greeting: " + abbreviate(line));
                }
            }
            case IMAP_TAGGED -> {
                String tag = step.tag() + " ";
                if (!line.startsWith(tag)) {
                    int literal = literalSize(line);
                    if (literal >= 0) {
                        literalRemaining = literal;
                    }
                    return;
                }
                String status = line.substring(tag.length());
                if (status.startsWith("OK")) {
                    stepDone();
                } else {
                    refused(step, status, "[UNAVAILABLE]");
                }
            }
            case IMAP_CONTINUATION -> {
                if (line.startsWith("+")) {
                    holding = true;
                    cancelTimeout();
                    index++;
                    listener.holding(this);
                } else if (line.startsWith(step.tag() + " ")) {
                    fail(ErrorKind.PROTOCOL, abbreviate(line));
                }
            }
            case POP3_LINE -> {
                if (line.startsWith("+OK")) {
                    stepDone();
                } else {
                    refused(step, line, "[SYS/TEMP]");
                }
            }
            case POP3_MULTILINE -> {
                if (line.startsWith("+OK")) {
                    bodyState = BODY_LINE_START;
                } else {
                    fail(ErrorKind.PROTOCOL, abbreviate(line));
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * De-stuffs a POP3 multi-line body into the sink in bulk, a line at a time. Returns false when
     * it needs more bytes; true when it made progress (or the body ended).
     */
    private boolean body(ByteBuf in) {
        boolean intoSink = sink != null;
        if (bodyState == BODY_LINE_START && in.getByte(in.readerIndex()) == '.') {
            if (in.readableBytes() < 2) {
                return false;
            }
            byte next = in.getByte(in.readerIndex() + 1);
            if (next == '\r') {
                if (in.readableBytes() < 3) {
                    return false;
                }
                in.skipBytes(3); // ".\r\n": end of the body
                bodyState = -1;
                stepDone();
                return true;
            }
            in.skipBytes(1); // a stuffed dot
        }
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        int n = lf < 0 ? in.readableBytes() : lf + 1 - in.readerIndex();
        if (intoSink) {
            sink.take(in, n);
        } else {
            in.skipBytes(n);
        }
        bodyState = lf < 0 ? BODY_MID_LINE : BODY_LINE_START;
        return true;
    }

    private void refused(Step step, String reply, String temporaryCode) {
        if (!step.login()) {
            fail(ErrorKind.PROTOCOL, abbreviate(reply));
        } else if (reply.contains(temporaryCode)) {
            fail(ErrorKind.TEMP_FAILURE, abbreviate(reply));
        } else {
            fail(ErrorKind.AUTH_REJECTED, abbreviate(reply));
        }
    }

    private void stepDone() {
        listener.stepDone(index, steps.get(index), System.nanoTime());
        index++;
        if (index == steps.size()) {
            finish(null, null);
            ctx.close();
            return;
        }
        send();
    }

    private void send() {
        Step step = steps.get(index);
        if (step.command() != null) {
            ByteBuf line = ByteBufUtil.writeAscii(ctx.alloc(), step.command() + "\r\n");
            ctx.writeAndFlush(line).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
    }

    private void fail(ErrorKind kind, String detail) {
        if (finish(kind, detail)) {
            ctx.close();
        }
    }

    private boolean finish(ErrorKind kind, String detail) {
        if (finished) {
            return false;
        }
        finished = true;
        cancelTimeout();
        listener.finished(this, kind, detail);
        return true;
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        finish(ErrorKind.CLOSED, "closed by the server at step " + index);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ErrorKind.CLOSED, cause.toString());
    }

    /** N of a line ending in {@code {N}} (or {@code {N+}}), else -1. */
    static int literalSize(String line) {
        if (!line.endsWith("}")) {
            return -1;
        }
        int open = line.lastIndexOf('{');
        if (open < 0) {
            return -1;
        }
        String digits = line.substring(open + 1, line.length() - 1);
        if (digits.endsWith("+")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long n = Long.parseLong(digits);
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }
}
