package io.mailproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.proxy.ConnectionCounter.Admission;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectionCounterTest {
    private static final InetAddress A = address("192.0.2.1");
    private static final InetAddress B = address("192.0.2.2");

    @Test
    void tryAcquireShouldRefuseWhenTotalLimitReached() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(2, 0));

        assertThat(c.tryAcquire(A)).isEqualTo(Admission.ADMITTED);
        assertThat(c.tryAcquire(B)).isEqualTo(Admission.ADMITTED);
        assertThat(c.tryAcquire(A)).isEqualTo(Admission.TOO_MANY);
        assertThat(c.tryAcquire(null)).isEqualTo(Admission.TOO_MANY);
        assertThat(c.total()).isEqualTo(2);
    }

    @Test
    void tryAcquireShouldAdmitAgainWhenConnectionReleased() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(1, 0));
        c.tryAcquire(A);

        c.release(A);

        assertThat(c.tryAcquire(B)).isEqualTo(Admission.ADMITTED);
        assertThat(c.total()).isEqualTo(1);
    }

    @Test
    void tryAcquireShouldRefuseOnlyThatAddressWhenPerIpLimitReached() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(0, 2));

        assertThat(c.tryAcquire(A)).isEqualTo(Admission.ADMITTED);
        assertThat(c.tryAcquire(A)).isEqualTo(Admission.ADMITTED);
        assertThat(c.tryAcquire(A)).isEqualTo(Admission.TOO_MANY_FROM_IP);
        assertThat(c.tryAcquire(B)).isEqualTo(Admission.ADMITTED);
        assertThat(c.fromIp(A)).isEqualTo(2);
        assertThat(c.total()).isEqualTo(3);
    }

    @Test
    void releaseShouldForgetAddressWhenItsLastConnectionCloses() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(0, 5));
        c.tryAcquire(A);
        c.tryAcquire(A);
        c.tryAcquire(B);

        c.release(A);
        c.release(A);

        assertThat(c.trackedAddresses()).isEqualTo(1);
        assertThat(c.fromIp(A)).isZero();
        assertThat(c.total()).isEqualTo(1);
    }

    @Test
    void tryAcquireShouldCountMappedIpv6AsIpv4WhenSameClient() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(0, 1));
        c.tryAcquire(A);

        assertThat(c.tryAcquire(address("::ffff:192.0.2.1"))).isEqualTo(Admission.TOO_MANY_FROM_IP);
        assertThat(c.tryAcquire(address("2001:db8::1"))).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void tryAcquireShouldApplyOnlyTotalWhenClientHasNoAddress() {
        ConnectionCounter c = new ConnectionCounter(new ConnectionLimits(3, 1));

        assertThat(c.tryAcquire(null)).isEqualTo(Admission.ADMITTED);
        assertThat(c.tryAcquire(null)).isEqualTo(Admission.ADMITTED);
        assertThat(c.trackedAddresses()).isZero();
    }

    @Test
    void tryAcquireShouldNeverRefuseWhenUnlimited() {
        ConnectionCounter c = new ConnectionCounter(ConnectionLimits.NONE);
        for (int i = 0; i < 1000; i++) {
            assertThat(c.tryAcquire(A)).isEqualTo(Admission.ADMITTED);
        }
        assertThat(c.total()).isEqualTo(1000);
    }

    @Test
    void limitsShouldRejectNegativeValues() {
        assertThatThrownBy(() -> new ConnectionLimits(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionLimits(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
