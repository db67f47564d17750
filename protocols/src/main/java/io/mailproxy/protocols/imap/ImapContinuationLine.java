package io.mailproxy.protocols.imap;

/**
 * A raw line the client sent in answer to a {@code +} continuation request of an
 * {@code AUTHENTICATE} exchange (see {@link ImapCommandDecoder#expectContinuationLine()}), without
 * its CRLF; ISO-8859-1, one char per byte. Not a command. May hold credentials, so
 * {@code toString} does not show it.
 */
public record ImapContinuationLine(String text) {
    @Override
    public String toString() {
        return "ImapContinuationLine[" + text.length() + " chars]";
    }
}
