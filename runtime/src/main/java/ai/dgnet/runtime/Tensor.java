package ai.dgnet.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A dense tensor in host memory. Usually it owns that memory: allocated zeroed in its own arena, released by
 * {@link #close()}. A {@linkplain #view view} instead lays a shape over memory someone else owns (buffers shared by
 * ops that never run at the same time); closing a view does nothing, and it is unusable once that memory is
 * released. Any use after release is an {@link IllegalStateException}. Safe to read from several threads; writers
 * must not race with readers.
 */
public final class Tensor implements AutoCloseable {
    /**
     * The tensors each thread holds ({@link #acquire()}), so that a close from a holding thread, which would wait for
     * itself, fails instead. A run holds one, so the list stays short, and it is searched by identity.
     */
    private static final ThreadLocal<List<Tensor>> HELD = ThreadLocal.withInitial(ArrayList::new);

    private final Shape shape;
    private final DType dtype;
    private final Layout layout;
    /** The owning arena, or null for a view. */
    private final Arena arena;
    private final MemorySegment data;
    private final InFlightCalls uses = new InFlightCalls();

    private Tensor(Shape shape, DType dtype, Layout layout) {
        layout.requireRank(shape);
        this.shape = shape;
        this.dtype = dtype;
        this.layout = layout;
        this.arena = Arena.ofShared();
        this.data = NativeMemory.allocate(arena, byteSize(shape, dtype, layout));
    }

    private Tensor(Shape shape, DType dtype, Layout layout, MemorySegment data) {
        layout.requireRank(shape);
        // Ops hand the memory to oneDNN by address; a segment over a Java array has none, only an offset into it.
        if (!data.isNative()) {
            throw new IllegalArgumentException("a tensor view needs native memory, got a segment of a "
                    + data.heapBase().orElseThrow().getClass().getSimpleName());
        }
        long needed = byteSize(shape, dtype, layout);
        if (data.byteSize() < needed) {
            throw new IllegalArgumentException("a " + describe(shape, dtype, layout) + " tensor needs " + needed
                    + " bytes, the memory has " + data.byteSize());
        }
        this.shape = shape;
        this.dtype = dtype;
        this.layout = layout;
        this.arena = null;
        this.data = data.asSlice(0, needed);
    }

