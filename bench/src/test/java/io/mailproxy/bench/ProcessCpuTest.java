package io.mailproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void readsUtimePlusStimeEvenWhenTheCommandNameHoldsBlanksAndParentheses() {
        String stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 "
                + "100 1000000 200 18446744073709551615";
        assertEquals(1234 + 567, ProcessCpu.parseTicks(stat));
    }

    @Test
    void refusesALineWithoutTheCommandName() {
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.parseTicks("4242 S 1 2 3"));
    }

    @Test
    void measuresThisProcessAndGrowsWithWork() {
        long before = ProcessCpu.selfNanos();
        long spin = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < spin) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        long after = ProcessCpu.selfNanos();
        assertTrue(before >= 0 && x >= 0, "readable");
        assertTrue(after - before >= 100_000_000L, "300 ms of spinning shows as at least 100 ms of CPU: " + (after - before));
    }

    @Test
    void anUnreadableProcessGivesMinusOne() {
        assertEquals(-1, ProcessCpu.nanos(List.of(Long.MAX_VALUE)));
    }
}
