package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.NativeMemory;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Memory that the stages of one network share for the outputs of their later nodes and their aggregation buffer.
 * Stages run one after another, and only a stage's first node reads the stage input (the previous stage's output,
 * which may lie here); that node writes elsewhere (another {@code StageBuffers}, which consecutive stages take turns
 * with), so once it has run the stage may overwrite what the previous stage left here. The memory thus needs the
 * size of the largest stage's share, not the sum.
 *
 * <p>A stage of {@code m > 1} nodes takes {@code m} slots from the start: the outputs of nodes {@code 1 .. m-1}, then
 * its aggregation buffer; a single-node stage takes none. Until the first stage's second node runs, the memory is
 * free for what runs before the stages and is read only by the first stage's first node (a network's stem): see
 * {@link #views}. Every buffer here is fully written (blocked padding included) before it is read in a run: nodes
 * write whole blocks and the aggregation writes whole instances. Whoever makes it owns it and closes it after
 * whatever uses it.
 */
public final class StageBuffers implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;

    /** Zeroed memory of {@code bytes}: the most that any stage sharing it, or the views taken before them, needs. */
    public StageBuffers(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("stage buffers need a size >= 0 bytes, got " + bytes);
        }
        this.memory = NativeMemory.allocate(arena, Math.max(bytes, 1));
    }

    /** The bytes a stage of {@code nodes} nodes, each writing {@code nodeShape}, takes here. */
    public static long bytes(Shape nodeShape, int nodes, DType dtype, Layout layout) {
        return nodes > 1 ? bytes(Collections.nCopies(nodes, nodeShape), dtype, layout) : 0;
    }

    /** The bytes {@link #views} of {@code shapes} take. */
    public static long bytes(List<Shape> shapes, DType dtype, Layout layout) {
        long bytes = 0;
        for (Shape shape : shapes) {
            bytes = Math.addExact(bytes, alignedBytes(shape, dtype, layout));
        }
        return bytes;
    }

    private static long alignedBytes(Shape shape, DType dtype, Layout layout) {
        return Math.ceilDiv(Tensor.byteSize(shape, dtype, layout), NativeMemory.ALIGNMENT) * NativeMemory.ALIGNMENT;
    }

    /**
     * Tensors of {@code shapes} one after another from the start, none overlapping another: views, valid until this
     * is closed.
     */
    public List<Tensor> views(List<Shape> shapes, DType dtype, Layout layout) {
        long needed = bytes(shapes, dtype, layout);
        if (needed > memory.byteSize()) {
            throw new IllegalArgumentException("stage buffers of " + memory.byteSize() + " bytes are too small for "
                    + shapes + " " + dtype + " " + layout + ": they need " + needed + " bytes");
        }
        List<Tensor> views = new ArrayList<>(shapes.size());
        long offset = 0;
        for (Shape shape : shapes) {
            long size = alignedBytes(shape, dtype, layout);
            views.add(Tensor.view(shape, dtype, layout, memory.asSlice(offset, size)));
            offset += size;
        }
        return views;
    }

    /** The slots of a stage of {@code nodes > 1} nodes writing {@code nodeShape}, as the class comment lays out. */
    List<Tensor> stageSlots(Shape nodeShape, int nodes, DType dtype, Layout layout) {
        return views(Collections.nCopies(nodes, nodeShape), dtype, layout);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
