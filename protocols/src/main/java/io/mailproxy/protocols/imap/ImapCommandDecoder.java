package io.mailproxy.protocols.imap;

import io.mailproxy.proxy.Lines;
import io.mailproxy.proxy.PreLoginDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Frames and parses IMAP commands before login: emits an {@link ImapCommand}, an
 * {@link ImapDecodeError} (answered {@code BAD}), or, when the session asked for one with
 * {@link #expectContinuationLine()}, an {@link ImapContinuationLine}.
 *
 * <p>Framing (RFC 3501 section 7.5, RFC 7888): a command is a CRLF-terminated line, except that a
 * line ending in a literal announcement {@code {n}} or {@code {n+}} is followed by {@code n} bytes
 * of literal and then by the rest of the command. Literal content is stored, never scanned for
 * commands. For a synchronising literal {@code {n}} the decoder itself sends {@code + OK}, but only
 * when the command is valid so far and the literal fits; otherwise the command is answered at once
 * (the client, waiting for the continuation, will not send the literal). Non-synchronising literals
 * arrive unasked, so they are always consumed, and a command already known bad gets its one
 * {@code BAD} after its last line.
 *
 * <p>The whole command, literals and CRLFs included, is capped at {@code maxCommandLength}: an
 * unsolicited {@code {n+}} that would pass it, or a line that does, raises
 * {@link TooLongFrameException} (the session answers {@code * BAD line too long} and closes); a
 * {@code {n}} that would pass it is refused with {@code BAD} instead. Literal sizes are digits only
 * and are compared with the remaining budget before anything is allocated.
 *
 * <p>Strict CRLF: a line ending in a bare LF is answered {@code BAD}.
 */
public final class ImapCommandDecoder extends PreLoginDecoder {
    private static final byte[] CONTINUATION = "+ OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Supplier<ImapState> state;

    // The command being framed.
    private final List<byte[]> texts = new ArrayList<>();
    private final List<byte[]> literals = new ArrayList<>();
    private int length;
    private int literalRemaining = -1;
    private byte[] literal;
    private int literalFilled;
    private ImapDecodeError rejected;

    private boolean continuationLine;

    /**
     * @param maxCommandLength longest command accepted, literals included
     * @param state            the session's current state (which commands are valid)
     */
    public ImapCommandDecoder(int maxCommandLength, Supplier<ImapState> state) {
        super(maxCommandLength);
        this.state = Objects.requireNonNull(state, "state");
    }

    /**
     * The next line is the client's answer to a {@code +} continuation request (a SASL response):
     * emit it raw as an {@link ImapContinuationLine}, not as a command. Call from the session while it
     * handles the command that asked (it runs inside this decoder's {@code fireChannelRead}).
     */
    public void expectContinuationLine() {
        continuationLine = true;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws TooLongFrameException {
        while (true) {
            if (literalRemaining >= 0 && !readLiteral(in)) {
                return null;
            }
            if (!in.isReadable()) {
                return null;
            }
            int budget = maxCommandLength() - length;
            int lf = Lines.indexOfLf(in, budget);
            if (lf < 0) {
                if (in.readableBytes() >= budget) {
                    throw tooLong();
                }
                return null;
            }
            boolean crlf = Lines.isCrlf(in, lf);
            byte[] line = new byte[lf - in.readerIndex() - (crlf ? 1 : 0)];
            in.readBytes(line);
            in.readerIndex(lf + 1);
            length += line.length + (crlf ? 2 : 1);

            if (continuationLine) {
                continuationLine = false;
                reset();
                return crlf ? new ImapContinuationLine(new String(line, StandardCharsets.ISO_8859_1))
                        : new ImapDecodeError(null, "Line must end with CRLF");
            }
            if (!crlf) {
                ImapDecodeError error = new ImapDecodeError(tagOf(texts.isEmpty() ? line : texts.get(0)),
                        "Line must end with CRLF");
                reset();
                return error;
            }
            int marker = literalMarker(line);
            if (marker < 0) {
                texts.add(line);
                Object command = rejected != null ? rejected
                        : ImapCommandParser.parse(texts, literals, false, state.get());
                reset();
                return command;
            }
            boolean nonSync = line[line.length - 2] == '+';
            long size = literalSize(line, marker + 1, line.length - (nonSync ? 2 : 1));
            texts.add(Arrays.copyOf(line, marker));
            if (rejected == null) {
                Object check = ImapCommandParser.parse(texts, literals, true, state.get());
                if (check instanceof ImapDecodeError error) {
                    rejected = error;
                } else if (check != null) {
                    rejected = new ImapDecodeError(tagOf(texts.get(0)), "Unexpected literal");
                }
            }
            // The literal, then at least the CRLF that ends the command, must fit.
            boolean fits = size + 2 <= maxCommandLength() - length;
            if (nonSync) {
                if (!fits) {
                    throw tooLong();
                }
            } else if (rejected != null || !fits) {
                ImapDecodeError error = rejected != null ? rejected
                        : new ImapDecodeError(tagOf(texts.get(0)), "Literal too big");
                reset();
                return error;
            } else {
                ctx.writeAndFlush(ctx.alloc().buffer(CONTINUATION.length).writeBytes(CONTINUATION));
            }
            literalRemaining = (int) size;
            literal = rejected == null ? new byte[(int) size] : null;
            literalFilled = 0;
        }
    }

    /** Reads (or, for a rejected command, skips) literal bytes; true once the literal is complete. */
    private boolean readLiteral(ByteBuf in) {
        int n = Math.min(literalRemaining, in.readableBytes());
        if (literal != null) {
            in.readBytes(literal, literalFilled, n);
            literalFilled += n;
        } else {
            in.skipBytes(n);
        }
        literalRemaining -= n;
        length += n;
        if (literalRemaining > 0) {
            return false;
        }
        literals.add(literal != null ? literal : new byte[0]);
        literal = null;
        literalRemaining = -1;
        return true;
    }

    /**
     * Index of the {@code {} of a literal announcement {@code {digits}} or {@code {digits+}} that ends
     * {@code line}, or -1. Anything else in braces ({@code {-1}}, {@code {1a}}, {@code {}}) is no
     * announcement: the line ends the command and the parser rejects the brace.
     */
    static int literalMarker(byte[] line) {
        int end = line.length - 1;
        if (end < 2 || line[end] != '}') {
            return -1;
        }
        int i = end - 1;
        if (line[i] == '+') {
            i--;
        }
        int lastDigit = i;
        while (i >= 0 && line[i] >= '0' && line[i] <= '9') {
            i--;
        }
        if (i < 0 || i == lastDigit || line[i] != '{') {
            return -1;
        }
        return i;
    }

    /** The decimal number in {@code line[from, to)}, saturating at {@link Integer#MAX_VALUE}. */
    private static long literalSize(byte[] line, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (line[i] - '0');
            if (n > Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
        }
        return n;
    }

    /** The tag at the start of a command line, when there is a valid one. */
    private static String tagOf(byte[] firstLine) {
        int i = 0;
        while (i < firstLine.length && ImapRequestReader.isTagChar(firstLine[i] & 0xff)) {
            i++;
        }
        if (i == 0 || (i < firstLine.length && firstLine[i] != ' ')) {
            return null;
        }
        return new String(firstLine, 0, i, StandardCharsets.US_ASCII);
    }

    private TooLongFrameException tooLong() {
        reset();
        return new TooLongFrameException("IMAP command longer than " + maxCommandLength() + " bytes");
    }

    private void reset() {
        texts.clear();
        literals.clear();
        length = 0;
        literalRemaining = -1;
        literal = null;
        literalFilled = 0;
        rejected = null;
    }
}
