package io.mailproxy.auth.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known vectors. The crypt(3) ones were made with glibc/libxcrypt on Debian 12
 * ({@code python3 -c 'import crypt; print(crypt.crypt(PW, SALT))'}, which calls libcrypt, and the
 * MD5/SHA ones cross-checked with {@code openssl passwd -1/-5/-6 -salt SALT PW}); the Argon2 ones
 * with the reference implementation's CLI ({@code echo -n PW | argon2 SALT -id -t T -m LOG2M -p P -e},
 * Debian package argon2).
 */
class PasswordSchemesTest {

    static Stream<Arguments> knownVectors() {
        return Stream.of(
                // scheme id, password, stored
                Arguments.of("des-crypt", "secret", "abNANd1rDfiNc"),
                Arguments.of("des-crypt", "password123", "ZziFATVXHo2.6"),
                Arguments.of("des-crypt", "longerthan8chars", "x.GzNStTs1.KI"),
                Arguments.of("md5-crypt", "secret", "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"),
                Arguments.of("md5-crypt", "secret", "$1$ab$dslkcXxVH.x8LwW1W/oAB/"),
                Arguments.of("md5-crypt", "pässwörd", "$1$utf8$VxRbQEkBIS92Qn9TyaXrE1"),
                Arguments.of("sha256-crypt", "secret", "$5$saltstring$C3o4O1TC6aRHF4FI.QSZMXtHbaj2gSXr4sUc/3NcUi."),
                Arguments.of("sha256-crypt", "secret",
                        "$5$rounds=10000$saltstring$Xu/H4oie/4H3iXm4Vw/vuJU.61Dbtiq.KxS0W5DDch3"),
                Arguments.of("sha256-crypt", "pässwörd",
                        "$5$rounds=1000$0123456789abcdef$4vuJZ0lcYgRTIif37r1ex8M43jphPo9g2xZanB7Fgl2"),
                Arguments.of("sha512-crypt", "secret", "$6$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19"
                        + "DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz."),
                Arguments.of("sha512-crypt", "secret", "$6$rounds=5000$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6e"
                        + "YrjCG9ibix19DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz."),
                Arguments.of("sha512-crypt", "secret", "$6$rounds=1000$abcdefgh$nhYjN017qxiYztzyUpZtPnUQcnLy62KsunSLHN"
                        + "eLahp2EHPlAKmFFlrjEwSXGo2kgY5hR2.peKEg2VGUqIJJu1"),
                Arguments.of("sha512-crypt", "pässwörd", "$6$utf8salt$Nf6juS0Q3mv0f53eB4BVd6Njt8ABkI/Nw9Yqy9ZA65U6sGRcr2"
                        + "ajrL8Kwlq2SfdEvHi3Rhn/AVzWRrTM5gRn80"),
                Arguments.of("sha512-crypt", "", "$6$emptysalt$TrI.h19YNad.S.Xw2WEgON9ojBrkXYcCfZrEcOEa9k/Bp5Sw4dxhsyY0"
                        + "KdBJ5Vt2UbEFOMolXqrfnZHc1QRM.."),
                Arguments.of("bcrypt", "secret", "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"),
                Arguments.of("bcrypt", "secret", "$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"),
                Arguments.of("bcrypt", "secret", "$2a$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"),
                Arguments.of("bcrypt", "pässwörd", "$2b$06$0123456789ABCDEFGHIJKu4I9nw.scBXL1b6MdO2RMJFUPlOexntK"),
                Arguments.of("bcrypt", "correct horse", "$2y$10$zyxwvutsrqponmlkjihgfeuaBNgECvMzIh3Z01odV4WoKJrs/zJSy"),
                // 80 bytes: bcrypt only reads 72, libxcrypt gives the same hash for "a" x 72
                Arguments.of("bcrypt", "a".repeat(80), "$2b$04$abcdefghijklmnopqrstuuBzzIgyKkz7xMWYSzkIjUSnxEQFQ0WNe"),
                Arguments.of("bcrypt", "a".repeat(72), "$2b$04$abcdefghijklmnopqrstuuBzzIgyKkz7xMWYSzkIjUSnxEQFQ0WNe"),
                Arguments.of("argon2id", "secret",
                        "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU"),
                Arguments.of("argon2id", "pässwörd",
                        "$argon2id$v=19$m=4096,t=3,p=2$c2FsdHlzYWx0eXNhbHQ$mSVj3oQ2z0bhxzAJUF/OrmglmdJTQOoDuZ7gmOPUeIQ"),
                Arguments.of("argon2id", "password",
                        "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"),
                Arguments.of("argon2i", "secret",
                        "$argon2i$v=19$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$144IIHw5DOjvRyQbxULQnWRWjXzW1i6o8QEA2d2XqIk"));
    }

