package io.mailproxy.auth.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.junit.jupiter.api.Test;

class ShaCryptTest {

    private static final String ALPHABET = CryptSupport.ALPHABET;

    @Test
    void sha512ShouldMatchGlibcWhenGivenTheReferenceVectors() {
        // Drepper's specification's vectors (the $5$ ones also checked with glibc's crypt through perl)
        assertThat(ShaCrypt.sha512("Hello world!".getBytes(StandardCharsets.UTF_8), "$6$saltstring"))
                .isEqualTo("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
        assertThat(ShaCrypt.sha512("Hello world!".getBytes(StandardCharsets.UTF_8), "$6$rounds=10000$saltstringsaltstring"))
                .isEqualTo("$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.");
        assertThat(ShaCrypt.sha512("we have a short salt string but not a short password".getBytes(StandardCharsets.UTF_8),
                "$6$rounds=77777$short"))
                .isEqualTo("$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0");
        assertThat(ShaCrypt.sha512("the minimum number is still observed".getBytes(StandardCharsets.UTF_8),
                "$6$rounds=10$roundstoolow"))
                .isEqualTo("$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.");
    }

    @Test
    void sha256ShouldMatchGlibcWhenGivenTheReferenceVectors() {
        assertThat(ShaCrypt.sha256("Hello world!".getBytes(StandardCharsets.UTF_8), "$5$saltstring"))
                .isEqualTo("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5");
        assertThat(ShaCrypt.sha256("Hello world!".getBytes(StandardCharsets.UTF_8), "$5$rounds=10000$saltstringsaltstring"))
                .isEqualTo("$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA");
        assertThat(ShaCrypt.sha256("secret".getBytes(StandardCharsets.UTF_8), "$5$saltstring"))
                .isEqualTo("$5$saltstring$C3o4O1TC6aRHF4FI.QSZMXtHbaj2gSXr4sUc/3NcUi.");
    }

    @Test
    void bothShouldAgreeWithCommonsCodecWhenKeysAndSaltsAreRandom() {
        Random random = new Random(42);
        for (int n = 0; n < 150; n++) {
            byte[] key = new byte[random.nextInt(n % 10 == 0 ? 200 : 40)];
            random.nextBytes(key);
            StringBuilder salt = new StringBuilder();
            int saltLength = 1 + random.nextInt(20); // beyond 16 is cut
            for (int i = 0; i < saltLength; i++) {
                salt.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String rounds = n % 5 == 0 ? "rounds=" + (900 + random.nextInt(300)) + "$" : "";

            assertThat(ShaCrypt.sha512(key, "$6$" + rounds + salt))
                    .as("key %d bytes, salt %s %s", key.length, rounds, salt)
                    .isEqualTo(Sha2Crypt.sha512Crypt(key, "$6$" + rounds + salt));
            assertThat(ShaCrypt.sha256(key, "$5$" + rounds + salt))
                    .as("key %d bytes, salt %s %s", key.length, rounds, salt)
                    .isEqualTo(Sha2Crypt.sha256Crypt(key, "$5$" + rounds + salt));
        }
    }

    @Test
    void settingMayBeAWholeStoredHashWhenVerifying() {
        String stored = ShaCrypt.sha512("secret".getBytes(StandardCharsets.UTF_8), "$6$abcdefgh");

        assertThat(ShaCrypt.sha512("secret".getBytes(StandardCharsets.UTF_8), stored)).isEqualTo(stored);
        assertThat(ShaCrypt.sha512("Secret".getBytes(StandardCharsets.UTF_8), stored)).isNotEqualTo(stored);
    }
}
