package io.mailproxy.cli;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailproxy cache flush --pid PID}: empties the auth cache of a running serve by SIGUSR1. */
@Command(name = "cache",
        mixinStandardHelpOptions = true,
        header = "Manage the auth cache of a running serve.",
        subcommands = CacheCommand.Flush.class)
final class CacheCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing command (flush)");
    }

    @Command(name = "flush",
            mixinStandardHelpOptions = true,
            header = "Empty the auth cache of a running serve.",
            description = {
                "Sends SIGUSR1 to the serve process PID, which forgets every cached login (successes and "
                        + "failures) and logs one line. The same as 'kill -USR1 PID' or "
                        + "'systemctl kill -s USR1 mailproxy'. Refuses a process that is not mailproxy "
                        + "(SIGUSR1 ends most other programs).",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {"  mailproxy cache flush --pid $(systemctl show -p MainPID --value mailproxy)"})
    static final class Flush implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--pid", required = true, paramLabel = "PID", description = "The serve process.")
        long pid;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Io io = Commands.io(spec);
            Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (process.isEmpty()) {
                throw new CliException("no process " + pid);
            }
            Optional<String> command = process.get().info().commandLine();
            if (command.isPresent() && !command.get().contains("mailproxy")) {
                throw new CliException("process " + pid + " is not mailproxy (" + abbreviate(command.get()) + ")");
            }
            Process kill = new ProcessBuilder("kill", "-" + CacheFlushSignal.SIGNAL, Long.toString(pid))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new CliException("cannot signal process " + pid + ": "
                        + new String(kill.getInputStream().readAllBytes()).strip());
            }
            io.out().println("auth cache flush requested from process " + pid);
            io.out().flush();
            return ExitCodes.OK;
        }

        private static String abbreviate(String s) {
            return s.length() <= 80 ? s : s.substring(0, 77) + "...";
        }
    }
}
