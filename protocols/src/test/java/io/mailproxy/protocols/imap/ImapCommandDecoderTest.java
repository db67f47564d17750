package io.mailproxy.protocols.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.protocols.testsupport.TrackingAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder alone: every input fed whole, split in two at every offset and byte by byte. */
class ImapCommandDecoderTest {
    private static final int MAX = 8192;

    /** What one run produced: decoded messages, bytes the decoder wrote itself, the exception raised. */
    private record Outcome(List<Object> messages, String written, String exception) {
    }

    private static Outcome run(ImapState state, Chunking chunking) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new ImapCommandDecoder(MAX, () -> state));
        String exception = null;
        try {
            // EmbeddedChannel rethrows what reached the end of the pipeline, on this or a later write.
            SplitFeeder.feed(ch, chunking);
            ch.checkException();
        } catch (Exception e) {
            exception = e.getClass().getSimpleName();
        }
        List<Object> messages = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            messages.add(o);
        }
        String written = SplitFeeder.drainOutbound(ch);
        ch.finishAndReleaseAll();
        alloc.assertAllReleased();
        return new Outcome(messages, written, exception);
    }

    /** Decodes {@code input} every way it could arrive; all must agree. */
    private static Outcome decode(ImapState state, byte[] input) {
        List<Chunking> chunkings = ImapSplits.chunkings(input);
        Outcome first = run(state, chunkings.get(0));
        for (Chunking c : chunkings.subList(1, chunkings.size())) {
            assertThat(run(state, c)).as(c.name()).isEqualTo(first);
        }
        return first;
    }

    private static Outcome decode(String input) {
        return decode(ImapState.NOT_AUTHENTICATED, input.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static ImapCommand login(String tag, String user, String password) {
        return new ImapCommand(tag, ImapCommandType.LOGIN, new ImapArguments.Login(user, password));
    }

    private static ImapDecodeError error(String tag, String message) {
        return new ImapDecodeError(tag, message);
    }

    @Test
    void loginShouldDecodeAtomsWhenUnquoted() {
        Outcome o = decode("a1 login alice s3cr]t\r\n");
        assertThat(o.messages()).containsExactly(login("a1", "alice", "s3cr]t"));
        assertThat(o.written()).isEmpty();
        assertThat(o.exception()).isNull();
    }

    @Test
    void loginShouldUnescapeOnlyQuoteAndBackslashWhenQuoted() {
        Outcome o = decode("a LOGIN \"us\\\"er\" \"p\\\\w d\"\r\n");
        assertThat(o.messages()).containsExactly(login("a", "us\"er", "p\\w d"));
    }

    @Test
    void quotedStringShouldBeRejectedWhenItHasAnyOtherEscape() {
        assertThat(decode("a LOGIN \"a\\b\" p\r\nb NOOP\r\n").messages()).containsExactly(
                error("a", "Invalid escape in quoted string"),
                new ImapCommand("b", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
    }

    @Test
    void quotedStringShouldBeRejectedWhenTheLineEndsInsideIt() {
        assertThat(decode("a LOGIN \"alice\r\n\" p\r\n").messages()).containsExactly(
                error("a", "Unterminated quoted string"), error(null, "Invalid tag"));
    }

    @Test
    void quotedStringShouldDecodeUtf8WhenValid() {
        byte[] input = "a LOGIN \"j\u00f6rg\" \"\u20ac\"\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(decode(ImapState.NOT_AUTHENTICATED, input).messages()).containsExactly(login("a", "j\u00f6rg", "\u20ac"));
    }

    @Test
    void argumentsShouldBeRejectedWhenNotUtf8() {
        byte[] input = concat("a LOGIN \"".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xff},
                "\" p\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(decode(ImapState.NOT_AUTHENTICATED, input).messages())
                .containsExactly(error("a", "Invalid UTF-8 in arguments"));
    }

    @Test
    void syncLiteralsShouldGetOneContinuationEachWhenTheCommandIsValid() {
        Outcome o = decode("a LOGIN {5}\r\nalice {6}\r\nsecret\r\n");
        assertThat(o.written()).isEqualTo("+ OK\r\n+ OK\r\n");
        assertThat(o.messages()).containsExactly(login("a", "alice", "secret"));
    }

    @Test
    void nonSyncLiteralsShouldGetNoContinuation() {
        Outcome o = decode("a LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n");
        assertThat(o.written()).isEmpty();
        assertThat(o.messages()).containsExactly(login("a", "alice", "secret"));
    }

    @Test
    void literalsShouldMixWithQuotedAndAtoms() {
        assertThat(decode("a LOGIN \"alice\" {6+}\r\nsecret\r\n").messages()).containsExactly(login("a", "alice", "secret"));
        Outcome o = decode("a LOGIN {5}\r\nalice pw\r\n");
        assertThat(o.messages()).containsExactly(login("a", "alice", "pw"));
        assertThat(o.written()).isEqualTo("+ OK\r\n");
    }

    @Test
    void zeroLengthLiteralsShouldGiveEmptyStrings() {
        Outcome o = decode("a LOGIN {0}\r\n {0+}\r\n\r\n");
        assertThat(o.messages()).containsExactly(login("a", "", ""));
        assertThat(o.written()).isEqualTo("+ OK\r\n");
    }

    @Test
    void literalContentShouldNeverBeParsedAsCommands() {
        Outcome o = decode("a LOGIN {10+}\r\nb LOGOUT\r\n {9}\r\n\"\\{1}\r\n\r\n\r\n");
        assertThat(o.messages()).containsExactly(login("a", "b LOGOUT\r\n", "\"\\{1}\r\n\r\n"));
        assertThat(o.written()).isEqualTo("+ OK\r\n");
    }

    @Test
    void literalMayHoldNulAndEightBitBytes() {
        byte[] input = concat("a LOGIN {3+}\r\n".getBytes(StandardCharsets.US_ASCII), new byte[] {'a', 0, 'b'},
                " {2+}\r\n".getBytes(StandardCharsets.US_ASCII), "\u00e9".getBytes(StandardCharsets.UTF_8),
                "\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(decode(ImapState.NOT_AUTHENTICATED, input).messages()).containsExactly(login("a", "a\0b", "\u00e9"));
    }

    @Test
    void literalSizeShouldBeRejectedWhenNotDigits() {
        assertThat(decode("a LOGIN {-1}\r\nb LOGIN {1a}\r\nc LOGIN {}\r\nd LOGIN {+}\r\n").messages()).containsExactly(
                error("a", "Invalid literal"), error("b", "Invalid literal"),
                error("c", "Invalid literal"), error("d", "Invalid literal"));
    }

    @Test
    void hugeSyncLiteralShouldBeRefusedWithoutContinuationWhenItCannotFit() {
        Outcome o = decode("a LOGIN {99999999999999999999}\r\nb LOGIN {8180}\r\nc NOOP\r\n");
        assertThat(o.written()).isEmpty();
        assertThat(o.messages()).containsExactly(error("a", "Literal too big"), error("b", "Literal too big"),
                new ImapCommand("c", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
        assertThat(o.exception()).isNull();
    }

    @Test
    void hugeNonSyncLiteralShouldFailAsTooLong() {
        Outcome o = decode("a LOGIN {99999999999999999999+}\r\nb NOOP\r\n");
        assertThat(o.messages()).isEmpty();
        assertThat(o.exception()).isEqualTo("TooLongFrameException");
        assertThat(decode("a LOGIN {8180+}\r\n").exception()).isEqualTo("TooLongFrameException");
    }

    @Test
    void commandShouldBeTooLongWhenLiteralsAndLinesTogetherPassTheLimit() {
        // Each piece fits; together they pass 8192 bytes.
        String literal = "x".repeat(4100);
        Outcome o = decode("a LOGIN {4100+}\r\n" + literal + " {4100+}\r\n" + literal + "\r\n");
        assertThat(o.messages()).isEmpty();
        assertThat(o.exception()).isEqualTo("TooLongFrameException");
        Outcome fits = decode("a LOGIN {4100+}\r\n" + literal + " {3000+}\r\n" + literal.substring(0, 3000) + "\r\n");
        assertThat(fits.exception()).isNull();
        assertThat(fits.messages()).hasSize(1);
    }

    @Test
    void lineShouldBeTooLongWhenNoLineEndWithinTheLimit() {
        Outcome o = decode("a LOGIN " + "x".repeat(MAX) + "\r\n");
        assertThat(o.messages()).isEmpty();
        assertThat(o.exception()).isEqualTo("TooLongFrameException");
        String longest = "a NOOP" + " ".repeat(MAX - 8) + "\r\n";
        assertThat(decode(longest).messages()).containsExactly(error("a", "Unexpected arguments"));
    }

    @Test
    void bareLfShouldBeAnErrorWithTheTagWhenReadable() {
        assertThat(decode("a NOOP\nb NOOP\r\n* X\n").messages()).containsExactly(
                error("a", "Line must end with CRLF"),
                new ImapCommand("b", ImapCommandType.NOOP, ImapArguments.None.INSTANCE),
                error(null, "Line must end with CRLF"));
    }

    @Test
    void lineWithoutValidTagShouldBeUntaggedError() {
        assertThat(decode("* NOOP\r\n+ NOOP\r\na+b NOOP\r\n\r\n {3}\r\n").messages()).containsExactly(
                error(null, "Invalid tag"), error(null, "Invalid tag"), error(null, "Invalid tag"),
                error(null, "Empty command line"), error(null, "Invalid tag"));
    }

    @Test
    void unknownOrMissingCommandShouldBeTaggedError() {
        assertThat(decode("a FOOBAR\r\nb\r\nc \r\nd 123\r\n").messages()).containsExactly(
                error("a", "Unknown command"), error("b", "Missing command"),
                error("c", "Missing command"), error("d", "Invalid command"));
    }

    @Test
    void commandShouldBeRejectedWhenNotValidInTheState() {
        assertThat(decode("a SELECT INBOX\r\nb ENABLE UTF8=ACCEPT\r\n").messages()).containsExactly(
                error("a", "SELECT not allowed now"), error("b", "ENABLE not allowed now"));
        Outcome authenticated = decode(ImapState.AUTHENTICATED,
                "a LOGIN u p\r\nb NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(authenticated.messages()).containsExactly(error("a", "LOGIN not allowed now"),
                new ImapCommand("b", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
    }

    @Test
    void syncLiteralShouldNotBeAcceptedWhenTheCommandIsAlreadyInvalid() {
        Outcome o = decode("a SELECT {5}\r\nb FOO {3}\r\nc NOOP {3}\r\nd LOGIN a b {3}\r\ne LOGIN (x) {3}\r\n");
        assertThat(o.written()).isEmpty();
        assertThat(o.messages()).containsExactly(error("a", "SELECT not allowed now"), error("b", "Unknown command"),
                error("c", "Unexpected arguments"), error("d", "Unexpected space"), error("e", "Invalid arguments"));
    }

    @Test
    void nonSyncLiteralOfInvalidCommandShouldBeSkippedAndAnsweredOnce() {
        // If the literal were parsed, "c LOGOUT" would show up as a second message.
        Outcome o = decode("a03 FOOBAR {10+}\r\nc LOGOUT\r\n\r\nd NOOP\r\n");
        assertThat(o.written()).isEmpty();
        assertThat(o.messages()).containsExactly(error("a03", "Unknown command"),
                new ImapCommand("d", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
    }

    @Test
    void laterSyncLiteralOfCommandAlreadyInvalidShouldEndItAtOnce() {
        Outcome o = decode("a FOO {3+}\r\nabc {3}\r\nb NOOP\r\n");
        assertThat(o.written()).isEmpty();
        assertThat(o.messages()).containsExactly(error("a", "Unknown command"),
                new ImapCommand("b", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
    }

    @Test
    void loginShouldBeRejectedWhenArgumentsAreMissingOrExtra() {
        assertThat(decode("a LOGIN alice\r\nb LOGIN\r\nc LOGIN a b c\r\nd LOGIN  a b\r\n").messages()).containsExactly(
                error("a", "Missing arguments"), error("b", "Missing arguments"),
                error("c", "Unexpected space"), error("d", "Unexpected space"));
    }

    @Test
    void noArgumentCommandsShouldRejectArguments() {
        assertThat(decode("a CAPABILITY x\r\nb NOOP \r\nc LOGOUT\r\n").messages()).containsExactly(
                error("a", "Unexpected arguments"), error("b", "Unexpected arguments"),
                new ImapCommand("c", ImapCommandType.LOGOUT, ImapArguments.None.INSTANCE));
    }

    @Test
    void authenticateShouldCarryMechanismAndInitialResponse() {
        assertThat(decode("a authenticate plain\r\nb AUTHENTICATE PLAIN AGEAYg==\r\nc AUTHENTICATE LOGIN =\r\n"
                + "d AUTHENTICATE\r\ne AUTHENTICATE PLAIN {4}\r\n").messages()).containsExactly(
                new ImapCommand("a", ImapCommandType.AUTHENTICATE, new ImapArguments.Authenticate("PLAIN", null)),
                new ImapCommand("b", ImapCommandType.AUTHENTICATE, new ImapArguments.Authenticate("PLAIN", "AGEAYg==")),
                new ImapCommand("c", ImapCommandType.AUTHENTICATE, new ImapArguments.Authenticate("LOGIN", "=")),
                error("d", "Missing arguments"), error("e", "Unexpected literal"));
    }

    @Test
    void idShouldParseNilAndParameterLists() {
        Outcome o = decode("a ID NIL\r\nb ID (\"name\" \"Mail\" \"version\" NIL)\r\nc ID ({4}\r\nname {2+}\r\nv1)\r\nd ID ()\r\n");
        assertThat(o.written()).isEqualTo("+ OK\r\n");
        assertThat(o.messages()).containsExactly(
                new ImapCommand("a", ImapCommandType.ID, new ImapArguments.Id(ImapClientId.NIL)),
                new ImapCommand("b", ImapCommandType.ID, new ImapArguments.Id(new ImapClientId(List.of(
                        new ImapClientId.Field("name", "Mail"), new ImapClientId.Field("version", null))))),
                new ImapCommand("c", ImapCommandType.ID, new ImapArguments.Id(new ImapClientId(List.of(
                        new ImapClientId.Field("name", "v1"))))),
                new ImapCommand("d", ImapCommandType.ID, new ImapArguments.Id(ImapClientId.NIL)));
    }

    @Test
    void idShouldRejectMalformedParameterLists() {
        assertThat(decode("a ID\r\nb ID (\"name\")\r\nc ID (name \"x\")\r\nd ID (\"n\" \"v\"\r\ne ID FOO\r\n"
                + "f ID (\"" + "n".repeat(31) + "\" NIL)\r\n").messages()).containsExactly(
                error("a", "Missing arguments"), error("b", "Invalid arguments"), error("c", "Invalid arguments"),
                error("d", "Missing arguments"), error("e", "Invalid arguments"),
                error("f", "ID parameters exceed RFC 2971 limits"));
    }

    @Test
    void continuationLineShouldBeRawWhenTheSessionAsksForIt() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ImapCommandDecoder decoder = new ImapCommandDecoder(MAX, () -> ImapState.NOT_AUTHENTICATED);
        ch.pipeline().addLast(decoder);
        SplitFeeder.feed(ch, "a NOOP\r\n");
        decoder.expectContinuationLine();
        SplitFeeder.feed(ch, "b LOGOUT {5}\r\nc NOOP\r\n");
        decoder.expectContinuationLine();
        SplitFeeder.feed(ch, "AGEAYg==\n");
        assertThat((Object) ch.readInbound()).isEqualTo(new ImapCommand("a", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
        assertThat((Object) ch.readInbound()).isEqualTo(new ImapContinuationLine("b LOGOUT {5}"));
        assertThat((Object) ch.readInbound()).isEqualTo(new ImapCommand("c", ImapCommandType.NOOP, ImapArguments.None.INSTANCE));
        assertThat((Object) ch.readInbound()).isEqualTo(error(null, "Line must end with CRLF"));
        assertThat(SplitFeeder.drainOutbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void literalMarkerShouldBeFoundOnlyAtTheLineEnd() {
        assertThat(ImapCommandDecoder.literalMarker(bytes("a {12}"))).isEqualTo(2);
        assertThat(ImapCommandDecoder.literalMarker(bytes("a {12+}"))).isEqualTo(2);
        assertThat(ImapCommandDecoder.literalMarker(bytes("{0}"))).isEqualTo(0);
        assertThat(ImapCommandDecoder.literalMarker(bytes("a {12} "))).isEqualTo(-1);
        assertThat(ImapCommandDecoder.literalMarker(bytes("a {+}"))).isEqualTo(-1);
        assertThat(ImapCommandDecoder.literalMarker(bytes("a {1++}"))).isEqualTo(-1);
        assertThat(ImapCommandDecoder.literalMarker(bytes("a 12}"))).isEqualTo(-1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = Arrays.copyOf(parts[0], n);
        int at = parts[0].length;
        for (int i = 1; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }
}
