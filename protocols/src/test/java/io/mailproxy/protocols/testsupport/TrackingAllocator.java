package io.mailproxy.protocols.testsupport;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so a test can assert deterministically
 * (no GC involved) that all of them were released: set it on the EmbeddedChannels under test
 * ({@link EmbeddedProxy} does) and call {@link #assertAllReleased()} at the end.
 * Heap buffers only; single-threaded like EmbeddedChannel.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        allocated.add(buf);
        return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** How many buffers were allocated so far. */
    public int allocations() {
        return allocated.size();
    }

    /** Buffers allocated here and still referenced. */
    public List<ByteBuf> unreleased() {
        List<ByteBuf> live = new ArrayList<>();
        for (ByteBuf b : allocated) {
            if (b.refCnt() > 0) {
                live.add(b);
            }
        }
        return live;
    }

    /** Fails when any buffer allocated here has not been released. */
    public void assertAllReleased() {
        List<ByteBuf> live = unreleased();
        if (!live.isEmpty()) {
            throw new AssertionError(live.size() + " of " + allocated.size() + " buffers not released: " + live);
        }
    }
}
