package io.mailproxy.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Failed sessions counted by kind; the first detail of each kind kept for the log. */
final class Errors {
    private final Map<ErrorKind, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<ErrorKind, String> firstDetail = new ConcurrentHashMap<>();

    void count(ErrorKind kind, String detail) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (detail != null) {
            firstDetail.putIfAbsent(kind, detail);
        }
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> byKind() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k.id(), v.sum()));
        return m;
    }

    Map<ErrorKind, String> firstDetails() {
        return Map.copyOf(firstDetail);
    }
}
