package io.mailproxy.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void ipv4NetworkShouldContainOnlyItsAddressesWhenMatched() throws Exception {
        Cidr net = Cidr.parse("192.168.16.0/20");

        assertThat(net.contains(ip("192.168.16.0"))).isTrue();
        assertThat(net.contains(ip("192.168.31.255"))).isTrue();
        assertThat(net.contains(ip("192.168.32.0"))).isFalse();
        assertThat(net.contains(ip("192.168.15.255"))).isFalse();
    }

    @Test
    void ipv6NetworkShouldContainOnlyItsAddressesWhenMatched() throws Exception {
        Cidr net = Cidr.parse("2001:db8:abcd:12::/62");

        assertThat(net.contains(ip("2001:db8:abcd:13:ffff::1"))).isTrue();
        assertThat(net.contains(ip("2001:db8:abcd:14::1"))).isFalse();
        assertThat(net.isIpv6()).isTrue();
    }

    @Test
    void bareAddressShouldBeASingleHostWhenNoPrefixIsGiven() throws Exception {
        Cidr v4 = Cidr.parse("203.0.113.5");
        Cidr v6 = Cidr.parse("::1");

        assertThat(v4.prefixLength()).isEqualTo(32);
        assertThat(v6.prefixLength()).isEqualTo(128);
        assertThat(v4.contains(ip("203.0.113.5"))).isTrue();
        assertThat(v4.contains(ip("203.0.113.6"))).isFalse();
        assertThat(v6.contains(ip("::1"))).isTrue();
        assertThat(v6.contains(ip("::2"))).isFalse();
    }

    @Test
    void hostBitsShouldBeClearedWhenPrefixIsShorterThanTheAddress() {
        assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8").isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("2001:db8::1/32")).isEqualTo(Cidr.parse("2001:db8::/32"));
    }

    @Test
    void networkShouldNotMatchWhenAddressIsOfTheOtherFamily() throws Exception {
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(ip("192.0.2.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("192.0.2.1"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(null)).isFalse();
    }

    @Test
    void ipv4NetworkShouldMatchWhenAddressIsIpv4MappedIpv6() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 9, 8, 7};

        assertThat(Cidr.parse("10.0.0.0/8").contains(Inet6Address.getByAddress(null, mapped, -1))).isTrue();
    }

    @Test
    void listShouldParseEveryEntryWhenSeparatedByCommasAndBlanks() {
        List<Cidr> list = Cidr.parseList(" 10.0.0.0/8 ,2001:db8::/32,192.0.2.1 ");

        assertThat(list).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"),
                Cidr.parse("192.0.2.1/32"));
        assertThat(Cidr.parseList("  ")).isEmpty();
    }

    @Test
    void listShouldBeRefusedWhenAnEntryIsEmpty() {
        assertThatThrownBy(() -> Cidr.parseList("10.0.0.0/8,,192.0.2.0/24"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty entry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.256/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "1.2.3", "01.2.3.4",
            "2001:db8::/129", "2001:db8:::1/64", "fe80::1%eth0", "mail.example.com", "localhost", "10.0.0.0/8/8",
            "1.2.3.4/1000"})
    void parseShouldThrowIllegalArgumentWhenSpecIsNotANetwork(String spec) {
        assertThatThrownBy(() -> Cidr.parse(spec))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("network '" + spec + "'");
    }
}