    /** Bytes a tensor of this shape, type and layout occupies, blocked padding included. */
    public static long byteSize(Shape shape, DType dtype, Layout layout) {
        try {
            return Math.multiplyExact(layout.storageElements(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a " + describe(shape, dtype, layout) + " tensor would take more bytes "
                    + "than a 64-bit count holds", e);
        }
    }

    /**
     * A tensor over the start of {@code memory}, native memory which its owner keeps alive and zeroed where the
     * layout pads; the view does not own it.
     *
     * @throws IllegalArgumentException if the layout is for another rank, or the memory is on the heap or too small
     */
    public static Tensor view(Shape shape, DType dtype, Layout layout, MemorySegment memory) {
        return new Tensor(shape, dtype, layout, memory);
    }

    /**
     * A zero-filled tensor.
     *
     * @throws IllegalArgumentException if the layout is for another rank
     * @throws InsufficientMemoryException if the memory cannot be had
     */
    public static Tensor allocate(Shape shape, DType dtype, Layout layout) {
        return new Tensor(shape, dtype, layout);
    }

    /**
     * An f32 tensor holding {@code values} given in logical (row-major NCHW or NC) order.
     *
     * @throws IllegalArgumentException if {@code values} are not as many as the shape has elements, or the layout is
     *                                  for another rank
     * @throws InsufficientMemoryException if the memory cannot be had
     */
    public static Tensor of(Shape shape, Layout layout, float[] values) {
        // Checked before the memory is allocated: a refused tensor is never returned, so nothing would free it.
        requireCount(shape, values);
        Tensor t = new Tensor(shape, DType.F32, layout);
        t.copyFrom(values);
        return t;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public Layout layout() {
        return layout;
    }

    /** The tensor's memory, padding included. Valid until {@link #close()}; an {@link IllegalStateException} after. */
    public MemorySegment segment() {
        requireOpen();
        return data;
    }

    public long byteSize() {
        return data.byteSize();
    }

    public boolean isOpen() {
        return data.scope().isAlive();
    }

    /**
     * Writes {@code values}, given in logical row-major order, into this tensor's layout.
     *
     * @throws IllegalArgumentException if {@code values} are not as many as the shape has elements
     * @throws IllegalStateException if this tensor is closed
     */
    public void copyFrom(float[] values) {
        requireOpen();
        requireCount(shape, values);
        if (isPlainRowMajor() && dtype == DType.F32) {
            MemorySegment.copy(values, 0, data, JAVA_FLOAT, 0, values.length);
            return;
        }
        forEachElement((i, offset) -> write(offset, values[i]));
    }

    private static void requireCount(Shape shape, float[] values) {
        Objects.requireNonNull(values, "values");
        if (values.length != shape.elements()) {
            throw new IllegalArgumentException("expected " + shape.elements() + " values for shape " + shape
                    + ", got " + values.length);
        }
    }

    /**
     * The tensor's values in logical row-major order, whatever the layout and dtype.
     *
     * @throws IllegalStateException if this tensor is closed, or has more elements than an array holds
     */
    public float[] toFloatArray() {
        requireOpen();
        if (shape.elements() > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor " + this + " has " + shape.elements() + " elements, more than a "
                    + "float array holds (" + Integer.MAX_VALUE + ")");
        }
        float[] values = new float[(int) shape.elements()];
        if (isPlainRowMajor() && dtype == DType.F32) {
            MemorySegment.copy(data, JAVA_FLOAT, 0, values, 0, values.length);
            return values;
        }
        forEachElement((i, offset) -> values[i] = read(offset));
        return values;
    }

    /** Sets every byte, padding included, to zero. */
    public void zero() {
        requireOpen();
        data.fill((byte) 0);
    }

    /** Throws an {@link IllegalArgumentException} naming {@code role} unless this tensor is exactly as expected. */
    public void require(Shape expectedShape, DType expectedType, Layout expectedLayout, String role) {
        if (!isOpen()) {
            throw new IllegalStateException(role + ": tensor is closed");
        }
        if (!shape.equals(expectedShape) || dtype != expectedType || layout != expectedLayout) {
            throw new IllegalArgumentException(role + ": expected " + describe(expectedShape, expectedType,
                    expectedLayout) + ", got " + this);
        }
    }

    /**
     * Holds this tensor open until {@link #release()} on the same thread: a {@link #close()} from another thread waits
     * for it rather than free memory that native code is reading. A session holds its input so through a run.
     *
     * @throws IllegalStateException if this tensor is closed
     */
    public void acquire() {
        if (!uses.enter()) {
            throw new IllegalStateException("tensor " + this + " is closed");
        }
        HELD.get().add(this);
    }

    /** Ends a hold that {@link #acquire()} began on this thread; an {@link IllegalStateException} where none did. */
    public void release() {
        List<Tensor> held = HELD.get();
        int last = lastHoldIn(held);
        if (last < 0) {
            throw new IllegalStateException("tensor " + this + " is not held by this thread: release() must follow "
                    + "acquire() on the thread that made it");
        }
        held.remove(last);
        uses.exit();
    }

    /** Where this tensor's last hold is in {@code held}, by identity; -1 if it has none there. */
    private int lastHoldIn(List<Tensor> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            if (held.get(i) == this) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Releases the memory of an owning tensor, once the holds of other threads ({@link #acquire()}) have ended; does
     * nothing for a view.
     *
     * @throws IllegalStateException if this thread holds the tensor: it would wait for itself
     */
    @Override
    public void close() {
        if (arena != null && !uses.closed()) {
            if (lastHoldIn(HELD.get()) >= 0) {
                throw new IllegalStateException("tensor " + this + " is held by this thread: release() it before "
                        + "close()");
            }
            // One close frees the memory: another thread's, racing with it, would find the arena closing and fail.
            if (uses.close()) {
                uses.awaitCalls();
                arena.close();
            }
        }
    }

    @Override
    public String toString() {
        return describe(shape, dtype, layout);
    }

    static String describe(Shape shape, DType dtype, Layout layout) {
        return shape + " " + dtype.label() + " " + layout;
    }

    private boolean isPlainRowMajor() {
        return layout == Layout.NCHW || layout == Layout.NC;
    }

    /**
     * Refuses {@code other} where its memory overlaps this tensor's: two views of one buffer are different tensors,
     * and an op reading one while writing the other would read what it has already written.
     */
    public void requireApart(Tensor other, String what) {
        long a = data.address();
        long b = other.data.address();
        if (a < b + other.data.byteSize() && b < a + data.byteSize()) {
            throw new IllegalArgumentException(what + " share memory: " + this + " at " + Long.toHexString(a)
                    + ", " + other + " at " + Long.toHexString(b));
        }
    }

    private void requireOpen() {
        if (!isOpen()) {
            throw new IllegalStateException("tensor " + this + " is closed");
        }
    }

    private float read(long elementOffset) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(JAVA_FLOAT, elementOffset);
            case BF16 -> BFloat16.toFloat(data.getAtIndex(JAVA_SHORT, elementOffset));
        };
    }

    private void write(long elementOffset, float value) {
        switch (dtype) {
            case F32 -> data.setAtIndex(JAVA_FLOAT, elementOffset, value);
            case BF16 -> data.setAtIndex(JAVA_SHORT, elementOffset, BFloat16.fromFloat(value));
        }
    }

    @FunctionalInterface
    private interface ElementVisitor {
        void visit(int logicalIndex, long storageOffset);
    }

    private void forEachElement(ElementVisitor visitor) {
        int n = shape.dim(0);
        int c = shape.dim(1);
        int h = shape.rank() == 4 ? shape.dim(2) : 1;
        int w = shape.rank() == 4 ? shape.dim(3) : 1;
        int i = 0;
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int ih = 0; ih < h; ih++) {
                    for (int iw = 0; iw < w; iw++) {
                        visitor.visit(i++, layout.offset(shape, in, ic, ih, iw));
                    }
                }
            }
        }
    }
}
