package io.mailproxy.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CredentialDigesterTest {

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void digestShouldBeStableAndFreeOfThePasswordWhenComputedTwice() {
        CredentialDigester d = new CredentialDigester(key(1));

        String a = d.credentialKey("alice", "hunter2-secret");

        assertThat(a).isEqualTo(d.credentialKey("alice", "hunter2-secret"))
                .doesNotContain("hunter2").doesNotContain("alice").hasSize(22);
    }

    @Test
    void digestShouldDifferWhenPasswordUserOrKeyDiffers() {
        CredentialDigester d = new CredentialDigester(key(1));
        String base = d.credentialKey("alice", "pw");

        assertThat(d.credentialKey("alice", "pw2")).isNotEqualTo(base);
        assertThat(d.credentialKey("bob", "pw")).isNotEqualTo(base);
        assertThat(new CredentialDigester(key(2)).credentialKey("alice", "pw")).isNotEqualTo(base);
        assertThat(CredentialDigester.withRandomKey().credentialKey("alice", "pw"))
                .isNotEqualTo(CredentialDigester.withRandomKey().credentialKey("alice", "pw"));
    }

    @Test
    void digestShouldDifferWhenTheBoundaryBetweenUserAndPasswordMoves() {
        CredentialDigester d = new CredentialDigester(key(1));

        assertThat(d.credentialKey("ab", "c")).isNotEqualTo(d.credentialKey("a", "bc"));
    }

    @Test
    void userKeyShouldIgnoreCaseAndBlanksButNotCollideWithCredentialKeyWhenComputed() {
        CredentialDigester d = new CredentialDigester(key(1));

        assertThat(d.userKey(" Alice ")).isEqualTo(d.userKey("alice"));
        assertThat(d.userKey("alice")).isNotEqualTo(d.userKey("alicia"));
        assertThat(d.userKey("alice")).isNotEqualTo(d.credentialKey("alice", ""));
    }

    @Test
    void constructionShouldFailWhenKeyIsTooShort() {
        assertThatThrownBy(() -> new CredentialDigester(new byte[8])).isInstanceOf(IllegalArgumentException.class);
    }
}
