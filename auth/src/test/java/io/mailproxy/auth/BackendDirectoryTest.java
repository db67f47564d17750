package io.mailproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.auth.BackendDirectory.HostSpec;
import io.mailproxy.auth.BackendDirectory.Mapping;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackendDirectoryTest {

    private final BackendDirectory seed = BackendDirectory.builder()
            .map("mailhost01", "192.168.1.22")
            .map("mailhost02=192.168.1.33")
            .build();

    @Test
    void routeShouldMapNameAndProtocolPortWhenConfiguredLikeTheSeed() {
        assertThat(seed.route("mailhost01", Protocol.IMAP)).isEqualTo(BackendRoute.of("192.168.1.22", 143));
        assertThat(seed.route("mailhost01", Protocol.POP3)).isEqualTo(BackendRoute.of("192.168.1.22", 110));
        assertThat(seed.route("mailhost02", Protocol.POP3)).isEqualTo(BackendRoute.of("192.168.1.33", 110));
    }

    @Test
    void routeShouldMatchNameIgnoringCaseAndBlanksWhenDatabaseValueDiffers() {
        assertThat(seed.route(" MailHost01 ", Protocol.IMAP)).isEqualTo(BackendRoute.of("192.168.1.22", 143));
    }

    @Test
    void routeShouldKeepHostsInOrderWhenNameHasSeveral() {
        BackendDirectory dir = BackendDirectory.builder().map("mailhost01=10.0.0.1,10.0.0.2:1143, backup.example").build();

        assertThat(dir.route("mailhost01", Protocol.IMAP).hosts()).containsExactly(
                new HostAndPort("10.0.0.1", 143), new HostAndPort("10.0.0.2", 1143), new HostAndPort("backup.example", 143));
        assertThat(dir.route("mailhost01", Protocol.IMAP).primary()).isEqualTo(new HostAndPort("10.0.0.1", 143));
    }

    @Test
    void routeShouldUseConfiguredProtocolPortWhenSet() {
        BackendDirectory dir = BackendDirectory.builder().map("m", "10.0.0.1", "10.0.0.2:2143")
                .port(Protocol.IMAP, 10143).port(Protocol.POP3, 10110).build();

        assertThat(dir.route("m", Protocol.IMAP).hosts())
                .containsExactly(new HostAndPort("10.0.0.1", 10143), new HostAndPort("10.0.0.2", 2143));
        assertThat(dir.route("m", Protocol.POP3).primary().port()).isEqualTo(10110);
        assertThat(dir.port(Protocol.SMTP)).isEqualTo(25);
        assertThat(BackendDirectory.defaults().port(Protocol.IMAP)).isEqualTo(143);
        assertThat(BackendDirectory.defaults().port(Protocol.POP3)).isEqualTo(110);
    }

    @Test
    void accountPortShouldBeatHostSpecPortAndProtocolPortWhenPresent() {
        BackendDirectory dir = BackendDirectory.builder().map("m", "10.0.0.1", "10.0.0.2:2143").build();

        assertThat(dir.route("m", Protocol.IMAP, OptionalInt.of(7143)).hosts())
                .containsExactly(new HostAndPort("10.0.0.1", 7143), new HostAndPort("10.0.0.2", 7143));
        assertThat(dir.route("unmapped:1000", Protocol.IMAP, OptionalInt.of(7143)))
                .isEqualTo(BackendRoute.of("unmapped", 7143));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mail.example.org         | mail.example.org | 143",
            "mail.example.org:1143    | mail.example.org | 1143",
            "10.1.2.3                 | 10.1.2.3         | 143",
            "10.1.2.3:993             | 10.1.2.3         | 993",
            "::1                      | ::1              | 143",
            "[::1]                    | ::1              | 143",
            "[::1]:1143               | ::1              | 1143",
            "2001:db8::1              | 2001:db8::1      | 143",
            "[2001:db8::1]:143        | 2001:db8::1      | 143",
            "fe80::1%eth0             | fe80::1%eth0     | 143",
            "::ffff:127.0.0.1         | ::ffff:127.0.0.1 | 143",
            "mailhost03               | mailhost03       | 143"})
    void routeShouldUseNameAsHostWhenNameIsNotMapped(String mailServer, String host, int port) {
        assertThat(seed.route(mailServer, Protocol.IMAP)).isEqualTo(BackendRoute.of(host, port));
    }

    @Test
    void hostAndPortShouldBracketIpv6WhenPrinted() {
        assertThat(seed.route("[2001:db8::1]:1143", Protocol.IMAP).toString()).isEqualTo("[[2001:db8::1]:1143]");
        assertThat(BackendDirectory.parseHostSpec("2001:db8::1").toString()).isEqualTo("[2001:db8::1]");
    }

    @Test
    void parseMappingShouldReturnNameAndHostsWhenSpecIsValid() {
        Mapping m = BackendDirectory.parseMapping("mailhost01=10.0.0.1,10.0.0.2:1143,[2001:db8::1]:143,::1");

        assertThat(m.name()).isEqualTo("mailhost01");
        assertThat(m.hosts()).containsExactly(new HostSpec("10.0.0.1", 0), new HostSpec("10.0.0.2", 1143),
                new HostSpec("2001:db8::1", 143), new HostSpec("::1", 0));
        assertThat(m.toString()).isEqualTo("mailhost01=10.0.0.1,10.0.0.2:1143,[2001:db8::1]:143,[::1]");
        assertThat(BackendDirectory.parseMapping(m.toString())).isEqualTo(m);
    }

    @Test
    void parseHostSpecShouldReturnHostAndPortWhenBracketedIpv6HasPort() {
        assertThat(BackendDirectory.parseHostSpec("[2001:db8::1]:143")).isEqualTo(new HostSpec("2001:db8::1", 143));
        assertThat(BackendDirectory.parseHostSpec(" host:1 ")).isEqualTo(new HostSpec("host", 1));
        assertThat(BackendDirectory.parseHostSpec("host:65535").port()).isEqualTo(65535);
        assertThat(BackendDirectory.parseHostSpec("host").hasPort()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mailhost01                  | expected NAME=HOST",
            "=10.0.0.1                   | bad name",
            "a b=10.0.0.1                | bad name",
            "m=                          | empty host",
            "m=10.0.0.1,                 | empty host",
            "m=10.0.0.1,,10.0.0.2        | empty host",
            "m=10.0.0.1:0                | out of range",
            "m=10.0.0.1:65536            | out of range",
            "m=10.0.0.1:http             | bad port 'http'",
            "m=10.0.0.1:                 | bad port ''",
            "m=10.0.0.1:-1               | bad port '-1'",
            "m=[2001:db8::1              | missing ']'",
            "m=[2001:db8::1]143          | expected ':PORT'",
            "m=[mailhost]:143            | not an IPv6 address",
            "m=[1::2::3]                 | not an IPv6 address",
            "m=2001:db8::zz              | not an IPv6 address",
            "m=host name                 | not a host name",
            "m=-host                     | not a host name",
            "m=host/x:143                | not a host name"})
    void parseMappingShouldThrowReadableMessageWhenSpecIsBad(String spec, String messagePart) {
        assertThatThrownBy(() -> BackendDirectory.parseMapping(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(messagePart)
                .hasMessageContaining(spec.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "bad host", "[::1", "x:y:z"})
    void routeShouldThrowWhenUnmappedNameIsNotAHost(String mailServer) {
        assertThatThrownBy(() -> seed.route(mailServer, Protocol.IMAP)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderShouldReplaceMappingWhenNameRepeatsInAnotherCase() {
        BackendDirectory dir = BackendDirectory.builder().map("m=10.0.0.1").map("M=10.0.0.9").build();

        assertThat(dir.mappings()).hasSize(1);
        assertThat(dir.route("m", Protocol.POP3)).isEqualTo(BackendRoute.of("10.0.0.9", 110));
    }

    @Test
    void builderShouldRejectPortWhenOutOfRange() {
        assertThatThrownBy(() -> BackendDirectory.builder().port(Protocol.IMAP, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Mapping("m", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
