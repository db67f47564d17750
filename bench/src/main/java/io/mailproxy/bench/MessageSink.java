package io.mailproxy.bench;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and digests (SHA-256) the bytes of a downloaded message. */
public final class MessageSink {
    private final MessageDigest sha256;
    private long bytes;

    public MessageSink() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Consumes {@code length} readable bytes of {@code buf}. */
    void take(ByteBuf buf, int length) {
        if (length <= 0) {
            return;
        }
        if (buf.nioBufferCount() == 1) {
            sha256.update(buf.nioBuffer(buf.readerIndex(), length));
        } else {
            byte[] copy = new byte[length];
            buf.getBytes(buf.readerIndex(), copy);
            sha256.update(copy);
        }
        buf.skipBytes(length);
        bytes += length;
    }

    void take(byte b) {
        sha256.update(b);
        bytes++;
    }

    public long bytes() {
        return bytes;
    }

    /** The hex SHA-256 of everything taken; call once, at the end. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
