package io.mailproxy.protocols.imap;

import io.mailproxy.proxy.BackendHandshake;
import io.mailproxy.proxy.BackendLoginResult;
import io.mailproxy.proxy.SessionRecord;
import io.mailproxy.proxy.tls.BackendTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Promise;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Logs in to an IMAP backend with the client's tag: waits for the {@code * OK} greeting (not
 * relayed), sends {@code tag LOGIN user password} with each argument a quoted string, or a
 * synchronising literal when it holds CR, LF, {@code "}, {@code \}, a control or an 8-bit byte
 * (waiting for the backend's {@code +} before sending the literal), then collects the untagged
 * lines and the tagged reply. {@code tag OK} logs in and the client gets those lines verbatim
 * (so it learns the backend's real capabilities); {@code tag NO/BAD} is a refusal, relayed as
 * well. A greeting other than {@code * OK} ({@code PREAUTH}, {@code BYE}, garbage), an unexpected
 * line or too much chatter fails the login: the client gets a temporary failure.
 *
 * <p>With STARTTLS to the backend, {@code <own tag> STARTTLS} goes first (untagged lines before its
 * reply are ignored); its OK upgrades the connection (anything sent after it in cleartext is
 * discarded) and the rest follows over TLS. A refusal, or a failed handshake or certificate check,
 * fails the login: the password never goes out in cleartext.
 */
public final class ImapBackendLogin extends BackendHandshake {
    /** Most untagged bytes collected for the client before the tagged reply. */
    static final int MAX_COLLECTED = 64 * 1024;

    private enum Step { GREETING, STARTTLS, TLS_HANDSHAKE, CAPABILITY, ID, CONTINUATION, RESPONSE }

    private final String tag;
    /** With --forward-client-ip: the ID parameters to send when the backend announces ID; else null. */
    private final String forwardedId;
    private final String ownTag;
    private boolean backendHasId;
    private final List<byte[]> chunks;
    private int nextChunk;
    private Step step = Step.GREETING;
    private ByteBuf collected;

    /**
     * @param tag      the client's tag (already validated as an IMAP tag)
     * @param user     the backend login name
     * @param password the backend password (never logged)
     */
    public ImapBackendLogin(Promise<BackendLoginResult> result, Duration timeout, String tag, String user,
                            String password) {
        this(result, timeout, tag, user, password, null);
    }

    /**
     * @param forwardedId the parenthesised ID parameters ({@link ImapForwardedId}) to send before
     *                    LOGIN when the backend announces {@code ID} (in its greeting, else asked
     *                    with {@code CAPABILITY}); null to send none. Those exchanges are not relayed
     *                    to the client.
     */
    public ImapBackendLogin(Promise<BackendLoginResult> result, Duration timeout, String tag, String user,
                            String password, String forwardedId) {
        this(result, timeout, tag, user, password, forwardedId, null);
    }

    /**
     * @param startTls TLS for a STARTTLS (with the proxy's own tag) before anything else; null for
     *                 none. After it the capabilities are asked again: the cleartext greeting's are
     *                 not trusted.
     */
    public ImapBackendLogin(Promise<BackendLoginResult> result, Duration timeout, String tag, String user,
                            String password, String forwardedId, BackendTls startTls) {
        super(result, timeout, startTls);
        this.tag = tag;
        this.forwardedId = forwardedId;
        this.ownTag = tag.equals("mpx") ? "mpy" : "mpx";
        this.chunks = loginCommand(tag, user.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The LOGIN command in the pieces it is sent in: every piece but the last ends with a
     * synchronising literal announcement, after which the backend's {@code +} is awaited.
     */
    static List<byte[]> loginCommand(String tag, byte[] user, byte[] password) {
        List<byte[]> pieces = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        current.writeBytes((tag + " LOGIN ").getBytes(StandardCharsets.US_ASCII));
        current = appendAstring(pieces, current, user);
        current.write(' ');
        current = appendAstring(pieces, current, password);
        current.write('\r');
        current.write('\n');
        pieces.add(current.toByteArray());
        return pieces;
    }

    private static ByteArrayOutputStream appendAstring(List<byte[]> pieces, ByteArrayOutputStream current, byte[] value) {
        if (needsLiteral(value)) {
            current.writeBytes(("{" + value.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
            pieces.add(current.toByteArray());
            ByteArrayOutputStream next = new ByteArrayOutputStream();
            next.writeBytes(value);
            return next;
        }
        current.write('"');
        current.writeBytes(value);
        current.write('"');
        return current;
    }

    /** Whether {@code value} cannot be sent as an RFC 3501 quoted string (or is better not). */
    static boolean needsLiteral(byte[] value) {
        for (byte b : value) {
            int c = b & 0xff;
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void onLine(ChannelHandlerContext ctx, ByteBuf line) {
        switch (step) {
            case GREETING -> {
                if (!startsWith(line, "* ") || !isStatus(line, 2, "OK")) {
                    fail("backend greeting is not * OK: " + SessionRecord.sanitize(text(line)));
                    return;
                }
                if (startTlsFirst()) {
                    step = Step.STARTTLS;
                    send(ctx, ascii(ctx, ownTag + " STARTTLS\r\n"));
                } else {
                    beforeLogin(ctx, text(line));
                }
            }
            case STARTTLS -> {
                String t = text(line);
                if (t.startsWith(ownTag + " ") && isStatus(line, ownTag.length() + 1, "OK")) {
                    step = Step.TLS_HANDSHAKE;
                    upgradeToTls(ctx);
                } else if (!t.startsWith("* ")) {
                    fail("backend refused STARTTLS: " + SessionRecord.sanitize(t));
                }
            }
            case TLS_HANDSHAKE -> fail("backend sent data during the TLS handshake");
            case CAPABILITY -> {
                String t = text(line);
                if (t.toUpperCase(Locale.ROOT).startsWith("* CAPABILITY ")) {
                    announcesId(t.substring(13));
                } else if (t.startsWith(ownTag + " ")) {
                    sendIdOrLogin(ctx);
                } else if (!t.startsWith("* ")) {
                    fail("unexpected backend line to CAPABILITY: " + SessionRecord.sanitize(t));
                }
            }
            case ID -> {
                String t = text(line);
                if (t.startsWith(ownTag + " ")) {
                    sendNextChunk(ctx); // OK, NO or BAD: the login goes on either way
                } else if (!t.startsWith("* ")) {
                    fail("unexpected backend line to ID: " + SessionRecord.sanitize(t));
                }
            }
            case CONTINUATION -> {
                if (line.getByte(line.readerIndex()) == '+') {
                    sendNextChunk(ctx);
                } else {
                    onReply(ctx, line);
                }
            }
            case RESPONSE -> onReply(ctx, line);
            default -> throw new IllegalStateException(step.name());
        }
    }

    @Override
    protected void onTlsEstablished(ChannelHandlerContext ctx) {
        beforeLogin(ctx, null);
    }

    /** ID when wanted and announced ({@code greeting}'s capabilities, or CAPABILITY when null), then LOGIN. */
    private void beforeLogin(ChannelHandlerContext ctx, String greeting) {
        if (forwardedId == null) {
            sendNextChunk(ctx);
            return;
        }
        int caps = greeting == null ? -1 : greeting.toUpperCase(Locale.ROOT).indexOf("[CAPABILITY ");
        if (caps >= 0) {
            int end = greeting.indexOf(']', caps);
            announcesId(greeting.substring(caps + 12, end < 0 ? greeting.length() : end));
            sendIdOrLogin(ctx);
        } else {
            step = Step.CAPABILITY;
            send(ctx, ascii(ctx, ownTag + " CAPABILITY\r\n"));
        }
    }

    private void announcesId(String capabilities) {
        for (String c : capabilities.trim().split(" +")) {
            if (c.equalsIgnoreCase("ID")) {
                backendHasId = true;
            }
        }
    }

    private void sendIdOrLogin(ChannelHandlerContext ctx) {
        if (backendHasId) {
            step = Step.ID;
            send(ctx, ascii(ctx, ownTag + " ID " + forwardedId + "\r\n"));
        } else {
            sendNextChunk(ctx);
        }
    }

    private static ByteBuf ascii(ChannelHandlerContext ctx, String s) {
        return ctx.alloc().buffer(s.length()).writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private void sendNextChunk(ChannelHandlerContext ctx) {
        byte[] chunk = chunks.get(nextChunk);
        chunks.set(nextChunk, null);
        nextChunk++;
        step = nextChunk < chunks.size() ? Step.CONTINUATION : Step.RESPONSE;
        ByteBuf out = ctx.alloc().buffer(chunk.length).writeBytes(chunk);
        Arrays.fill(chunk, (byte) 0);
        send(ctx, out);
    }

    /** An untagged line (collected) or the tagged reply to LOGIN. */
    private void onReply(ChannelHandlerContext ctx, ByteBuf line) {
        int start = line.readerIndex();
        if (line.getByte(start) == '*') {
            collect(ctx, line);
            return;
        }
        int afterTag = start + tag.length();
        boolean ours = line.readableBytes() > tag.length()
                && line.toString(start, tag.length(), StandardCharsets.ISO_8859_1).equals(tag)
                && line.getByte(afterTag) == ' ';
        if (!ours) {
            fail("unexpected backend line during login: " + SessionRecord.sanitize(text(line)));
            return;
        }
        int status = afterTag + 1 - start;
        if (isStatus(line, status, "OK")) {
            if (collect(ctx, line)) {
                loggedIn(takeCollected());
            }
        } else if (isStatus(line, status, "NO") || isStatus(line, status, "BAD")) {
            if (collect(ctx, line)) {
                refused(takeCollected(), SessionRecord.sanitize(text(line)));
            }
        } else {
            fail("unexpected backend reply to LOGIN: " + SessionRecord.sanitize(text(line)));
        }
    }

    /** Whether {@code line} has {@code word} (case-insensitive) at {@code offset}, then SP or the line end. */
    private static boolean isStatus(ByteBuf line, int offset, String word) {
        int start = line.readerIndex();
        int end = start + offset + word.length();
        if (line.writerIndex() < end) {
            return false;
        }
        if (!line.toString(start + offset, word.length(), StandardCharsets.ISO_8859_1).equalsIgnoreCase(word)) {
            return false;
        }
        if (end == line.writerIndex()) {
            return true;
        }
        byte next = line.getByte(end);
        return next == ' ' || next == '\r' || next == '\n';
    }

    private static boolean startsWith(ByteBuf line, String prefix) {
        return line.readableBytes() >= prefix.length()
                && line.toString(line.readerIndex(), prefix.length(), StandardCharsets.ISO_8859_1).equals(prefix);
    }

    /** Keeps {@code line} for the client; false (and the login failed) when that is too much. */
    private boolean collect(ChannelHandlerContext ctx, ByteBuf line) {
        int size = collected == null ? 0 : collected.readableBytes();
        if (size + line.readableBytes() > MAX_COLLECTED) {
            fail("backend sent more than " + MAX_COLLECTED + " bytes of untagged lines during login");
            return false;
        }
        if (collected == null) {
            collected = ctx.alloc().buffer(Math.max(256, line.readableBytes()));
        }
        collected.writeBytes(line, line.readerIndex(), line.readableBytes());
        return true;
    }

    private ByteBuf takeCollected() {
        ByteBuf out = collected;
        collected = null;
        return out;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (collected != null) {
            collected.release();
            collected = null;
        }
        for (int i = 0; i < chunks.size(); i++) {
            byte[] chunk = chunks.get(i);
            if (chunk != null) {
                Arrays.fill(chunk, (byte) 0);
            }
        }
        super.handlerRemoved(ctx);
    }
}
