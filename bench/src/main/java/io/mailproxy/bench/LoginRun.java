package io.mailproxy.bench;

import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code login}: C clients for D seconds, each in a loop: connect, log in as a random user, SELECT
 * INBOX (IMAP) or STAT (POP3), log out. Latency is from the connect to the login's OK (what a mail
 * client waits for); a login counts when its whole session ended well. Only what happens within
 * the measured window (after the warm-up, before the deadline) is counted: logins/s is completed
 * sessions in the window divided by its length, and latencies are those of logins answered in it.
 */
final class LoginRun {
    private final LoadClient client;
    private final String protocol;
    private final Users users;
    private final int clients;
    private final Duration duration;
    private final Duration warmup;
    private final Duration timeout;
    private final List<Long> cpuPids;
    private double rate;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Recorder latency = new Recorder(3);
    private final LongAdder logins = new LongAdder();
    private final Errors errors = new Errors();
    private long measureFrom;
    private long deadline;

    LoginRun(LoadClient client, String protocol, Users users, int clients, Duration duration, Duration warmup,
            Duration timeout) {
        this(client, protocol, users, clients, duration, warmup, timeout, List.of());
    }

    /** {@code cpuPids}: servers whose CPU time over the measured window is reported per login. */
    LoginRun(LoadClient client, String protocol, Users users, int clients, Duration duration, Duration warmup,
            Duration timeout, List<Long> cpuPids) {
        this.cpuPids = List.copyOf(cpuPids);
        this.client = client;
        this.protocol = protocol;
        this.users = users;
        this.clients = clients;
        this.duration = duration;
        this.warmup = warmup;
        this.timeout = timeout;
    }

    /**
     * Open loop instead of C clients in a closed loop: a new session is started every 1/rate seconds
     * whatever the server's speed (at most {@code clients} at once; a start that would exceed it is
     * counted as an {@code overload} error), and latency runs from the moment the session was due,
     * not from when it could start, so a slow server is not flattered (coordinated omission). This is
     * how a latency comparison between servers of different throughput is fair: same offered load.
     */
    LoginRun rate(double loginsPerSecond) {
        if (!(loginsPerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.rate = loginsPerSecond;
        return this;
    }

    Summary run() throws InterruptedException {
        long start = System.nanoTime();
        measureFrom = start + warmup.toNanos();
        deadline = measureFrom + duration.toNanos();
        CountDownLatch done = new CountDownLatch(rate > 0 ? 1 : clients);
        if (rate > 0) {
            Thread pacer = new Thread(() -> pace(start, done), "bench-pacer");
            pacer.setDaemon(true);
            pacer.start();
        } else {
            for (int i = 0; i < clients; i++) {
                next(done);
            }
        }
        long serverCpuBefore = -1;
        long serverCpuAfter = -1;
        long clientCpuBefore = -1;
        long clientCpuAfter = -1;
        if (!cpuPids.isEmpty()) {
            sleepUntil(measureFrom);
            serverCpuBefore = ProcessCpu.nanos(cpuPids);
            clientCpuBefore = ProcessCpu.selfNanos();
            sleepUntil(deadline);
            serverCpuAfter = ProcessCpu.nanos(cpuPids);
            clientCpuAfter = ProcessCpu.selfNanos();
        }
        // every session ends by its own timeout, so this wait is bounded; the extra second is slack
        boolean all = done.await(warmup.toMillis() + duration.toMillis() + timeout.toMillis() + 1000,
                TimeUnit.MILLISECONDS);
        double seconds = duration.toNanos() / 1e9;
        Histogram h = latency.getIntervalHistogram();
        long n = logins.sum();
        Summary summary = new Summary("login")
                .put("protocol", protocol)
                .put("clients", clients);
        if (rate > 0) {
            summary.put("rate", rate);
        }
        summary
                .put("duration_s", seconds)
                .put("logins", n)
                .put("logins_per_s", n / seconds)
                .put("p50_ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p90_ms", h.getValueAtPercentile(90) / 1000.0)
                .put("p99_ms", h.getValueAtPercentile(99) / 1000.0)
                .put("max_ms", h.getMaxValue() / 1000.0)
                .put("errors", errors.total())
                .put("errors_by_kind", errors.byKind())
                .put("complete", all);
        if (serverCpuBefore >= 0 && serverCpuAfter >= 0 && n > 0) {
            // CPU per completed login over the same window the logins were counted in
            summary.put("server_cpu_us_per_login", (serverCpuAfter - serverCpuBefore) / 1000.0 / n)
                    .put("client_cpu_us_per_login", (clientCpuAfter - clientCpuBefore) / 1000.0 / n);
        }
        return summary;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    Errors errors() {
        return errors;
    }

    /** Open loop: starts sessions on schedule until the deadline, then waits for those in flight. */
    private void pace(long start, CountDownLatch done) {
        long period = Math.max(1, Math.round(1e9 / rate));
        try {
            for (long k = 0; ; k++) {
                long due = start + k * period;
                if (due - deadline >= 0) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (inFlight.get() >= clients) {
                    if (measured(due)) {
                        errors.count(ErrorKind.OVERLOAD, clients + " sessions already in flight");
                    }
                    continue;
                }
                inFlight.incrementAndGet();
                launch(due, () -> inFlight.decrementAndGet());
            }
            long until = System.nanoTime() + timeout.toNanos() + 1_000_000_000L;
            while (inFlight.get() > 0 && System.nanoTime() - until < 0) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.countDown();
        }
    }

    private boolean measured(long nanoTime) {
        return nanoTime - measureFrom >= 0 && nanoTime - deadline < 0;
    }

    private void next(CountDownLatch done) {
        long started = System.nanoTime();
        if (started - deadline >= 0) {
            done.countDown();
            return;
        }
        launch(started, () -> client.group().next().execute(() -> next(done)));
    }

    /** One session whose latency counts from {@code started}; {@code then} runs once it has ended. */
    private void launch(long started, Runnable then) {
        int loginStep = Scripts.loginStep(protocol);
        List<Step> script = Scripts.login(protocol, users.random());
        ScriptedSession.Listener listener = new ScriptedSession.Listener() {
            @Override
            public void stepDone(int index, Step step, long nanoTime) {
                if (index == loginStep && measured(nanoTime)) {
                    latency.recordValue(Math.max(0, (nanoTime - started) / 1000));
                }
            }

            @Override
            public void finished(ScriptedSession session, ErrorKind error, String detail) {
                if (measured(System.nanoTime())) {
                    if (error == null) {
                        logins.increment();
                    } else {
                        errors.count(error, detail);
                    }
                }
                then.run();
            }
        };
        ChannelFuture connect = client.connect(
                () -> new ScriptedSession(script, listener, timeout.toMillis(), TimeUnit.MILLISECONDS, null));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                if (measured(System.nanoTime())) {
                    errors.count(ErrorKind.CONNECT, String.valueOf(f.cause()));
                }
                // a refused port fails at once: do not spin on it
                client.group().next().schedule(then, 10, TimeUnit.MILLISECONDS);
            }
        });
    }
}
