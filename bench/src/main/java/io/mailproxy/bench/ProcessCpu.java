package io.mailproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time (user + system, all threads) of processes, read from {@code /proc/PID/stat}: how much
 * of the machine a server spends per login, a figure that holds up on a busy machine far better
 * than logins/s. Resolution is the kernel's clock tick (10 ms at USER_HZ 100), so it is meant
 * for runs of seconds.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of utime/stime in /proc; 100 on every Linux architecture Java runs on. */
    static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** Sum of utime + stime of {@code pids} in nanoseconds; -1 when one of them cannot be read. */
    static long nanos(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            long t = ticks(pid);
            if (t < 0) {
                return -1;
            }
            ticks += t;
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** The same for this process (the load generator). */
    static long selfNanos() {
        return nanos(List.of(ProcessHandle.current().pid()));
    }

    /** utime + stime of one process in clock ticks, or -1. */
    static long ticks(long pid) {
        try {
            return parseTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Fields 14 and 15 (utime, stime) of a {@code /proc/PID/stat} line. The second field, the
     * command name in parentheses, may hold blanks and parentheses itself: count from the last ')'.
     */
    static long parseTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        String[] f = stat.substring(close + 2).trim().split(" +");
        // f[0] is field 3 (state): field n is f[n - 3]
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }
}
