package io.mailproxy.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.AuthOutcome.Accepted;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared cases on the embedded H2 store in a temporary data directory, plus what is special
 * about it: created on first open, owner-only, usable from a second process while open.
 */
class H2AuthStoreIT extends AbstractAuthStoreIT {

    @TempDir
    Path tmp;

    private Path dataDir() {
        return tmp.resolve("data");
    }

    @Override
    protected JdbcAuthConfig.Builder config() {
        // Opening (creating) an H2 file and starting its AUTO_SERVER takes a while on a busy machine:
        // no reason to squeeze these timeouts, nothing here tests them.
        return JdbcAuthConfig.embedded(dataDir()).poolSize(2)
                .connectTimeout(Duration.ofSeconds(10)).queryTimeout(Duration.ofSeconds(5)).authTimeout(Duration.ofSeconds(10))
                .failureDelay(Duration.ZERO)
                .directory(DIRECTORY);
    }

    @Test
    void openShouldCreateDatabaseFileAndOwnerOnlyDirectoryWhenDataDirIsNew() throws Exception {
        assertThat(dataDir().resolve("mailproxy.mv.db")).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir()))).isEqualTo("rwx------");
    }

    @Test
    void secondProcessShouldAddAccountWhileThisOneHasTheDatabaseOpen() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AddAccountMain.class.getName(), dataDir().toString(), "erin", "erins-pw", "mailhost02")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isZero();

        assertThat(auth(imap("erin", "erins-pw"))).isInstanceOf(Accepted.class);
        assertThat(stores.accounts().find("erin")).map(Account::mailServer).contains("mailhost02");
    }

    /** What {@code mailproxy users add} will do, in its own JVM: open the embedded store and add. */
    public static final class AddAccountMain {
        public static void main(String[] args) {
            try (AuthStores s = AuthStores.open(JdbcAuthConfig.embedded(Path.of(args[0])).poolSize(1).build())) {
                s.accounts().add(args[1], args[2], args[3]);
            }
            System.out.println("added " + args[1] + " in " + new File(args[0]).getAbsolutePath());
        }
    }
}
