package io.mailproxy.protocols.imap;

import io.mailproxy.protocols.testsupport.SplitFeeder;
import io.mailproxy.protocols.testsupport.SplitFeeder.Chunking;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SplitFeeder#chunkings} for IMAP tests, thinned for long inputs: every split of inputs up to
 * {@value #ALL_SPLITS_UP_TO} bytes; beyond that (the 8 KiB limit tests) the splits near the start,
 * the end, every line end and brace, and every 61st offset, plus whole and byte by byte.
 */
final class ImapSplits {
    static final int ALL_SPLITS_UP_TO = 600;

    private ImapSplits() {
    }

    static List<Chunking> chunkings(byte[] input) {
        List<Chunking> all = SplitFeeder.chunkings(input);
        if (input.length <= ALL_SPLITS_UP_TO) {
            return all;
        }
        List<Chunking> kept = new ArrayList<>();
        for (Chunking c : all) {
            if (c.chunks().size() != 2 || interesting(input, c.chunks().get(0).length)) {
                kept.add(c);
            }
        }
        return kept;
    }

    static List<Chunking> chunkings(String iso88591) {
        return chunkings(iso88591.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean interesting(byte[] input, int offset) {
        if (offset < 40 || offset > input.length - 40 || offset % 61 == 0) {
            return true;
        }
        for (int i = Math.max(0, offset - 3); i < Math.min(input.length, offset + 3); i++) {
            if (input[i] == '\n' || input[i] == '{' || input[i] == '}') {
                return true;
            }
        }
        return false;
    }
}
