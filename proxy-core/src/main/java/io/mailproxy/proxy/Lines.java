package io.mailproxy.proxy;

import io.netty.buffer.ByteBuf;

/** Bounded CRLF line search shared by the front-end decoders and the backend handshakes. */
public final class Lines {
    private Lines() {
    }

    /**
     * Index of the LF that ends the first line in {@code buf} (from its reader index), searching no
     * further than {@code maxLength} bytes; {@code -1} when no LF is found within that bound.
     * The caller checks whether the byte before it is CR (strict CRLF framing).
     */
    public static int indexOfLf(ByteBuf buf, int maxLength) {
        int start = buf.readerIndex();
        int end = start + Math.min(buf.readableBytes(), maxLength);
        return buf.indexOf(start, end, (byte) '\n');
    }

    /** Whether the line ending at {@code lfIndex} is terminated by CRLF (and not a bare LF). */
    public static boolean isCrlf(ByteBuf buf, int lfIndex) {
        return lfIndex > buf.readerIndex() && buf.getByte(lfIndex - 1) == '\r';
    }
}
