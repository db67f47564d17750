package io.mailproxy.protocols.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailproxy.protocols.sasl.Sasl;
import io.mailproxy.protocols.sasl.SaslCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzzes SASL decoding: any text is either decoded or refused with {@link Sasl.SaslException}
 * (nothing else is thrown); what PLAIN decodes has a user, no NUL in the user or password, and
 * encodes back to the same bytes; a LOGIN response never holds a NUL.
 */
class SaslFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void saslDecoding(FuzzedDataProvider data) {
        boolean raw = data.consumeBoolean();
        String text = raw ? data.consumeRemainingAsAsciiString()
                : Base64.getEncoder().encodeToString(data.consumeRemainingAsBytes());

        try {
            SaslCredentials c = Sasl.decodePlain(text);
            assertThat(c.user()).isNotEmpty().doesNotContain("\0");
            assertThat(c.password()).doesNotContain("\0");
            assertThat(c.authzid()).doesNotContain("\0");
            byte[] again = (c.authzid() + "\0" + c.user() + "\0" + c.password()).getBytes(StandardCharsets.UTF_8);
            assertThat(again).isEqualTo(Sasl.decodeBase64(text));
        } catch (Sasl.SaslException expected) {
            // refused: the front-end answers -ERR / BAD
        }
        try {
            assertThat(Sasl.decodeLoginResponse(text)).doesNotContain("\0");
        } catch (Sasl.SaslException expected) {
            // refused
        }
    }
}
