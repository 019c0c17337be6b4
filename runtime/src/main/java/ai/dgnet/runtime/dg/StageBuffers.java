package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory that the stages of one network share for the outputs of their later nodes and their aggregation buffer.
 * Stages run one after another, and only a stage's first node reads the stage input (the previous stage's output,
 * which may lie here); that node writes a buffer of its stage's own, so once it has run the stage may overwrite
 * what the previous stage left here. The memory thus needs the size of the largest stage's share, not the sum.
 *
 * <p>A stage of {@code m > 1} nodes takes {@code m} slots from the start: the outputs of nodes {@code 1 .. m-1}, then
 * its aggregation buffer; a single-node stage takes none. Every slot is fully written (blocked padding included)
 * before it is read in a run: nodes write whole blocks and the aggregation writes whole instances. Whoever makes
 * it owns it and closes it after the stages that use it.
 */
public final class StageBuffers implements AutoCloseable {
    private static final long ALIGNMENT = 64;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;

    /** Zeroed memory of {@code bytes}: the largest {@link #bytes} of the stages that will share it. */
    public StageBuffers(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("stage buffers need a size >= 0 bytes, got " + bytes);
        }
        this.memory = arena.allocate(Math.max(bytes, 1), ALIGNMENT);
    }

    /** The bytes a stage of {@code nodes} nodes, each writing {@code nodeShape}, takes here. */
    public static long bytes(Shape nodeShape, int nodes, DType dtype, Layout layout) {
        return nodes > 1 ? Math.multiplyExact(nodes, slotBytes(nodeShape, dtype, layout)) : 0;
    }

    private static long slotBytes(Shape nodeShape, DType dtype, Layout layout) {
        long bytes = Tensor.byteSize(nodeShape, dtype, layout);
        return Math.ceilDiv(bytes, ALIGNMENT) * ALIGNMENT;
    }

    /** Slot {@code index} of a stage whose nodes write {@code nodeShape}: a view, valid until this is closed. */
    Tensor slot(int index, Shape nodeShape, DType dtype, Layout layout) {
        long size = slotBytes(nodeShape, dtype, layout);
        if ((index + 1) * size > memory.byteSize()) {
            throw new IllegalArgumentException("stage buffers of " + memory.byteSize() + " bytes have no slot "
                    + index + " for a stage of " + nodeShape + " " + dtype + " " + layout + " nodes: it needs "
                    + (index + 1) * size + " bytes");
        }
        return Tensor.view(nodeShape, dtype, layout, memory.asSlice(index * size, size));
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
