package io.mailproxy.protocols.imap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the tokens of one IMAP command that has been framed into text segments (the command's
 * lines without their CRLF and without the literal announcements that ended them) and the
 * literals between them: {@code texts[0] literal[0] texts[1] literal[1] ... texts[n]}.
 *
 * <p>While the command is still arriving, the last text segment may be followed by a literal that
 * has been announced but not received ({@code literalPending}); a read that would accept a literal
 * there throws {@link Incomplete} ("valid so far"), any other read there is a syntax error.
 *
 * <p>Grammar (RFC 3501 section 9, 9051 for UTF-8 in quoted strings):
 * <pre>
 * tag            = 1*&lt;any ASTRING-CHAR except "+"&gt;
 * astring        = 1*ASTRING-CHAR / string
 * string         = quoted / literal
 * quoted         = DQUOTE *QUOTED-CHAR DQUOTE      ; only \" and \\ escape
 * nstring        = string / nil
 * atom-specials  = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
 * </pre>
 */
final class ImapRequestReader {
    static final int END = -1;
    static final int LITERAL = -2;

    private final List<byte[]> texts;
    private final List<byte[]> literals;
    private final boolean literalPending;
    private int segment;
    private int pos;

    ImapRequestReader(List<byte[]> texts, List<byte[]> literals, boolean literalPending) {
        if (texts.size() != literals.size() + 1) {
            throw new IllegalArgumentException("texts and literals must alternate");
        }
        this.texts = texts;
        this.literals = literals;
        this.literalPending = literalPending;
    }

    /** The next byte (0..255), {@link #LITERAL} when a literal comes next, {@link #END} at the end. */
    int peek() {
        byte[] text = texts.get(segment);
        if (pos < text.length) {
            return text[pos] & 0xff;
        }
        if (segment < literals.size() || literalPending) {
            return LITERAL;
        }
        return END;
    }

    /** Moves past the current byte of the text (after {@link #peek()} returned a byte). */
    void skip() {
        if (pos >= texts.get(segment).length) {
            throw new IllegalStateException("nothing to skip");
        }
        pos++;
    }

    boolean atEnd() {
        return peek() == END;
    }

    /** Reads one SP. */
    void sp() throws ImapSyntaxException {
        int c = peek();
        if (c == END) {
            throw new ImapSyntaxException("Missing arguments");
        }
        if (c != ' ') {
            throw unexpected(c);
        }
        pos++;
    }

    /** Reads one expected character. */
    void expect(char ch) throws ImapSyntaxException {
        int c = peek();
        if (c != ch) {
            throw c == END ? new ImapSyntaxException("Missing arguments") : unexpected(c);
        }
        pos++;
    }

    /** Asserts nothing follows. */
    void end() throws ImapSyntaxException {
        int c = peek();
        if (c != END) {
            throw unexpected(c);
        }
    }

    /** Reads a tag; null when there is none (the line starts with a non-tag character). */
    String tag() {
        int start = pos;
        byte[] text = texts.get(segment);
        while (pos < text.length && isTagChar(text[pos] & 0xff)) {
            pos++;
        }
        return pos == start ? null : new String(text, start, pos - start, StandardCharsets.US_ASCII);
    }

    /** Reads an atom (1*ATOM-CHAR). */
    String atom() throws ImapSyntaxException {
        int start = pos;
        byte[] text = texts.get(segment);
        while (pos < text.length && isAtomChar(text[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            int c = peek();
            throw c == END ? new ImapSyntaxException("Missing arguments") : unexpected(c);
        }
        return utf8(text, start, pos);
    }

    /** Reads an astring: atom characters, a quoted string or a literal. */
    String astring() throws ImapSyntaxException, Incomplete {
        int c = peek();
        if (c == '"' || c == LITERAL || c == '{') {
            return string();
        }
        int start = pos;
        byte[] text = texts.get(segment);
        while (pos < text.length && isAstringChar(text[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw c == END ? new ImapSyntaxException("Missing arguments") : unexpected(c);
        }
        return utf8(text, start, pos);
    }

    /** Reads a quoted string or a literal. */
    String string() throws ImapSyntaxException, Incomplete {
        int c = peek();
        if (c == '"') {
            return quoted();
        }
        if (c == LITERAL) {
            return literal();
        }
        throw c == END ? new ImapSyntaxException("Missing arguments") : unexpected(c);
    }

    /** Reads a string or {@code NIL} (null). */
    String nstring() throws ImapSyntaxException, Incomplete {
        int c = peek();
        if (c == 'N' || c == 'n') {
            String atom = atom();
            if (!atom.equalsIgnoreCase("NIL")) {
                throw new ImapSyntaxException("Invalid arguments");
            }
            return null;
        }
        return string();
    }

    private String quoted() throws ImapSyntaxException {
        byte[] text = texts.get(segment);
        pos++; // opening quote
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (pos < text.length) {
            int b = text[pos++] & 0xff;
            if (b == '"') {
                return utf8(out.toByteArray(), 0, out.size());
            }
            if (b == '\\') {
                if (pos >= text.length) {
                    break;
                }
                int escaped = text[pos++] & 0xff;
                if (escaped != '"' && escaped != '\\') {
                    throw new ImapSyntaxException("Invalid escape in quoted string");
                }
                out.write(escaped);
            } else {
                out.write(b);
            }
        }
        // The line (or the text before a literal) ended inside the quotes: CR/LF cannot be quoted.
        throw new ImapSyntaxException("Unterminated quoted string");
    }

    private String literal() throws ImapSyntaxException, Incomplete {
        if (segment >= literals.size()) {
            throw Incomplete.INSTANCE;
        }
        byte[] content = literals.get(segment);
        segment++;
        pos = 0;
        return utf8(content, 0, content.length);
    }

    private static ImapSyntaxException unexpected(int c) {
        if (c == LITERAL) {
            return new ImapSyntaxException("Unexpected literal");
        }
        if (c == '{') {
            return new ImapSyntaxException("Invalid literal");
        }
        if (c == ' ') {
            return new ImapSyntaxException("Unexpected space");
        }
        return new ImapSyntaxException("Invalid arguments");
    }

    private static String utf8(byte[] bytes, int from, int to) throws ImapSyntaxException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ImapSyntaxException("Invalid UTF-8 in arguments");
        }
    }

    /**
     * ATOM-CHAR: any CHAR except atom-specials. 8-bit bytes are tolerated (UTF-8 user names sent
     * unquoted); they are re-encoded safely before anything reaches a backend.
     */
    static boolean isAtomChar(int c) {
        if (c <= 0x20 || c == 0x7f) {
            return false;
        }
        return switch (c) {
            case '(', ')', '{', '%', '*', '"', '\\', ']' -> false;
            default -> true;
        };
    }

    /** ASTRING-CHAR = ATOM-CHAR / resp-specials. */
    static boolean isAstringChar(int c) {
        return c == ']' || isAtomChar(c);
    }

    /** Tag characters: ASTRING-CHAR except "+", 7-bit only (the tag is echoed and sent on). */
    static boolean isTagChar(int c) {
        return c < 0x7f && c != '+' && isAstringChar(c);
    }

    /** A syntax error in a command; the message is fixed text for the client. Stack-less: control flow. */
    static final class ImapSyntaxException extends Exception {
        ImapSyntaxException(String message) {
            super(message, null, false, false);
        }
    }

    /** The command is valid so far and a literal is wanted next. Stack-less singleton: control flow. */
    static final class Incomplete extends Exception {
        static final Incomplete INSTANCE = new Incomplete();

        private Incomplete() {
            super("literal expected", null, false, false);
        }
    }
}
