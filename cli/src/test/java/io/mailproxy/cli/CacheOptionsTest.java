package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.cache.AuthCacheConfig;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CacheOptionsTest {

    private static ServeCommand parse(String... args) {
        CommandLine cl = Main.commandLine(new Io(System.in, new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter()), Map.of(), Io.Terminal.NONE,
                () -> { throw new IllegalStateException(); }, l -> { }));
        String[] full = new String[args.length + 1];
        full[0] = "serve";
        System.arraycopy(args, 0, full, 1, args.length);
        return (ServeCommand) cl.parseArgs(full).subcommand().commandSpec().userObject();
    }

    @Test
    void cacheShouldBeOnWithDocumentedDefaultsWhenNoFlagIsGiven() {
        AuthCacheConfig config = parse().cache.config();

        assertThat(config).isEqualTo(AuthCacheConfig.defaults());
        assertThat(config.enabled()).isTrue();
        assertThat(config.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.negativeTtl()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void cacheShouldBeOffWhenTtlIsZero() {
        assertThat(parse("--auth-cache-ttl", "0").cache.config().enabled()).isFalse();
    }

    @Test
    void flagsShouldSetTtlsAndSizeWhenGiven() {
        AuthCacheConfig config = parse("--auth-cache-ttl", "5m", "--auth-cache-negative-ttl", "1s",
                "--auth-cache-size", "500").cache.config();

        assertThat(config).isEqualTo(new AuthCacheConfig(Duration.ofMinutes(5), Duration.ofSeconds(1), 500));
    }

    @Test
    void sizeShouldBeAUsageErrorWhenNotPositive() {
        CliRunner.Result r = CliRunner.run("serve", "--auth-cache-size", "0", "--pop3", "127.0.0.1:0", "--imap", "off");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("auth cache size must be positive");
    }

    @Test
    void cacheFlushShouldRefuseWhenThePidIsNotMailproxy() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            CliRunner.Result r = CliRunner.run("cache", "flush", "--pid", Long.toString(sleeper.pid()));

            assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
            assertThat(r.err()).contains("is not mailproxy");
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroy();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void cacheFlushShouldFailWhenNoSuchProcess() {
        CliRunner.Result r = CliRunner.run("cache", "flush", "--pid", "999999999");

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("no process 999999999");
    }
}
