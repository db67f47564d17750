package io.mailproxy.protocols.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The IMAP front-end's own replies, byte for byte. Client text is never echoed, only its (validated) tag. */
final class ImapReplies {
    private ImapReplies() {
    }

    static final String AUTH_FAILED = "NO [AUTHENTICATIONFAILED] Authentication failed.";
    static final String TEMPORARY_FAILURE = "NO [UNAVAILABLE] Temporary failure, try again later.";
    static final String LINE_TOO_LONG = "* BAD line too long";
    static final String TOO_MANY_ERRORS = "* BYE Too many invalid commands.";
    static final String AUTOLOGOUT = "* BYE Autologout; idle for too long";
    static final String TOO_MANY_CONNECTIONS = "* BYE Too many connections";
    static final String SHUTTING_DOWN = "* BYE Server shutting down.";
    static final String INTERNAL_ERROR = "* BYE Internal server error";
    static final String PRIVACY_REQUIRED = "NO [PRIVACYREQUIRED] Plaintext login disallowed: use STARTTLS first.";
    static final String STARTTLS_OK = "OK Begin TLS negotiation now";
    static final String STARTTLS_UNAVAILABLE = "STARTTLS not available";

    static String greeting(ImapConfig config) {
        return greeting(config.capabilityLine());
    }

    static String greeting(String capabilities) {
        return "* OK [CAPABILITY " + capabilities + "] IMAP4rev1 proxy ready";
    }

    /** {@code line} + CRLF. */
    static ByteBuf line(ByteBufAllocator alloc, String line) {
        ByteBuf buf = alloc.buffer(line.length() + 2);
        buf.writeCharSequence(line, StandardCharsets.US_ASCII);
        buf.writeByte('\r').writeByte('\n');
        return buf;
    }

    /** {@code line} + CRLF, as UTF-8 (text from an auth server, for instance). */
    static ByteBuf utf8Line(ByteBufAllocator alloc, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(bytes.length + 2).writeBytes(bytes).writeByte('\r').writeByte('\n');
    }

    /** Several lines, each + CRLF, in one buffer. */
    static ByteBuf lines(ByteBufAllocator alloc, String... lines) {
        int size = 0;
        for (String l : lines) {
            size += l.length() + 2;
        }
        ByteBuf buf = alloc.buffer(size);
        for (String l : lines) {
            buf.writeCharSequence(l, StandardCharsets.US_ASCII);
            buf.writeByte('\r').writeByte('\n');
        }
        return buf;
    }

    /** {@code tag text}, or {@code * text} when there is no tag. */
    static ByteBuf tagged(ByteBufAllocator alloc, String tag, String text) {
        return line(alloc, (tag == null ? "*" : tag) + " " + text);
    }

    static ByteBuf bad(ByteBufAllocator alloc, String tag, String message) {
        return tagged(alloc, tag, "BAD " + message);
    }
}
