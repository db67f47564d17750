package io.mailproxy.protocols.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feeds a script of client bytes to an EmbeddedChannel in every way TCP could deliver it: whole,
 * split in two at every offset, and byte by byte. Protocol-neutral (POP3, IMAP, ...).
 */
public final class SplitFeeder {
    private SplitFeeder() {
    }

    /** A named way to cut the input into chunks (the name says which split failed). */
    public record Chunking(String name, List<byte[]> chunks) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Whole, every 2-way split (offsets 1 .. length-1), and byte by byte. */
    public static List<Chunking> chunkings(byte[] input) {
        List<Chunking> out = new ArrayList<>();
        out.add(new Chunking("whole", List.of(input)));
        for (int i = 1; i < input.length; i++) {
            out.add(new Chunking("split at " + i,
                    List.of(Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i, input.length))));
        }
        if (input.length > 2) {
            List<byte[]> bytes = new ArrayList<>(input.length);
            for (byte b : input) {
                bytes.add(new byte[] {b});
            }
            out.add(new Chunking("byte by byte", bytes));
        }
        return out;
    }

    public static List<Chunking> chunkings(String ascii) {
        return chunkings(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes the chunks inbound, one read each, allocating with the channel's allocator (so a
     * {@link TrackingAllocator} sees them); stops once the channel is closed.
     */
    public static void feed(EmbeddedChannel channel, Chunking chunking) {
        for (byte[] chunk : chunking.chunks()) {
            if (!channel.isOpen()) {
                return;
            }
            channel.writeInbound(buffer(channel, chunk));
        }
    }

    /** Writes {@code ascii} inbound as one read. */
    public static void feed(EmbeddedChannel channel, String ascii) {
        channel.writeInbound(buffer(channel, ascii.getBytes(StandardCharsets.ISO_8859_1)));
    }

    public static ByteBuf buffer(EmbeddedChannel channel, byte[] bytes) {
        return channel.alloc().buffer(Math.max(1, bytes.length)).writeBytes(bytes);
    }

    /** Everything written outbound so far, as ISO-8859-1 text (byte for byte); the buffers are released. */
    public static String drainOutbound(EmbeddedChannel channel) {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            if (o instanceof ByteBuf buf) {
                sb.append(buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            } else {
                throw new AssertionError("unexpected outbound message " + o);
            }
        }
        return sb.toString();
    }
}
