package io.mailproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.password.PasswordSchemes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccountCommandsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"sha512-crypt,$6$", "sha256-crypt,$5$", "md5-crypt,$1$", "bcrypt,$2", "argon2id,$argon2id$"})
    void hashShouldPrintAValueTheAuthModuleVerifiesWhenGivenAScheme(String scheme, String prefix) {
        CliRunner.Result r = CliRunner.runWithStdin("s3cret pass\n", "hash", "--scheme", scheme);

        assertThat(r.code()).isZero();
        String hash = r.out().strip();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(hash).startsWith(prefix);
        assertThat(PasswordSchemes.verify("s3cret pass", hash)).isTrue();
        assertThat(PasswordSchemes.verify("s3cret", hash)).isFalse();
    }

    @Test
    void hashShouldDefaultToSha512CryptAndStripCrLf() {
        CliRunner.Result r = CliRunner.runWithStdin("pw\r\n", "hash");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("$6$");
        assertThat(PasswordSchemes.verify("pw", r.out().strip())).isTrue();
    }

    @Test
    void hashShouldExitTwoWhenTheSchemeIsUnknown() {
        CliRunner.Result r = CliRunner.runWithStdin("pw\n", "hash", "--scheme", "md4");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'md4'").contains("sha512-crypt").contains("argon2id");
    }

    @Test
    void hashShouldExitOneWhenStandardInputIsEmpty() {
        CliRunner.Result r = CliRunner.runWithStdin("", "hash");

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: no password on standard input");
    }

    @Test
    void usersShouldRoundTripOnTheEmbeddedDatabase() {
        roundTrip("--data-dir", tmp.resolve("data").toString());
    }

    @Test
    void usersShouldRoundTripOnMariaDb() throws Exception {
        try (ThrowawayMariaDb db = ThrowawayMariaDb.create()) {
            CliRunner.Result init = new CliRunner().env(DatabaseOptions.PASSWORD_ENV, db.password())
                    .exec("users", "init", "--db-url", db.url(), "--db-user", db.user());
            assertThat(init.code()).as(init.err()).isZero();
            assertThat(init.out()).contains("table mailaccounts is ready");

            roundTrip("--db-url", db.url(), "--db-user", db.user());
        }
    }

    @Test
    void usersShouldHintAtInitWhenTheMariaDbTableIsMissing() throws Exception {
        try (ThrowawayMariaDb db = ThrowawayMariaDb.create()) {
            CliRunner.Result r = CliRunner.runWithStdin("pw\n", "users", "add", "--mail-server", "m1", "alice",
                    "--db-url", db.url(), "--db-user", db.user());

            assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
            assertThat(r.err()).startsWith("mailproxy: cannot add account 'alice'")
                    .contains("(create it with 'mailproxy users init')");
        }
    }

    /** add -> check accepted -> passwd -> old password rejected -> del -> check rejected. */
    private void roundTrip(String... db) {
        CliRunner.Result add = CliRunner.runWithStdin("first-pw\n", args(db, "users", "add", "--mail-server",
                "mailhost01", "alice"));
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).isEqualTo("added alice (mail server mailhost01, sha512-crypt)" + System.lineSeparator());

        CliRunner.Result again = CliRunner.runWithStdin("x\n", args(db, "users", "add", "--mail-server", "m", "alice"));
        assertThat(again.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).startsWith("mailproxy: ").contains("alice").doesNotContain("\tat ");

        CliRunner.Result list = CliRunner.run(args(db, "users", "list"));
        assertThat(list.code()).isZero();
        assertThat(list.out().lines()).containsExactly("USER   MAIL_SERVER  SCHEME", "alice  mailhost01   sha512-crypt");

        CliRunner.Result accepted = CliRunner.runWithStdin("first-pw\n", args(db, "check", "alice",
                "--backend", "mailhost01=192.0.2.10,192.0.2.11:1143"));
        assertThat(accepted.code()).as(accepted.out() + accepted.err()).isEqualTo(ExitCodes.CHECK_ACCEPTED);
        assertThat(accepted.out()).isEqualTo("accepted: alice -> imap 192.0.2.10:143 (failover 192.0.2.11:1143), "
                + "backend login alice" + System.lineSeparator());

        CliRunner.Result pop3 = CliRunner.runWithStdin("first-pw\n", args(db, "check", "--protocol", "pop3", "alice",
                "--backend", "mailhost01=192.0.2.10", "--backend-port", "pop3=1110"));
        assertThat(pop3.code()).isEqualTo(ExitCodes.CHECK_ACCEPTED);
        assertThat(pop3.out()).startsWith("accepted: alice -> pop3 192.0.2.10:1110,");

        CliRunner.Result passwd = CliRunner.runWithStdin("second-pw\n", args(db, "users", "passwd", "--scheme",
                "bcrypt", "alice"));
        assertThat(passwd.code()).as(passwd.err()).isZero();

        CliRunner.Result old = CliRunner.runWithStdin("first-pw\n", args(db, "check", "alice"));
        assertThat(old.code()).isEqualTo(ExitCodes.CHECK_REJECTED);
        assertThat(old.out()).startsWith("rejected: alice");

        CliRunner.Result fresh = CliRunner.runWithStdin("second-pw\n", args(db, "check", "alice"));
        assertThat(fresh.code()).isEqualTo(ExitCodes.CHECK_ACCEPTED);
        assertThat(CliRunner.run(args(db, "users", "list")).out()).contains("bcrypt");

        CliRunner.Result del = CliRunner.run(args(db, "users", "del", "alice"));
        assertThat(del.code()).isZero();
        assertThat(del.out()).isEqualTo("deleted alice" + System.lineSeparator());

        CliRunner.Result gone = CliRunner.runWithStdin("second-pw\n", args(db, "check", "alice"));
        assertThat(gone.code()).isEqualTo(ExitCodes.CHECK_REJECTED);

        CliRunner.Result delAgain = CliRunner.run(args(db, "users", "del", "alice"));
        assertThat(delAgain.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(delAgain.err()).startsWith("mailproxy: ").contains("alice");

        CliRunner.Result passwdMissing = CliRunner.runWithStdin("pw\n", args(db, "users", "passwd", "alice"));
        assertThat(passwdMissing.code()).isEqualTo(ExitCodes.FAILURE);
    }

    @Test
    void checkShouldExitTwoWhenTheDatabaseIsUnreachable() {
        CliRunner.Result r = CliRunner.runWithStdin("pw\n", "check", "alice", "--db-url",
                "jdbc:mysql://127.0.0.1:1/mail", "--db-connect-timeout", "300ms", "--auth-timeout", "2s");

        assertThat(r.code()).isEqualTo(ExitCodes.CHECK_UNAVAILABLE);
        assertThat(r.out()).startsWith("unavailable: ");
    }

    @Test
    void usersShouldExitOneNamingTheDatabaseWhenUnreachable() {
        CliRunner.Result r = CliRunner.run("users", "list", "--db-url", "jdbc:mysql://127.0.0.1:1/mail",
                "--db-connect-timeout", "300ms");

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mailproxy: cannot connect to the account database jdbc:mysql://127.0.0.1:1/mail: ");
    }

    @Test
    void usersAddShouldBeAUsageErrorWhenTheMailServerIsNotAHost() {
        CliRunner.Result r = CliRunner.runWithStdin("pw\n", "users", "add", "--mail-server", "not a host", "bob",
                "--data-dir", tmp.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("bad mail server");
    }

    @Test
    void configFileShouldSupplyOptionsAndTheCommandLineShouldWin() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path config = Files.writeString(tmp.resolve("mailproxy.properties"), String.join("\n",
                "# comments are fine",
                "data-dir = " + a,
                "backend = mailhost01=192.0.2.1,192.0.2.2:1143; mailhost02=192.0.2.3",
                "mailproxy.check.backend-port = imap=2143",
                ""));
        assertThat(CliRunner.runWithStdin("pw\n", "users", "add", "--config", config.toString(),
                "--mail-server", "mailhost01", "alice").code()).isZero();

        assertThat(CliRunner.run("users", "list", "--config", config.toString()).out()).contains("alice");
        assertThat(CliRunner.run("users", "list", "--config", config.toString(), "--data-dir", b.toString()).out())
                .doesNotContain("alice");

        CliRunner.Result check = CliRunner.runWithStdin("pw\n", "check", "--config", config.toString(), "alice");
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).startsWith("accepted: alice -> imap 192.0.2.1:2143 (failover 192.0.2.2:1143)");

        CliRunner.Result flagWins = CliRunner.runWithStdin("pw\n", "check", "--config", config.toString(), "alice",
                "--backend", "mailhost01=192.0.2.9");
        assertThat(flagWins.out()).startsWith("accepted: alice -> imap 192.0.2.9:2143,");
    }

    private static String[] args(String[] db, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(db));
        return all.toArray(String[]::new);
    }
}
