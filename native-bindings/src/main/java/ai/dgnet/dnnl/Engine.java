package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_common_h.dnnl_engine_create;
import static ai.dgnet.dnnl.c.dnnl_common_h.dnnl_engine_destroy;
import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_cpu;

/** A oneDNN engine: the device primitives are created for. */
public final class Engine extends NativeObject {
    private Engine(MemorySegment handle) {
        super(handle, "engine");
    }

    /** The CPU engine (index 0). */
    public static Engine cpu() {
        // Loads the library first, so a missing or wrong oneDNN is its own clear exception rather than an
        // ExceptionInInitializerError from the first bound function.
        DnnlLibrary.lookup();
        return new Engine(newHandle("dnnl_engine_create", out -> dnnl_engine_create(out, dnnl_cpu(), 0)));
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_engine_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_engine_destroy";
    }
}
