package ai.dgnet.models.arch;

import ai.dgnet.runtime.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The intermediates of every block of one network, in shared buffers: blocks run one after another, so slot
 * {@code i} (a block's {@code i}-th intermediate) needs only the size of the largest such intermediate, not one
 * buffer per block. The network that makes it owns it and closes it after its blocks.
 */
public final class BlockScratch implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] slots;

    /** Zeroed slots of the given sizes in bytes (blocked layouts rely on zero channel padding). */
    public BlockScratch(long[] slotBytes) {
        slots = new MemorySegment[slotBytes.length];
        try {
            for (int i = 0; i < slotBytes.length; i++) {
                slots[i] = NativeMemory.allocate(arena, Math.max(slotBytes[i], 1));
            }
        } catch (RuntimeException e) {
            // A slot refused (InsufficientMemoryException) fails the scratch before anyone holds it to close it.
            arena.close();
            throw e;
        }
    }

    MemorySegment slot(int index) {
        if (index >= slots.length) {
            throw new IllegalArgumentException("scratch has " + slots.length + " slots, slot " + index
                    + " was asked for");
        }
        return slots[index];
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
