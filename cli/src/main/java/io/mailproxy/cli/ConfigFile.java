package io.mailproxy.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: a properties file whose keys are long option names without the dashes
 * ({@code db-url = jdbc:mariadb://...}). It is read before the command line is parsed and becomes
 * picocli's default-value provider, so a flag given on the command line wins over the file. A key
 * may also be qualified by the command ({@code mailproxy.serve.imap = 1143}). A repeatable option
 * takes several values separated as on the command line ({@code imap = 143, 127.0.0.1:1143};
 * {@code backend = a=10.0.0.1,10.0.0.2; b=10.0.0.3}). Unknown keys are errors, so a typo is not
 * silently ignored.
 */
final class ConfigFile {
    static final String OPTION = "--config";
    private static final Set<String> NOT_CONFIGURABLE = Set.of("config", "help", "version");

    private ConfigFile() {
    }

    /** The value of the first {@code --config FILE} / {@code --config=FILE} before a {@code --}. */
    static Optional<Path> find(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals(OPTION) && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (a.startsWith(OPTION + "=")) {
                return Optional.of(Path.of(a.substring(OPTION.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /**
     * Reads the file and checks its keys against every option of {@code root}'s command tree.
     *
     * @throws CliException {@code cannot read config file X: ...} or {@code config file X: unknown key ...}
     */
    static Properties load(Path file, CommandLine root) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read config file " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CliException("cannot read config file " + file + ": permission denied");
        } catch (IOException | IllegalArgumentException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (Files.isDirectory(file)) {
                why = "is a directory";
            }
            throw new CliException("cannot read config file " + file + ": " + why);
        }
        Set<String> known = new TreeSet<>();
        collect(root, known);
        List<String> unknown = new ArrayList<>();
        for (String key : p.stringPropertyNames()) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            unknown.sort(null);
            throw new CliException("config file " + file + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (keys are long option names without '--', e.g. db-url)");
        }
        return p;
    }

    private static void collect(CommandLine cl, Set<String> keys) {
        CommandSpec spec = cl.getCommandSpec();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().replaceFirst("^-+", "");
            if (NOT_CONFIGURABLE.contains(name)) {
                continue;
            }
            keys.add(name);
            keys.add(spec.qualifiedName(".") + "." + name);
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            collect(sub, keys);
        }
    }
}
