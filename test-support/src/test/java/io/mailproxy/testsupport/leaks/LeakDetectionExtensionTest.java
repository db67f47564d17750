package io.mailproxy.testsupport.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check works: each test leaks a buffer on purpose, then asserts that it is
 * caught, and takes the report back out of the recorder so that this class itself passes.
 */
class LeakDetectionExtensionTest {

    @Test
    void collectLeaksShouldReportBufferWhenDroppedWithoutRelease() {
        String marker = leakOneBuffer(false);

        List<LeakReport> leaks = LeakDetection.collectLeaks();

        assertThat(leaks).anySatisfy(leak -> {
            assertThat(leak.resourceType()).isEqualTo("ByteBuf");
            assertThat(leak.records()).contains(marker);
        });
    }

    @Test
    void collectLeaksShouldReportPooledBufferWhenDroppedWithoutRelease() {
        String marker = leakOneBuffer(true);

        assertThat(LeakDetection.collectLeaks()).anySatisfy(leak -> assertThat(leak.records()).contains(marker));
    }

    @Test
    void afterAllShouldFailTheClassWhenLeakIsPending() {
        String marker = leakOneBuffer(false);
        LeakDetectionExtension extension = new LeakDetectionExtension();

        assertThatThrownBy(() -> extension.afterAll(null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Netty resource leak")
                .hasMessageContaining(marker);
        assertThat(LeakRecorder.peek()).isEmpty();
    }

    @Test
    void afterAllShouldPassWhenEveryBufferIsReleased() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(16).writeLong(42);
        buf.release();

        new LeakDetectionExtension().afterAll(null);

        assertThat(LeakRecorder.peek()).isEmpty();
    }

    @Test
    void verifyInstalledShouldPassWhenExtensionLoadedFirst() {
        LeakDetection.verifyInstalled();

        assertThat(io.netty.util.ResourceLeakDetector.getLevel())
                .isEqualTo(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    /**
     * Allocates a buffer from Netty's default allocator (or the pooled one), marks it with a unique
     * hint, and drops it unreleased. (Unpooled heap buffers are never tracked: the GC frees them.)
     */
    private static String leakOneBuffer(boolean pooled) {
        String marker = "deliberate-leak-" + UUID.randomUUID();
        ByteBuf buf = pooled ? PooledByteBufAllocator.DEFAULT.directBuffer(32) : ByteBufAllocator.DEFAULT.heapBuffer(32);
        buf.writeInt(1);
        buf.touch(marker);
        return marker;
    }
}
