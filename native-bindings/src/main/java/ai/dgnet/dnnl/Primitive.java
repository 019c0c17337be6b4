package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_create;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_execute;

/** A compiled primitive: created once from its descriptor, executed many times. */
public final class Primitive extends NativeObject {
    private Primitive(MemorySegment handle) {
        super(handle, "primitive");
    }

    public static Primitive of(PrimitiveDesc desc) {
        return new Primitive(newHandle("dnnl_primitive_create", out -> dnnl_primitive_create(out, desc.handle())));
    }

    /** Submits one execution; call {@link Stream#waitForCompletion()} before reading the results. */
    public void execute(Stream stream, ExecArgs args) {
        DnnlException.check(dnnl_primitive_execute(handle(), stream.handle(), args.count(), args.array()),
                "dnnl_primitive_execute");
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_primitive_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_primitive_destroy";
    }
}
