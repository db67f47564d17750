package io.mailproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code idle}: opens K IMAP sessions (login, SELECT INBOX, IDLE), at most {@code rampConcurrency}
 * being set up at once, holds them for S seconds, and reports how many were set up and how many
 * were still open at the end of the hold. With {@code rssPid} it also reads that process's
 * resident memory (VmRSS) before and while holding: the per-session cost of the server.
 */
final class IdleRun {
    private final LoadClient client;
    private final Users users;
    private final int sessions;
    private final Duration hold;
    private final int rampConcurrency;
    private final Duration rampTimeout;
    private final Duration timeout;
    private final long rssPid;

    IdleRun(LoadClient client, Users users, int sessions, Duration hold, int rampConcurrency, Duration rampTimeout,
            Duration timeout, long rssPid) {
        this.client = client;
        this.users = users;
        this.sessions = sessions;
        this.hold = hold;
        this.rampConcurrency = rampConcurrency;
        this.rampTimeout = rampTimeout;
        this.timeout = timeout;
        this.rssPid = rssPid;
    }

    Summary run() throws InterruptedException {
        Errors errors = new Errors();
        Set<ScriptedSession> holding = ConcurrentHashMap.newKeySet();
        AtomicInteger dropped = new AtomicInteger();
        Semaphore inFlight = new Semaphore(rampConcurrency);
        long rssBefore = rss();
        long start = System.nanoTime();
        long rampDeadline = start + rampTimeout.toNanos();
        CountDownLatch loggedOut = new CountDownLatch(sessions);
        int started = 0;
        for (; started < sessions; started++) {
            long left = rampDeadline - System.nanoTime();
            if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            List<Step> script = Scripts.idle(users.random());
            boolean[] released = new boolean[1];
            ScriptedSession.Listener listener = new ScriptedSession.Listener() {
                @Override
                public void holding(ScriptedSession session) {
                    holding.add(session);
                    released[0] = true;
                    inFlight.release();
                }

                @Override
                public void finished(ScriptedSession session, ErrorKind error, String detail) {
                    if (holding.remove(session) && error != null) {
                        dropped.incrementAndGet();
                        errors.count(error, detail);
                    } else if (error != null) {
                        errors.count(error, detail);
                    }
                    if (!released[0]) {
                        released[0] = true;
                        inFlight.release();
                    }
                    loggedOut.countDown();
                }
            };
            client.connect(() -> new ScriptedSession(script, listener, timeout.toMillis(), TimeUnit.MILLISECONDS,
                    null)).addListener(f -> {
                        if (!f.isSuccess()) {
                            errors.count(ErrorKind.CONNECT, String.valueOf(f.cause()));
                            inFlight.release();
                            loggedOut.countDown();
                        }
                    });
        }
        for (int i = started; i < sessions; i++) {
            loggedOut.countDown();
        }
        // wait for the sessions still being set up (each bounded by its timeout)
        inFlight.tryAcquire(rampConcurrency, timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        double rampSeconds = (System.nanoTime() - start) / 1e9;
        int established = holding.size();
        long rssHeld = rss();
        Thread.sleep(hold.toMillis());
        int held = holding.size();
        long rssEnd = rss();
        for (ScriptedSession s : holding) {
            s.resume();
        }
        boolean allOut = loggedOut.await(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        Summary summary = new Summary("idle")
                .put("protocol", "imap")
                .put("sessions", sessions)
                .put("established", established)
                .put("held", held)
                .put("dropped", dropped.get())
                .put("ramp_s", rampSeconds)
                .put("hold_s", hold.toMillis() / 1000.0);
        if (rssPid > 0) {
            long delta = Math.max(rssHeld, rssEnd) - rssBefore;
            summary.put("rss_before_kib", rssBefore / 1024)
                    .put("rss_held_kib", Math.max(rssHeld, rssEnd) / 1024)
                    .put("bytes_per_session", held == 0 ? 0 : delta / held);
        }
        return summary.put("errors", errors.total())
                .put("errors_by_kind", errors.byKind())
                .put("logged_out", allOut);
    }

    /** VmRSS of {@code rssPid} in bytes; 0 when not asked or not readable. */
    private long rss() {
        if (rssPid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(rssPid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
