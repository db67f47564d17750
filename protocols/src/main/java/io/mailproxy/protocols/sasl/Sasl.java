package io.mailproxy.protocols.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * SASL PLAIN (RFC 4616) and LOGIN decoding for the front-ends. Base64 is decoded strictly
 * (RFC 4648 alphabet, padding as required); text must be valid UTF-8.
 */
public final class Sasl {
    /** The client's {@code *} line: cancel the exchange (RFC 4954, 5034, 3501). */
    public static final String CANCEL = "*";
    /** {@code Username:} as LOGIN asks for it. */
    public static final String LOGIN_USER_PROMPT = "VXNlcm5hbWU6";
    /** {@code Password:} as LOGIN asks for it. */
    public static final String LOGIN_PASSWORD_PROMPT = "UGFzc3dvcmQ6";

    private Sasl() {
    }

    /**
     * Decodes a PLAIN initial response {@code base64(authzid NUL authcid NUL passwd)}. An empty
     * response ({@code =}) or anything malformed throws.
     */
    public static SaslCredentials decodePlain(String base64) throws SaslException {
        byte[] raw = decodeBase64(base64);
        int first = indexOf(raw, 0);
        int second = first < 0 ? -1 : indexOf(raw, first + 1);
        if (first < 0 || second < 0 || indexOf(raw, second + 1) >= 0) {
            throw new SaslException("PLAIN response must be authzid NUL user NUL password");
        }
        String authzid = utf8(raw, 0, first);
        String user = utf8(raw, first + 1, second);
        String password = utf8(raw, second + 1, raw.length);
        if (user.isEmpty()) {
            throw new SaslException("empty user name");
        }
        return new SaslCredentials(authzid, user, password);
    }

    /** Decodes one LOGIN response (user name or password): base64 of UTF-8 text without NUL. */
    public static String decodeLoginResponse(String base64) throws SaslException {
        byte[] raw = decodeBase64(base64);
        if (indexOf(raw, 0) >= 0) {
            throw new SaslException("NUL in LOGIN response");
        }
        return utf8(raw, 0, raw.length);
    }

    /** Strict base64: {@code =} alone means empty (RFC 4954). */
    public static byte[] decodeBase64(String base64) throws SaslException {
        String s = base64.trim();
        if (s.equals("=")) {
            return new byte[0];
        }
        if (s.isEmpty() || s.length() % 4 != 0) {
            throw new SaslException("invalid base64");
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new SaslException("invalid base64");
        }
    }

    public static String encodeBase64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] raw, int from, int to) throws SaslException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SaslException("not UTF-8");
        }
    }

    /** A malformed SASL response. Stack-less: it is answered, not logged. */
    public static final class SaslException extends Exception {
        public SaslException(String message) {
            super(message, null, false, false);
        }
    }
}
