package io.mailproxy.bench;

import io.netty.channel.ChannelFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    Summary run() throws InterruptedException {
        long start = System.nanoTime();
        measureFrom = start + warmup.toNanos();
        deadline = measureFrom + duration.toNanos();
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            next(done);
        }
        long[] serverCpu = {-1, -1};
        long[] clientCpu = {-1, -1};
        if (!cpuPids.isEmpty()) {
            sleepUntil(measureFrom);
            serverCpu[0] = ProcessCpu.nanos(cpuPids);
            clientCpu[0] = ProcessCpu.nanos(List.of(0L));
            sleepUntil(deadline);
            serverCpu[1] = ProcessCpu.nanos(cpuPids);
            clientCpu[1] = ProcessCpu.nanos(List.of(0L));
        }
        // every session ends by its own timeout, so this wait is bounded; the extra second is slack
        boolean all = done.await(warmup.toMillis() + duration.toMillis() + timeout.toMillis() + 1000,
                TimeUnit.MILLISECONDS);
        double seconds = duration.toNanos() / 1e9;
        Histogram h = latency.getIntervalHistogram();
        long n = logins.sum();
        Summary summary = new Summary("login")
                .put("protocol", protocol)
                .put("clients", clients)
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
        if (!cpuPids.isEmpty() && serverCpu[0] >= 0 && serverCpu[1] >= 0 && n > 0) {
            // CPU per completed login over the same window the logins were counted in
            summary.put("server_cpu_us_per_login", (serverCpu[1] - serverCpu[0]) / 1000.0 / n)
                    .put("client_cpu_us_per_login", (clientCpu[1] - clientCpu[0]) / 1000.0 / n);
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

    private boolean measured(long nanoTime) {
        return nanoTime - measureFrom >= 0 && nanoTime - deadline < 0;
    }

    private void next(CountDownLatch done) {
        long started = System.nanoTime();
        if (started - deadline >= 0) {
            done.countDown();
            return;
        }
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
                client.group().next().execute(() -> next(done));
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
                client.group().next().schedule(() -> next(done), 10, TimeUnit.MILLISECONDS);
            }
        });
    }
}
