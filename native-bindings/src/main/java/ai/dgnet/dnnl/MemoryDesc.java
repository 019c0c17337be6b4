package ai.dgnet.dnnl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_desc_clone;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_desc_create_with_tag;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_desc_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_desc_equal;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_desc_get_size;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An owned oneDNN memory descriptor. Descriptors are opaque in oneDNN 3; those a primitive descriptor returns
 * belong to it, so {@link #copyOf} clones them and every instance of this class owns exactly one handle.
 */
public final class MemoryDesc extends NativeObject {
    /** {@code DNNL_MAX_NDIMS}: the length of a {@code dnnl_dims_t}. */
    public static final int MAX_NDIMS = 12;

    private MemoryDesc(MemorySegment handle) {
        super(handle, "memory descriptor");
    }

    /** A descriptor of {@code dims} in the layout a {@code dnnl_format_tag_t} names ({@code format_tag_any} included). */
    public static MemoryDesc ofTag(long[] dims, int dataType, int formatTag) {
        checkRank(dims);
        return new MemoryDesc(newHandle("dnnl_memory_desc_create_with_tag", out -> {
            try (Arena arena = Arena.ofConfined()) {
                return dnnl_memory_desc_create_with_tag(out, dims.length, dimsOf(arena, dims), dataType, formatTag);
            }
        }));
    }

    /** An owned copy of a descriptor that someone else owns (for example a primitive descriptor's query result). */
    public static MemoryDesc copyOf(MemorySegment borrowed) {
        if (borrowed.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("cannot copy a null memory descriptor");
        }
        return new MemoryDesc(newHandle("dnnl_memory_desc_clone", out -> dnnl_memory_desc_clone(out, borrowed)));
    }

    /** A {@code dnnl_dims_t}-shaped native array holding {@code values}, allocated in {@code arena}. */
    public static MemorySegment dimsOf(Arena arena, long... values) {
        MemorySegment dims = arena.allocate(JAVA_LONG, MAX_NDIMS);
        MemorySegment.copy(values, 0, dims, JAVA_LONG, 0, values.length);
        return dims;
    }

    /** Bytes a buffer described by this descriptor needs, blocked padding included. */
    public long byteSize() {
        return dnnl_memory_desc_get_size(handle());
    }

    /** Whether data in this layout can be used as data in {@code other}'s without a reorder. */
    public boolean sameLayoutAs(MemoryDesc other) {
        return dnnl_memory_desc_equal(handle(), other.handle()) == 1;
    }

    private static void checkRank(long[] dims) {
        if (dims.length < 1 || dims.length > MAX_NDIMS) {
            throw new IllegalArgumentException("rank must be 1.." + MAX_NDIMS + ", got " + dims.length);
        }
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("dimensions must be positive, got " + java.util.Arrays.toString(dims));
            }
        }
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_memory_desc_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_memory_desc_destroy";
    }
}
