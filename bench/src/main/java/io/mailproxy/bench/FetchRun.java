package io.mailproxy.bench;

import io.mailproxy.bench.Users.Account;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * {@code fetch}: downloads message {@code n} of one account R times, one session after the other
 * (IMAP {@code FETCH n BODY.PEEK[]}, POP3 {@code RETR n}); MB/s over the download steps only
 * (login and logout excluded). Every download is digested (SHA-256 of the message bytes, POP3
 * de-stuffed, so IMAP and POP3 agree) and compared with the expected digest, or with the first
 * download's when none is given.
 */
final class FetchRun {
    private final LoadClient client;
    private final String protocol;
    private final Account account;
    private final int message;
    private final int repeat;
    private final Duration timeout;
    private final String expectedSha256;

    FetchRun(LoadClient client, String protocol, Account account, int message, int repeat, Duration timeout,
            String expectedSha256) {
        this.client = client;
        this.protocol = protocol;
        this.account = account;
        this.message = message;
        this.repeat = repeat;
        this.timeout = timeout;
        this.expectedSha256 = expectedSha256;
    }

    private record One(ErrorKind error, String detail, long bytes, long nanos, String sha256) {
    }

    Summary run() throws InterruptedException {
        Errors errors = new Errors();
        Histogram times = new Histogram(3);
        String reference = expectedSha256;
        long totalBytes = 0;
        long totalNanos = 0;
        long size = -1;
        int ok = 0;
        for (int i = 0; i < repeat; i++) {
            One one = once();
            if (one.error() != null) {
                errors.count(one.error(), one.detail());
                continue;
            }
            if (reference == null) {
                reference = one.sha256();
            }
            if (!reference.equalsIgnoreCase(one.sha256())) {
                errors.count(ErrorKind.VERIFY, "sha256 " + one.sha256() + " != " + reference);
                continue;
            }
            ok++;
            size = one.bytes();
            totalBytes += one.bytes();
            totalNanos += one.nanos();
            times.recordValue(one.nanos() / 1000);
        }
        double seconds = totalNanos / 1e9;
        return new Summary("fetch")
                .put("protocol", protocol)
                .put("message", message)
                .put("repeat", repeat)
                .put("ok", ok)
                .put("bytes", size)
                .put("mb_per_s", seconds == 0 ? 0.0 : totalBytes / 1048576.0 / seconds)
                .put("p50_ms", times.getValueAtPercentile(50) / 1000.0)
                .put("max_ms", times.getMaxValue() / 1000.0)
                .put("sha256", reference == null ? "-" : reference)
                .put("errors", errors.total())
                .put("errors_by_kind", errors.byKind());
    }

    private One once() throws InterruptedException {
        CompletableFuture<One> result = new CompletableFuture<>();
        int fetchStep = Scripts.fetchStep(protocol);
        List<Step> script = Scripts.fetch(protocol, account, message);
        long[] fetchStart = new long[1];
        long[] fetchEnd = new long[1];
        ScriptedSession.Listener listener = new ScriptedSession.Listener() {
            @Override
            public void stepDone(int index, Step step, long nanoTime) {
                if (index == fetchStep - 1) {
                    fetchStart[0] = nanoTime; // the command is sent right after this
                } else if (index == fetchStep) {
                    fetchEnd[0] = nanoTime;
                }
            }

            @Override
            public void finished(ScriptedSession session, ErrorKind error, String detail) {
                MessageSink sink = session.sink();
                result.complete(error != null ? new One(error, detail, 0, 0, null)
                        : new One(null, null, sink.bytes(), fetchEnd[0] - fetchStart[0], sink.sha256Hex()));
            }
        };
        client.connect(() -> new ScriptedSession(script, listener, timeout.toMillis(), TimeUnit.MILLISECONDS,
                new MessageSink())).addListener(f -> {
                    if (!f.isSuccess()) {
                        result.complete(new One(ErrorKind.CONNECT, String.valueOf(f.cause()), 0, 0, null));
                    }
                });
        try {
            return result.get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return new One(ErrorKind.TIMEOUT, e.toString(), 0, 0, null);
        }
    }
}
