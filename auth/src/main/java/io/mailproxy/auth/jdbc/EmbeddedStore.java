package io.mailproxy.auth.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;

/**
 * The default account store when no JDBC URL is configured: an H2 file database
 * {@code <dataDir>/mailproxy.mv.db}, served by the same JDBC code as MySQL.
 *
 * <ul>
 *   <li>{@code MODE=MySQL} and {@code DATABASE_TO_LOWER=TRUE}: the seed's SQL runs unchanged.</li>
 *   <li>{@code AUTO_SERVER=TRUE}: the first process that opens the file (say {@code mailproxy serve})
 *       also serves it over TCP, so a second one ({@code mailproxy users add}) can use it at the same
 *       time. H2 listens on a random port on 127.0.0.1 (system property {@code h2.bindAddress}
 *       overrides); a client needs the random key written in the lock file next to the database, which is why the data directory is created
 *       owner-only (0700).</li>
 * </ul>
 */
public final class EmbeddedStore {

    /** The database's file name stem: {@code mailproxy.mv.db}. */
    public static final String DATABASE_NAME = "mailproxy";
    /** H2 user of the embedded database. */
    public static final String USER = "sa";

    private static final String OPTIONS = ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE";

    private EmbeddedStore() {
    }

    /** {@code jdbc:h2:file:<absolute dataDir>/mailproxy;MODE=MySQL;DATABASE_TO_LOWER=TRUE;AUTO_SERVER=TRUE}. */
    public static String jdbcUrl(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        String dir = dataDir.toAbsolutePath().normalize().toString();
        if (dir.indexOf(';') >= 0) {
            throw new IllegalArgumentException("the data directory must not contain ';': " + dir);
        }
        return "jdbc:h2:file:" + dir.replace('\\', '/') + "/" + DATABASE_NAME + OPTIONS;
    }

    /**
     * For an H2 file URL, creates the database's directory (owner-only where POSIX permissions
     * exist) if it is missing. Does nothing for other URLs.
     */
    static void prepareDirectory(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:h2:file:")) {
            return;
        }
        // AUTO_SERVER's TCP server would listen on every interface: the other local process
        // (mailproxy users ...) is all it is for, so keep it on loopback unless told otherwise.
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        int end = jdbcUrl.indexOf(';');
        String file = jdbcUrl.substring("jdbc:h2:file:".length(), end < 0 ? jdbcUrl.length() : end);
        if (file.startsWith("~")) {
            file = System.getProperty("user.home") + file.substring(1);
        }
        Path dir = Path.of(file).toAbsolutePath().getParent();
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir, e);
        }
    }
}
