package io.mailproxy.it.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The runnable jar the cli module builds, started as a separate JVM like an operator would. */
final class MailproxyJar {
    private MailproxyJar() {
    }

    /** {@code -Dmailproxy.jar=...}, else {@code ../cli/target/mailproxy.jar} from the it-tests module. */
    static Path jar() {
        String configured = System.getProperty("mailproxy.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("..", "cli", "target", "mailproxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no runnable jar at " + jar.toAbsolutePath()
                    + ": build it first (mvn -B -DskipTests install -pl cli -am), or set -Dmailproxy.jar");
        }
        return jar.toAbsolutePath().normalize();
    }

    static ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(devNull()));
    }

    private static java.io.File devNull() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** Runs to the end; returns exit code, stdout, stderr. */
    static Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("mailproxy-out", ".txt");
        Path err = Files.createTempFile("mailproxy-err", ".txt");
        try {
            Process p = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("mailproxy " + String.join(" ", args) + " did not end");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    record Result(int code, String out, String err) {
    }
}
