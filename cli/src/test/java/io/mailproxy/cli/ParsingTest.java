package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class ParsingTest {

    @ParameterizedTest
    @CsvSource({"143,0.0.0.0:143", "127.0.0.1:1143,127.0.0.1:1143", "*:110,0.0.0.0:110", "[::1]:143,[::1]:143",
        "localhost:0,localhost:0", "OFF,off"})
    void listenAddressShouldParseEveryWrittenFormWhenValid(String spec, String shown) {
        assertThat(ListenAddress.parse(spec).toString()).isEqualTo(shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "65536", "-1", "abc", "::1:143", "[::1]", "host name:143", "1.2.3.4:", "[zz]:1"})
    void listenAddressShouldRefuseWhenMalformed(String spec) {
        assertThatThrownBy(() -> ListenAddress.parse(spec)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listenAddressShouldBeTheWildcardWhenOnlyAPortIsGiven() {
        assertThat(ListenAddress.parse("143").socketAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ListenAddress.parse("143").socketAddress().getPort()).isEqualTo(143);
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "30s,PT30S", "30,PT30S", "5m,PT5M", "24h,PT24H", "2d,PT48H", "PT1M,PT1M", "pt2s,PT2S"})
    void durationShouldParseWhenWrittenWithAUnit(String text, String iso) {
        assertThat(new Converters.DurationConverter().convert(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5 m", "-5s", "1y"})
    void durationShouldRefuseWhenNotADuration(String text) {
        assertThatThrownBy(() -> new Converters.DurationConverter().convert(text))
                .isInstanceOf(TypeConversionException.class);
    }

    @Test
    void durationsShouldPrintTheWayTheyAreWritten() {
        assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("24h");
    }

    @Test
    void failureCeilingsShouldTakeTheIssueFlagNamesAndTheShortAliases() {
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        cl.parseArgs("serve", "--max-auth-failures-per-ip", "7", "--max-failures-per-user", "3");
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        assertThat(serve.throttle.maxFailuresPerIp).isEqualTo(7);
        assertThat(serve.throttle.maxFailuresPerUser).isEqualTo(3);
        picocli.CommandLine again = new picocli.CommandLine(new Main());
        again.parseArgs("serve", "--max-failures-per-ip", "4", "--max-auth-failures-per-user", "9");
        ServeCommand other = again.getSubcommands().get("serve").getCommand();
        assertThat(other.throttle.maxFailuresPerIp).isEqualTo(4);
        assertThat(other.throttle.maxFailuresPerUser).isEqualTo(9);
    }

    @Test
    void backendPortShouldRefuseSmtpAndBadPorts() {
        Converters.BackendPortConverter c = new Converters.BackendPortConverter();
        assertThat(c.convert("imap=1143").getValue()).isEqualTo(1143);
        assertThatThrownBy(() -> c.convert("smtp=25")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> c.convert("imap=0")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> c.convert("imap")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void configFileShouldBeFoundInEitherSpellingBeforeDoubleDash() {
        assertThat(ConfigFile.find("serve", "--config", "a.properties")).hasValue(Path.of("a.properties"));
        assertThat(ConfigFile.find("serve", "--config=b.properties")).hasValue(Path.of("b.properties"));
        assertThat(ConfigFile.find("check", "--", "--config", "c")).isEmpty();
        assertThat(ConfigFile.find("serve")).isEmpty();
    }

    @Test
    void passwordShouldBeTheFirstLineWithoutItsLineEnd() {
        assertThat(PasswordInput.readLine(new java.io.ByteArrayInputStream("pä ss\r\nsecond\n".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)))).isEqualTo("pä ss");
        assertThat(PasswordInput.readLine(new java.io.ByteArrayInputStream("no newline".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)))).isEqualTo("no newline");
    }
}