    @ParameterizedTest(name = "[{index}] {0} {2}")
    @MethodSource("knownVectors")
    void checkShouldMatchWhenPasswordIsTheOneTheVectorWasMadeWith(String scheme, String password, String stored) {
        assertThat(PasswordSchemes.check(password, stored)).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.verify(password, stored)).isTrue();
        assertThat(PasswordSchemes.identify(stored)).contains(scheme);
    }

    @ParameterizedTest(name = "[{index}] {0} {2}")
    @MethodSource("knownVectors")
    void checkShouldMismatchWhenPasswordIsWrong(String scheme, String password, String stored) {
        assertThat(PasswordSchemes.check(password + "x", stored))
                .as("a longer password").isEqualTo(scheme.equals("des-crypt") && password.length() >= 8
                        || scheme.equals("bcrypt") && password.length() >= 72
                        ? Verification.MATCH // DES reads 8 bytes, bcrypt 72: the rest never counted
                        : Verification.MISMATCH);
        assertThat(PasswordSchemes.check("Secret", stored)).isEqualTo(Verification.MISMATCH);
        assertThat(PasswordSchemes.check(password.isEmpty() ? "x" : "X" + password.substring(1), stored))
                .as("first character changed").isEqualTo(Verification.MISMATCH);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("knownVectors")
    void checkShouldMatchWhenTheVectorIsBehindTheDovecotCryptPrefix(String scheme, String password, String stored) {
        String prefix = switch (scheme) {
            case "des-crypt" -> "{crypt}";
            case "md5-crypt" -> "{MD5-CRYPT}";
            case "sha256-crypt" -> "{SHA256-CRYPT}";
            case "sha512-crypt" -> "{Sha512-Crypt}";
            case "bcrypt" -> "{BLF-CRYPT}";
            case "argon2id" -> "{ARGON2ID}";
            case "argon2i" -> "{argon2i}";
            default -> throw new AssertionError(scheme);
        };
        assertThat(PasswordSchemes.check(password, prefix + stored)).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("!" + password, prefix + stored)).isEqualTo(Verification.MISMATCH);
        assertThat(PasswordSchemes.identify(prefix + stored)).contains(scheme);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "abNANd1rDfiNc",
            "$1$saltsalt$9xy1btjgzLYfb7hivXtC//",
            "$5$saltstring$C3o4O1TC6aRHF4FI.QSZMXtHbaj2gSXr4sUc/3NcUi.",
            "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"})
    void cryptPrefixShouldAcceptEveryCryptFormat(String stored) {
        assertThat(PasswordSchemes.check("secret", "{CRYPT}" + stored)).isEqualTo(Verification.MATCH);
    }

    @Test
    void plainPrefixShouldCompareTheTextWhenCaseOfPrefixVaries() {
        assertThat(PasswordSchemes.check("pässwörd", "{PLAIN}pässwörd")).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("pässwörd", "{plain}pässwörd")).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("secret", "{CLEAR}secret")).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("secret", "{CLEARTEXT}secret")).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("Secret", "{PLAIN}secret")).isEqualTo(Verification.MISMATCH);
        assertThat(PasswordSchemes.check("secret", "{PLAIN}secret ")).isEqualTo(Verification.MISMATCH);
        assertThat(PasswordSchemes.identify("{PLAIN}x")).contains("plain");
    }

    @Test
    void checkShouldRejectPlainTextWhenItHasNoPrefix() {
        assertThat(PasswordSchemes.check("secret", "secret")).isEqualTo(Verification.UNUSABLE);
        // 13 characters of the crypt alphabet look like DES and are checked as DES: no match
        assertThat(PasswordSchemes.check("hunter2hunter", "hunter2hunter")).isEqualTo(Verification.MISMATCH);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            " ",
            "{PLAIN}",                         // empty plain text
            "{SHA512-CRYPT}",                  // prefix alone
            "{NOPE}secret",                    // unknown prefix
            "{PLAIN secret",                   // unterminated prefix
            "{MD5-CRYPT}$6$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz.",
            "{SSHA}xxxxxxxxxxxxxxxx",          // a Dovecot scheme we do not support
            "abNANd1rDfiN",                    // DES, 12 chars
            "abNANd1rDfiN!",                   // DES, bad character
            "$1$saltsalt$9xy1btjgzLYfb7hivXtC/",       // MD5, hash one short
            "$1$saltsaltX$9xy1btjgzLYfb7hivXtC//",     // MD5, salt 9 chars
            "$1$$9xy1btjgzLYfb7hivXtC//",              // MD5, empty salt
            "$5$saltstring$C3o4O1TC6aRHF4FI.QSZMXtHbaj2gSXr4sUc/3NcUi",  // SHA-256, short
            "$6$saltstring$",                          // SHA-512, no hash
            "$6$rounds=abc$saltstring$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz.",
            "$6$salt:string$AIsRs/Ee56G/tC8MEHhvReZTfx8u3rXXMl6eYrjCG9ibix19DxoMBLogdTET5Ukw9Sf7eZTITsuk0Ry5qulYz.",
            "$7$whatever",                             // unknown crypt id
            "$2x$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",  // $2x$ is not supported
            "$2b$03$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",  // cost below 4
            "$2b$5$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",   // one-digit cost
            "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0",   // hash one short
            "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ",           // no hash
            "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$!!!!",      // bad base64
            "$argon2id$v=18$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU",
            "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU",
            "$argon2id$v=19$m=1024,t=0,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU",
            "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU",
            "$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU",  // 4-byte salt
            "$argon2x$v=19$m=1024,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$Wg9nrlI1wIF/dEqE4nMyiXXBJHFgCIKqjy0AFlwnDoU"})
    void checkShouldFailClosedWhenStoredValueIsMissingUnknownOrMalformed(String stored) {
        assertThat(PasswordSchemes.check("secret", stored)).isEqualTo(Verification.UNUSABLE);
        assertThat(PasswordSchemes.check("", stored)).isEqualTo(Verification.UNUSABLE);
        assertThat(PasswordSchemes.verify("secret", stored)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha512-crypt", "sha256-crypt", "md5-crypt", "bcrypt", "argon2id"})
    void hashShouldVerifyWhenWrittenWithEveryWritableScheme(String scheme) {
        String stored = PasswordSchemes.hash(scheme, "Grüße, 世界 🙂");

        assertThat(PasswordSchemes.identify(stored)).contains(scheme);
        assertThat(PasswordSchemes.check("Grüße, 世界 🙂", stored)).isEqualTo(Verification.MATCH);
        assertThat(PasswordSchemes.check("Grüsse, 世界 🙂", stored)).isEqualTo(Verification.MISMATCH);
        assertThat(PasswordSchemes.hash(scheme, "Grüße, 世界 🙂")).as("fresh salt each time").isNotEqualTo(stored);
        assertThat(stored).doesNotContain("Grüße");
    }

    @Test
    void hashShouldWriteTheExpectedFormatsWhenAskedByName() {
        assertThat(PasswordSchemes.hash("secret")).matches("\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}");
        assertThat(PasswordSchemes.hash("SHA256-CRYPT", "secret")).matches("\\$5\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{43}");
        assertThat(PasswordSchemes.hash("md5-crypt", "secret")).matches("\\$1\\$[./0-9A-Za-z]{8}\\$[./0-9A-Za-z]{22}");
        assertThat(PasswordSchemes.hash("bcrypt", "secret")).matches("\\$2b\\$10\\$[./0-9A-Za-z]{53}");
        assertThat(PasswordSchemes.hash("argon2id", "secret"))
                .matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(PasswordSchemes.writableSchemes())
                .containsExactly("sha512-crypt", "sha256-crypt", "md5-crypt", "bcrypt", "argon2id");
        assertThat(PasswordSchemes.DEFAULT_SCHEME).isEqualTo("sha512-crypt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"des-crypt", "plain", "argon2i", "sha1", ""})
    void hashShouldThrowNamingValidSchemesWhenSchemeIsNotWritable(String scheme) {
        assertThatThrownBy(() -> PasswordSchemes.hash(scheme, "secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sha512-crypt, sha256-crypt, md5-crypt, bcrypt, argon2id")
                .hasMessageNotContaining("secret");
    }

    @Test
    void dummyHashShouldBeAWellFormedSha512CryptWithDefaultRounds() {
        assertThat(PasswordSchemes.identify(PasswordSchemes.DUMMY_HASH)).contains("sha512-crypt");
        assertThat(PasswordSchemes.DUMMY_HASH).doesNotContain("rounds=");
        assertThat(PasswordSchemes.check("anything", PasswordSchemes.DUMMY_HASH)).isEqualTo(Verification.MISMATCH);
    }

    @Test
    void identifyShouldBeEmptyWhenValueIsUnrecognised() {
        assertThat(PasswordSchemes.identify(null)).isEmpty();
        assertThat(PasswordSchemes.identify("")).isEmpty();
        assertThat(PasswordSchemes.identify("secret")).isEmpty();
        assertThat(PasswordSchemes.identify("{FOO}bar")).isEmpty();
    }
}
