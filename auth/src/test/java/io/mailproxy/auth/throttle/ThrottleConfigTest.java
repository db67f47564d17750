package io.mailproxy.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ThrottleConfigTest {

    @Test
    void defaultsShouldMatchDovecotLikeValuesWhenNothingIsSet() {
        ThrottleConfig c = ThrottleConfig.defaults();

        assertThat(c.enabled()).isTrue();
        assertThat(c.baseDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.maxDelay()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.maxFailuresPerIp()).isZero();
        assertThat(c.maxFailuresPerUser()).isZero();
        assertThat(c.window()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.trustedNetworks()).isEmpty();
        assertThat(c.maxEntries()).isEqualTo(100_000);
        assertThat(ThrottleConfig.disabled().enabled()).isFalse();
    }

    @Test
    void delayAfterShouldDoubleUpToTheCapWhenFailuresGrow() {
        ThrottleConfig c = ThrottleConfig.defaults();

        List<Long> seconds = IntStream.rangeClosed(0, 6).mapToObj(n -> c.delayAfter(n).toSeconds()).toList();

        assertThat(seconds).containsExactly(2L, 2L, 4L, 8L, 15L, 15L, 15L);
        assertThat(c.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void delayAfterShouldBeZeroWhenBaseDelayIsZero() {
        assertThat(ThrottleConfig.defaults().withDelays(Duration.ZERO, Duration.ZERO).delayAfter(5))
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void constructionShouldFailWhenValuesAreOutOfRange() {
        ThrottleConfig c = ThrottleConfig.defaults();

        assertThatThrownBy(() -> c.withDelays(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withDelays(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxFailuresPerIp(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxFailuresPerUser(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxEntries(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isTrustedShouldMatchAnyListedNetworkWhenTrustedNetworksAreSet() throws Exception {
        ThrottleConfig c = ThrottleConfig.defaults().withTrustedNetworks("10.0.0.0/8,2001:db8::/32");

        assertThat(c.isTrusted(java.net.InetAddress.getByName("10.200.0.1"))).isTrue();
        assertThat(c.isTrusted(java.net.InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(c.isTrusted(java.net.InetAddress.getByName("11.0.0.1"))).isFalse();
    }
}
