package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_create;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_memory_set_data_handle;

/**
 * A oneDNN memory object over a buffer that Java owns. The object never owns the buffer: whoever binds a buffer
 * keeps it alive for as long as primitives may run on it.
 */
public final class Memory extends NativeObject {
    private final long byteSize;

    private Memory(MemorySegment handle, long byteSize) {
        super(handle, "memory");
        this.byteSize = byteSize;
    }

    /** A memory object with no buffer yet; {@link #bind} one before execution. */
    public static Memory unbound(MemoryDesc desc, Engine engine) {
        return new Memory(newHandle("dnnl_memory_create",
                out -> dnnl_memory_create(out, desc.handle(), engine.handle(), MemorySegment.NULL)), desc.byteSize());
    }

    /**
     * Points this memory object at another buffer. oneDNN writes zeros to the buffer's padding (blocked layouts round
     * channels up to whole blocks) on every call, so a prepared primitive binds a buffer again only when it changes.
     */
    public void bind(MemorySegment data) {
        if (data.byteSize() < byteSize) {
            throw new IllegalArgumentException("buffer of " + data.byteSize() + " bytes is smaller than the "
                    + byteSize + " bytes its memory descriptor needs");
        }
        DnnlException.check(dnnl_memory_set_data_handle(handle(), data), "dnnl_memory_set_data_handle");
    }

    public long byteSize() {
        return byteSize;
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_memory_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_memory_destroy";
    }
}
