package io.mailproxy.cli;

import java.time.Duration;

/** Durations as people write them: 500ms, 30s, 5m, 24h. */
final class Durations {
    private Durations() {
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
