package ai.dgnet.dnnl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_desc_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_desc_query;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_desc_query_md;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_exec_arg_md;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_impl_info_str;
import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * A primitive descriptor: the implementation oneDNN chose for one operation on given shapes, and the memory
 * layouts it wants. Each kind of primitive has its own C creation function, passed in as a lambda.
 */
public final class PrimitiveDesc extends NativeObject {
    private PrimitiveDesc(MemorySegment handle) {
        super(handle, "primitive descriptor");
    }

    /**
     * Creates a primitive descriptor with {@code function}, a {@code dnnl_*_primitive_desc_create} call that
     * writes the new descriptor through its first argument.
     */
    public static PrimitiveDesc create(String function, HandleCreator creator) {
        return new PrimitiveDesc(newHandle(function, creator));
    }

    /** An owned copy of the memory descriptor this primitive wants for {@code what} (a {@code dnnl_query_*_md}). */
    public MemoryDesc queryMd(int what, int index) {
        MemorySegment md = dnnl_primitive_desc_query_md(handle(), what, index);
        if (md.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("primitive descriptor has no memory descriptor for query " + what
                    + " index " + index);
        }
        return MemoryDesc.copyOf(md);
    }

    /** The memory descriptor of an execution argument, e.g. {@code DNNL_ARG_SCRATCHPAD}. */
    public MemoryDesc argMd(int arg) {
        return queryMd(dnnl_query_exec_arg_md(), arg);
    }

    /** The name of the implementation oneDNN picked, e.g. {@code brg_conv_fwd:avx512_core}. */
    @SuppressWarnings("restricted") // the string oneDNN returns has no size; it is read up to its terminator
    public String implementation() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            DnnlException.check(dnnl_primitive_desc_query(handle(), dnnl_query_impl_info_str(), 0, out),
                    "dnnl_primitive_desc_query");
            return out.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_primitive_desc_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_primitive_desc_destroy";
    }
}
