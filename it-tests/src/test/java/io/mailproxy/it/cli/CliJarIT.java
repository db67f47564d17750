package io.mailproxy.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CliJarIT {

    @Test
    void jarShouldPrintHelpAndExitZeroWhenAskedForHelp() throws Exception {
        MailproxyJar.Result r = MailproxyJar.run("--help");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: mailproxy ").contains("serve", "demo", "users", "hash", "check");
    }

    @Test
    void jarShouldExitTwoWithOneLineWhenTheFlagIsUnknown() throws Exception {
        MailproxyJar.Result r = MailproxyJar.run("serve", "--no-such-flag");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("mailproxy: Unknown option: '--no-such-flag'",
                "Try 'mailproxy serve --help' for more information.");
    }

    @Test
    void jarShouldExitOneWhenTheConfigFileIsMissing() throws Exception {
        MailproxyJar.Result r = MailproxyJar.run("serve", "--config", "/nonexistent/mailproxy.properties");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mailproxy: cannot read config file /nonexistent/mailproxy.properties: no such file\n");
    }

    @Test
    void jarShouldHashFromStandardInputWhenPiped() throws Exception {
        java.nio.file.Path in = java.nio.file.Files.createTempFile("pw", ".txt");
        try {
            java.nio.file.Files.writeString(in, "secret\n");
            Process p = MailproxyJar.command("hash").redirectInput(in.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(out).startsWith("$6$").hasLineCount(1);
        } finally {
            java.nio.file.Files.deleteIfExists(in);
        }
    }
}
