package io.mailproxy.cli;

import io.mailproxy.proxy.BoundListener;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** Runs the command line in-process with captured streams, a given stdin and environment. */
final class CliRunner {
    private String stdin = "";
    private final Map<String, String> env = new HashMap<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CompletableFuture<List<BoundListener>> started = new CompletableFuture<>();

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        return new CliRunner().exec(args);
    }

    static Result runWithStdin(String stdin, String... args) {
        return new CliRunner().stdin(stdin).exec(args);
    }

    CliRunner stdin(String s) {
        this.stdin = s;
        return this;
    }

    CliRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Completes with the bound listeners once serve or demo has started. */
    CompletableFuture<List<BoundListener>> started() {
        return started;
    }

    /** Asks a running serve or demo to stop, as SIGTERM would. */
    void stop() {
        stop.countDown();
    }

    Result exec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        StopSignal.Factory signals = () -> new StopSignal() {
            @Override
            public void await() throws InterruptedException {
                stop.await();
            }

            @Override
            public void close() {
            }
        };
        Io io = new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out, true),
                new PrintWriter(err, true), env, Io.Terminal.NONE, signals, started::complete);
        int code = Main.execute(io, args);
        return new Result(code, out.toString(), err.toString());
    }
}
