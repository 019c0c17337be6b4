package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_common_h.dnnl_stream_create;
import static ai.dgnet.dnnl.c.dnnl_common_h.dnnl_stream_destroy;
import static ai.dgnet.dnnl.c.dnnl_common_h.dnnl_stream_wait;
import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_stream_in_order;

/** An in-order execution stream on an engine. Not for concurrent use from several threads. */
public final class Stream extends NativeObject {
    private Stream(MemorySegment handle) {
        super(handle, "stream");
    }

    public static Stream inOrder(Engine engine) {
        return new Stream(newHandle("dnnl_stream_create",
                out -> dnnl_stream_create(out, engine.handle(), dnnl_stream_in_order())));
    }

    /** Blocks until everything submitted to this stream has finished. */
    public void waitForCompletion() {
        DnnlException.check(dnnl_stream_wait(handle()), "dnnl_stream_wait");
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_stream_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_stream_destroy";
    }
}
