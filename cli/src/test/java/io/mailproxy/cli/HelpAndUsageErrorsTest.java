package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.proxy.ProxyServer.ListenerBindException.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpAndUsageErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void helpShouldListEveryCommandAndExamplesWhenTopLevel() {
        CliRunner.Result r = CliRunner.run("--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: mailproxy ")
                .contains("serve", "demo", "users", "hash", "check", "Examples:", "--version")
                .contains("check: 0 accepted, 1 rejected, 2 unavailable");
        assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "demo", "users", "users add", "users passwd", "users del", "users list",
        "users init", "hash", "check"})
    void helpShouldShowUsageAndExamplesWhenAskedOnEveryCommand(String command) {
        String[] words = command.split(" ");
        String[] args = java.util.Arrays.copyOf(words, words.length + 1);
        args[words.length] = "--help";

        CliRunner.Result r = CliRunner.run(args);

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: mailproxy " + command + " ").contains("Examples:");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpSubcommandShouldShowTheNamedCommandsHelp() {
        CliRunner.Result r = CliRunner.run("help", "serve");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: mailproxy serve ").contains("--backend=");
    }

    @Test
    void versionShouldPrintTheProjectVersionWhenAsked() {
        CliRunner.Result r = CliRunner.run("--version");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("mailproxy ").doesNotContain("unknown").doesNotContain("${");
    }

    @Test
    void unknownFlagShouldExitTwoWithOneLineAndAHintWhenGiven() {
        CliRunner.Result r = CliRunner.run("serve", "--bogus");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).containsExactly("mailproxy: Unknown option: '--bogus'",
                "Try 'mailproxy serve --help' for more information.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void misspelledFlagShouldSuggestTheRightOne() {
        CliRunner.Result r = CliRunner.run("serve", "--db-ulr", "x");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'--db-ulr'").contains("Possible solutions: --db-url");
    }

    @Test
    void missingCommandShouldExitTwoWhenNoneGiven() {
        CliRunner.Result r = CliRunner.run();

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("mailproxy: Missing command").contains("Try 'mailproxy --help'");
    }

    @Test
    void badPortShouldExitTwoNamingTheValueWhenOutOfRange() {
        CliRunner.Result r = CliRunner.run("serve", "--imap", "999999");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines().findFirst()).hasValue(
                "mailproxy: Invalid value for option '--imap' ([ADDR:]PORT|off): '999999': port 999999 out of range 0-65535");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badBackendShouldExitTwoWithTheParsersReasonWhenMalformed() {
        CliRunner.Result r = CliRunner.run("serve", "--backend", "mailhost01");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--backend").contains("expected NAME=HOST[:PORT]");
    }

    @Test
    void badDurationShouldExitTwoWhenNotADuration() {
        CliRunner.Result r = CliRunner.run("serve", "--login-timeout", "soon");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'soon' is not a duration");
    }

    @Test
    void bothListenersOffShouldExitTwoWhenNothingIsLeft() {
        CliRunner.Result r = CliRunner.run("serve", "--pop3", "off", "--imap", "off", "--data-dir", tmp.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("mailproxy: Nothing to listen on");
    }

    @Test
    void badCapabilityShouldExitTwoWhenTheProtocolRefusesIt() {
        CliRunner.Result r = CliRunner.run("serve", "--imap-capabilities", "IMAP4rev1,STARTTLS", "--data-dir",
                tmp.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--imap-capabilities").contains("STARTTLS");
    }

    @Test
    void badTrustedNetworkShouldBeAUsageError() {
        CliRunner.Result r = CliRunner.run("serve", "--trusted-networks", "10.0.0.0/99", "--data-dir", tmp.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("mailproxy: ").contains("10.0.0.0/99");
    }

    @Test
    void portInUseShouldExitOneWithAClearMessageWhenAnotherProcessHoldsIt() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();

            CliRunner.Result r = CliRunner.run("serve", "--pop3", "off", "--imap", "127.0.0.1:" + port,
                    "--data-dir", tmp.toString());

            assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
            assertThat(r.err()).isEqualTo("mailproxy: cannot listen on 127.0.0.1:" + port + ": address already in use"
                    + System.lineSeparator());
        }
    }

    @Test
    void permissionDeniedShouldNameTheCapabilityWhenThePortIsPrivileged() {
        assertThat(BindErrors.message(new InetSocketAddress(143), Reason.PERMISSION_DENIED,
                "bind(..) failed: Permission denied"))
                .isEqualTo("cannot listen on 0.0.0.0:143: permission denied: ports below 1024 need root or "
                        + "CAP_NET_BIND_SERVICE");
        assertThat(BindErrors.message(new InetSocketAddress(8143), Reason.PERMISSION_DENIED, "Permission denied"))
                .isEqualTo("cannot listen on 0.0.0.0:8143: permission denied");
        assertThat(BindErrors.message(new InetSocketAddress(110), Reason.ADDRESS_IN_USE, "x"))
                .isEqualTo("cannot listen on 0.0.0.0:110: address already in use");
    }

    @Test
    void missingConfigFileShouldExitOneNamingTheFile() {
        Path missing = tmp.resolve("nope.properties");

        CliRunner.Result r = CliRunner.run("serve", "--config", missing.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).isEqualTo("mailproxy: cannot read config file " + missing + ": no such file"
                + System.lineSeparator());
    }

    @Test
    void configFileThatIsADirectoryShouldExitOneSayingSo() {
        CliRunner.Result r = CliRunner.run("users", "list", "--config=" + tmp);

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: cannot read config file " + tmp + ": ");
    }

    @Test
    void unknownConfigKeyShouldExitOneNamingTheKey() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.properties"), "imap-capabilites = IMAP4rev1\ndb-url = jdbc:h2:mem:x\n");

        CliRunner.Result r = CliRunner.run("serve", "--config", config.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: config file " + config + ": unknown key imap-capabilites ");
    }

    @Test
    void badValueInConfigFileShouldBeAUsageError() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.properties"), "imap = 70000\n");

        CliRunner.Result r = CliRunner.run("serve", "--config", config.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--imap").contains("70000");
    }

    @Test
    void unreadablePasswordFileShouldExitOneNamingIt() {
        Path missing = tmp.resolve("db.pw");

        CliRunner.Result r = CliRunner.run("users", "list", "--db-password-file", missing.toString(),
                "--data-dir", tmp.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).isEqualTo("mailproxy: cannot read database password file " + missing + ": no such file"
                + System.lineSeparator());
    }

    @Test
    void notAJdbcUrlShouldBeAUsageError() {
        CliRunner.Result r = CliRunner.run("users", "list", "--db-url", "mysql://db/mail");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'--db-url'").contains("not a JDBC URL");
    }

    @Test
    void passwordFlagShouldNotExistBecausePasswordsNeverComeFromFlags() {
        assertThat(CliRunner.run("serve", "--db-password", "x").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRunner.run("users", "add", "--password", "x", "--mail-server", "m", "u").code())
                .isEqualTo(ExitCodes.USAGE);
    }
}
