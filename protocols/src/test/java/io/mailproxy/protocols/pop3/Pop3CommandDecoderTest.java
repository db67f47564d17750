package io.mailproxy.protocols.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import io.mailproxy.protocols.testsupport.TrackingAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Pop3CommandDecoderTest {

    private static final int MAX = 64;

    private final TrackingAllocator alloc = new TrackingAllocator();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new Pop3CommandDecoder(MAX));
        return ch;
    }

    private List<Pop3Request> decode(Chunking chunking) {
        EmbeddedChannel ch = channel();
        SplitFeeder.feed(ch, chunking);
        List<Pop3Request> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((Pop3Request) o);
        }
        ch.checkException();
        assertThat(ch.finishAndReleaseAll()).isFalse();
        alloc.assertAllReleased();
        return out;
    }

    /** Decodes {@code input} fed whole, split at every offset and byte by byte; all must agree. */
    private List<Pop3Request> decodeEveryWay(byte[] input) {
        List<Pop3Request> first = null;
        for (Chunking c : SplitFeeder.chunkings(input)) {
            List<Pop3Request> got = decode(c);
            if (first == null) {
                first = got;
            } else {
                assertThat(got).as(c.name()).isEqualTo(first);
            }
        }
        return first;
    }

    private List<Pop3Request> decodeEveryWay(String ascii) {
        return decodeEveryWay(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decoderShouldYieldOneRequestPerCrlfLineWhenFedInAnyChunks() {
        List<Pop3Request> got = decodeEveryWay("CAPA\r\nuser alice\r\nPASS  my  secret \r\nAUTH PLAIN  AGEAYg==\r\n\r\n");

        assertThat(got).hasSize(5);
        assertThat(got.get(0)).isEqualTo(new Pop3Request("CAPA", "CAPA", Pop3Command.CAPA, null, null));
        assertThat(got.get(1)).isEqualTo(new Pop3Request("user alice", "user", Pop3Command.USER, "alice", null));
        // spaces after the keyword are skipped; the rest of the line is the argument, verbatim
        assertThat(got.get(2).command()).isEqualTo(Pop3Command.PASS);
        assertThat(got.get(2).argument()).isEqualTo("my  secret ");
        assertThat(got.get(3).arguments()).containsExactly("PLAIN", "AGEAYg==");
        assertThat(got.get(4)).isEqualTo(new Pop3Request("", "", null, null, null));
    }

    @Test
    void decoderShouldReportBareLfWhenLineLacksCr() {
        List<Pop3Request> got = decodeEveryWay("NOOP\nNOOP\r\n");

        assertThat(got).extracting(Pop3Request::problem).containsExactly(Pop3Request.Problem.BARE_LF, null);
        assertThat(got.get(1).command()).isEqualTo(Pop3Command.NOOP);
    }

    @Test
    void decoderShouldReportNulWhenLineHoldsNulByte() {
        List<Pop3Request> got = decodeEveryWay("USER a\0b\r\nQUIT\r\n");

        assertThat(got).extracting(Pop3Request::problem).containsExactly(Pop3Request.Problem.NUL, null);
    }

    @Test
    void decoderShouldAcceptUtf8AndReportInvalidUtf8() {
        byte[] good = "USER j\u00fcrgen\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(decodeEveryWay(good).get(0).argument()).isEqualTo("j\u00fcrgen");

        byte[] bad = "USER j\u00fcrgen\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(decodeEveryWay(bad)).extracting(Pop3Request::problem).containsExactly(Pop3Request.Problem.NOT_UTF8);
    }

    @Test
    void decoderShouldAcceptLineOfExactlyMaxLengthWhenCrlfIncluded() {
        String arg = "a".repeat(MAX - "USER \r\n".length());
        List<Pop3Request> got = decodeEveryWay("USER " + arg + "\r\n");

        assertThat(got).singleElement().extracting(Pop3Request::argument).isEqualTo(arg);
    }

    @Test
    void decoderShouldRaiseTooLongFrameWhenLineExceedsMax() {
        String line = "USER " + "a".repeat(MAX - "USER \r\n".length() + 1) + "\r\n";
        for (Chunking c : SplitFeeder.chunkings(line)) {
            EmbeddedChannel ch = channel();
            assertThatThrownBy(() -> {
                SplitFeeder.feed(ch, c);
                ch.checkException();
            }).as(c.name()).isInstanceOf(TooLongFrameException.class);
            assertThat((Object) ch.readInbound()).as(c.name()).isNull();
            ch.finishAndReleaseAll();
            alloc.assertAllReleased();
        }
    }

    @Test
    void decoderShouldRaiseTooLongFrameWhenNoLineEndArrivesWithinMax() {
        EmbeddedChannel ch = channel();
        SplitFeeder.feed(ch, "X".repeat(MAX - 1));
        ch.checkException();
        assertThatThrownBy(() -> {
            SplitFeeder.feed(ch, "X");
            ch.checkException();
        }).isInstanceOf(TooLongFrameException.class);
        ch.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    @Test
    void requestToStringShouldNeverShowArgument() {
        Pop3Request pass = Pop3Request.parse("PASS hunter2");

        assertThat(pass.toString()).doesNotContain("hunter2").contains("PASS");
    }

    @Test
    void lookupShouldBeCaseInsensitiveAndRejectUnknownKeywords() {
        assertThat(Pop3Command.lookup("cApA")).isEqualTo(Pop3Command.CAPA);
        assertThat(Pop3Command.lookup("CAPAB")).isNull();
        assertThat(Pop3Command.lookup("XYZ")).isNull();
        assertThat(Pop3Command.lookup("")).isNull();
    }
}
