package io.mailproxy.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailproxy.auth.throttle.FailureTracker.Counts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryFailureTrackerTest {

    private final FakeTicker ticker = new FakeTicker();

    private InMemoryFailureTracker tracker(ThrottleConfig config) {
        return new InMemoryFailureTracker(config, ticker, Runnable::run);
    }

    @Test
    void eachTableShouldStayWithinMaxEntriesWhenFloodedWithDistinctKeys() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults().withMaxEntries(100));
        for (int i = 0; i < 5_000; i++) {
            tracker.recordFailure("ip" + i, "user" + i, "cred" + i);
        }

        tracker.cleanUp();

        assertThat(tracker.ipEntries()).isBetween(1L, 100L);
        assertThat(tracker.userEntries()).isBetween(1L, 100L);
        assertThat(tracker.seenEntries()).isBetween(1L, 100L);
    }

    @Test
    void countsShouldGrowOncePerCredentialWhenFailuresRepeat() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults());

        Counts first = tracker.recordFailure("ip", "user", "cred-a");
        Counts repeat = tracker.recordFailure("ip", "user", "cred-a");
        Counts other = tracker.recordFailure("ip", "user", "cred-b");

        assertThat(first).isEqualTo(new Counts(1, 1, true, true));
        assertThat(repeat).isEqualTo(new Counts(1, 1, false, false));
        assertThat(other).isEqualTo(new Counts(2, 2, true, true));
    }

    @Test
    void repeatedCredentialShouldCountForNewIpButNotAgainForUserWhenItComesFromElsewhere() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults());
        tracker.recordFailure("ip-1", "user", "cred-a");

        Counts fromElsewhere = tracker.recordFailure("ip-2", "user", "cred-a");

        assertThat(fromElsewhere).isEqualTo(new Counts(1, 1, true, false));
    }

    @Test
    void countsShouldBeGoneWhenWindowHasPassedSinceFirstFailure() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults().withWindow(Duration.ofMinutes(5)));
        tracker.recordFailure("ip", "user", "cred-a");
        ticker.advance(Duration.ofMinutes(4));
        tracker.recordFailure("ip", "user", "cred-b");
        int beforeEnd = tracker.ipFailures("ip");

        ticker.advance(Duration.ofMinutes(1));

        assertThat(beforeEnd).isEqualTo(2);
        assertThat(tracker.ipFailures("ip")).isZero();
        assertThat(tracker.userFailures("user")).isZero();
        assertThat(tracker.recordFailure("ip", "user", "cred-a")).isEqualTo(new Counts(1, 1, true, true));
    }

    @Test
    void successShouldForgetUserButNotIpWhenRecorded() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults());
        tracker.recordFailure("ip", "user", "cred-a");

        tracker.recordSuccess("user");

        assertThat(tracker.userFailures("user")).isZero();
        assertThat(tracker.ipFailures("ip")).isEqualTo(1);
    }

    @Test
    void onlyUserShouldBeCountedWhenIpKeyIsNull() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults());

        Counts counts = tracker.recordFailure(null, "user", "cred-a");

        assertThat(counts).isEqualTo(new Counts(0, 1, false, true));
        assertThat(tracker.ipFailures(null)).isZero();
    }

    @Test
    void clearShouldForgetEverythingWhenCalled() {
        InMemoryFailureTracker tracker = tracker(ThrottleConfig.defaults());
        tracker.recordFailure("ip", "user", "cred-a");

        tracker.clear();

        assertThat(tracker.ipFailures("ip")).isZero();
        assertThat(tracker.recordFailure("ip", "user", "cred-a")).isEqualTo(new Counts(1, 1, true, true));
    }
}
