package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.BackendDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The samples under dist/ must stay valid as the flags change. */
class DistFilesTest {
    private static final Path DIST = Path.of("..", "dist");

    @Test
    void sampleConfigShouldParseIntoTheSeedsSetupWhenLoadedByServe() {
        Path file = DIST.resolve("mailproxy.properties");
        CommandLine cl = Main.commandLine(new Io(System.in, new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()), java.util.Map.of(), Io.Terminal.NONE,
                () -> { throw new IllegalStateException(); }, l -> { }));
        Properties p = ConfigFile.load(file, cl);
        cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(p));

        CommandLine.ParseResult parsed = cl.parseArgs("serve", "--config", file.toString());
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(serve.pop3).containsExactly(ListenAddress.all(110));
        assertThat(serve.imap).containsExactly(ListenAddress.all(143));
        assertThat(serve.db.url).isEqualTo("jdbc:mysql://HOSTNAME:3306/DBNAME");
        assertThat(serve.routing.backends).extracting(BackendDirectory.Mapping::toString)
                .containsExactly("mailhost01=192.168.1.22", "mailhost02=192.168.1.33");
        assertThat(serve.proxy.pop3Capabilities).containsExactly("TOP", "USER");
        assertThat(serve.proxy.imapConfig().capabilities()).containsExactly("IMAP4rev1", "UIDPLUS", "AUTH=PLAIN", "AUTH=LOGIN");
    }

    @Test
    void systemdUnitShouldRunServeWithTheCapabilityAndNoPasswordFlag() throws Exception {
        String unit = Files.readString(DIST.resolve("mailproxy.service"));

        assertThat(unit).contains("AmbientCapabilities=CAP_NET_BIND_SERVICE")
                .contains("mailproxy.jar serve")
                .contains("--config /etc/mailproxy/mailproxy.properties")
                .contains("--db-password-file")
                .doesNotContain("--db-password ");
    }
}
