package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailproxy.proxy.ConnectionLimits;
import io.mailproxy.proxy.ProxySettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** serve's limit and timeout flags, parsed into what the ProxyServer gets. */
class ProxyOptionsTest {

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void connectionLimitsShouldDefaultToTenThousandTotalAndNoPerIpLimit() {
        assertThat(parse().proxy.connectionLimits()).isEqualTo(new ConnectionLimits(10_000, 0));
    }

    @Test
    void connectionLimitsShouldComeFromTheFlagsWhenGiven() {
        ServeCommand serve = parse("--max-connections", "500", "--max-connections-per-ip", "20");

        assertThat(serve.proxy.connectionLimits()).isEqualTo(new ConnectionLimits(500, 20));
    }

    @Test
    void connectionLimitsShouldBeAUsageErrorWhenNegative() {
        ServeCommand serve = parse("--max-connections-per-ip", "-1");

        assertThatThrownBy(() -> serve.proxy.connectionLimits()).isInstanceOf(ParameterException.class)
                .hasMessageContaining("maxConnectionsPerIp");
    }

    @Test
    void settingsShouldCarryEveryTimeoutFlag() {
        ProxySettings s = parse("--login-timeout", "20s", "--backend-connect-timeout", "3s",
                "--backend-login-timeout", "7s", "--idle-timeout", "30m", "--shutdown-grace", "5s").proxy.settings();

        assertThat(s.loginTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.backendConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.backendLoginTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void tlsHandshakeTimeoutShouldDefaultToTenSecondsAndComeFromTheFlag() {
        assertThat(parse().tls.handshakeTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(parse("--tls-handshake-timeout", "3s").tls.handshakeTimeout).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void settingsShouldDefaultShutdownGraceToThirtySeconds() {
        assertThat(parse().proxy.settings().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }
}
