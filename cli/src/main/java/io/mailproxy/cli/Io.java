package io.mailproxy.cli;

import io.mailproxy.proxy.BoundListener;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a command touches outside the JVM: standard streams, environment, the terminal (for
 * password prompts), and how a running server learns that it should stop. Tests build their own.
 */
public final class Io {
    private final InputStream in;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    private final Terminal terminal;
    private final StopSignal.Factory stopSignals;
    private final Consumer<List<BoundListener>> onStarted;

    public Io(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, Terminal terminal,
            StopSignal.Factory stopSignals, Consumer<List<BoundListener>> onStarted) {
        this.in = Objects.requireNonNull(in);
        this.out = Objects.requireNonNull(out);
        this.err = Objects.requireNonNull(err);
        this.env = Map.copyOf(env);
        this.terminal = Objects.requireNonNull(terminal);
        this.stopSignals = Objects.requireNonNull(stopSignals);
        this.onStarted = Objects.requireNonNull(onStarted);
    }

    /** The real process: System.in/out/err, the environment, the console, SIGTERM/SIGINT. */
    public static Io system() {
        Charset cs = Charset.defaultCharset();
        return new Io(System.in, new PrintWriter(new OutputStreamWriter(System.out, cs), true),
                new PrintWriter(new OutputStreamWriter(System.err, cs), true), System.getenv(),
                Terminal.system(), ProcessStopSignal::install, listeners -> { });
    }

    public InputStream in() {
        return in;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /** An environment variable, or null. */
    public String env(String name) {
        return env.get(name);
    }

    public Terminal terminal() {
        return terminal;
    }

    public StopSignal.Factory stopSignals() {
        return stopSignals;
    }

    /** Called once the listeners of serve or demo are bound. */
    public void started(List<BoundListener> listeners) {
        onStarted.accept(listeners);
    }

    /** Interactive password entry. */
    public interface Terminal {
        /** Whether standard input is a terminal a person types at. */
        boolean interactive();

        /** Prompts and reads a line without echo; null at end of input. */
        char[] readPassword(String prompt);

        /** No terminal: passwords come from standard input. */
        Terminal NONE = new Terminal() {
            @Override
            public boolean interactive() {
                return false;
            }

            @Override
            public char[] readPassword(String prompt) {
                throw new IllegalStateException("no terminal");
            }
        };

        static Terminal system() {
            java.io.Console console = System.console();
            if (console == null || !isTerminal(console)) {
                return NONE;
            }
            return new Terminal() {
                @Override
                public boolean interactive() {
                    return true;
                }

                @Override
                public char[] readPassword(String prompt) {
                    return console.readPassword("%s", prompt);
                }
            };
        }

        /**
         * Java 22+ may return a console when the streams are redirected; {@code isTerminal()} (22+)
         * tells. Before 22 a non-null console means a terminal.
         */
        private static boolean isTerminal(java.io.Console console) {
            try {
                return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
            } catch (NoSuchMethodException e) {
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
