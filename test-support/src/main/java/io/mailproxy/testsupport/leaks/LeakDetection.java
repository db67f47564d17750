package io.mailproxy.testsupport.leaks;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.List;

/**
 * Installs the {@link RecordingLeakDetector} for every Netty resource type and collects what it
 * found. {@link #install()} must run before Netty's buffer classes are initialised (they create
 * their detector once, in a static initialiser): {@link LeakDetectionExtension} does it when JUnit
 * loads it, before any test class runs, and checks it with {@link #verifyInstalled()}.
 */
public final class LeakDetection {
    /** GC rounds per collection: a leaked buffer's tracker is enqueued by the GC, then drained on allocation. */
    private static final int ROUNDS = 2;

    private static boolean installed;

    private LeakDetection() {
    }

    /** Idempotent. Also raises the detection level to paranoid (every buffer tracked, every access recorded). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                      long maxActive) {
                return new RecordingLeakDetector<>(resource, samplingInterval);
            }
        });
    }

    /**
     * Throws when the buffers' detector is not a {@link RecordingLeakDetector}, that is when a
     * buffer class was initialised before {@link #install()} and leaks would only be logged.
     */
    public static void verifyInstalled() {
        Object detector;
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            detector = f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return; // Netty's internals changed: nothing to check against
        }
        if (!(detector instanceof RecordingLeakDetector)) {
            throw new IllegalStateException("Netty's buffer leak detector is " + detector.getClass().getName()
                    + ", not the recording one: a ByteBuf class was initialised before LeakDetection.install(), "
                    + "so leaks would only be logged. Install it earlier (the JUnit extension's static initialiser).");
        }
    }

    /**
     * Forces garbage collection so that unreleased, unreachable buffers are found, makes Netty report
     * them, and returns (and forgets) every leak recorded so far.
     */
    public static List<LeakReport> collectLeaks() {
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            try {
                Thread.sleep(10); // the reference handler thread enqueues cleared references
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // Netty drains its queue of collected trackers whenever it tracks a new resource (unpooled
            // heap buffers are not tracked at all, so the probe is direct).
            ByteBuf probe = Unpooled.directBuffer(1);
            probe.release();
        }
        return LeakRecorder.take();
    }
}
