package io.mailproxy.protocols.pop3;

import io.mailproxy.proxy.Lines;
import io.mailproxy.proxy.PreLoginDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits the POP3 client's input into {@link Pop3Request}s, one CRLF line each, before login.
 * A line (CRLF included) longer than {@code maxLineLength} raises {@link TooLongFrameException};
 * a line ending in a bare LF, holding a NUL byte or invalid UTF-8 becomes a {@link Pop3Request.Problem}
 * that the session answers {@code -ERR} and counts.
 */
public final class Pop3CommandDecoder extends PreLoginDecoder {

    public Pop3CommandDecoder(int maxLineLength) {
        super(maxLineLength);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws TooLongFrameException {
        int max = maxCommandLength();
        int lf = Lines.indexOfLf(in, max);
        if (lf < 0) {
            if (in.readableBytes() >= max) {
                throw new TooLongFrameException("POP3 line longer than " + max + " bytes");
            }
            return null;
        }
        int start = in.readerIndex();
        boolean crlf = Lines.isCrlf(in, lf);
        int end = crlf ? lf - 1 : lf;
        in.readerIndex(lf + 1);
        if (!crlf) {
            return Pop3Request.problem(Pop3Request.Problem.BARE_LF);
        }
        if (in.indexOf(start, end, (byte) 0) >= 0) {
            return Pop3Request.problem(Pop3Request.Problem.NUL);
        }
        String line = utf8(in, start, end - start);
        return line == null ? Pop3Request.problem(Pop3Request.Problem.NOT_UTF8) : Pop3Request.parse(line);
    }

    /** Strict UTF-8 (ASCII fast path); null when the bytes are not UTF-8. */
    private static String utf8(ByteBuf buf, int index, int length) {
        if (buf.forEachByte(index, length, b -> b >= 0) < 0) {
            return buf.toString(index, length, StandardCharsets.US_ASCII);
        }
        ByteBuffer nio = buf.nioBufferCount() == 1 ? buf.nioBuffer(index, length)
                : ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(buf, index, length));
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(nio)
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
