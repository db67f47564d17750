package io.mailproxy.testsupport.leaks;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, reporting as usual (an ERROR log line) and also to the {@link LeakRecorder},
 * so a test run can fail on a leak instead of only logging it. Reports even when the logger is
 * quiet.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LeakRecorder.record(new LeakReport(resourceType, records));
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LeakRecorder.record(new LeakReport(resourceType, ""));
        super.reportUntracedLeak(resourceType);
    }
}
