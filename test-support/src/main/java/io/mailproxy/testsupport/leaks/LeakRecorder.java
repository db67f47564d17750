package io.mailproxy.testsupport.leaks;

import java.util.ArrayList;
import java.util.List;

/**
 * Where {@link RecordingLeakDetector}s put the leaks they find, for the whole JVM (a surefire fork).
 * Thread-safe: Netty reports a leak on whichever thread next allocates a tracked resource.
 */
public final class LeakRecorder {
    private static final List<LeakReport> LEAKS = new ArrayList<>();

    private LeakRecorder() {
    }

    static void record(LeakReport report) {
        synchronized (LEAKS) {
            LEAKS.add(report);
        }
    }

    /** The leaks recorded so far and not yet taken. */
    public static List<LeakReport> peek() {
        synchronized (LEAKS) {
            return List.copyOf(LEAKS);
        }
    }

    /** Removes and returns the leaks recorded so far. */
    public static List<LeakReport> take() {
        synchronized (LEAKS) {
            List<LeakReport> taken = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return taken;
        }
    }
}
