package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_create;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_set_post_ops;

/** Primitive attributes: the post-ops fused after a primitive. */
public final class PrimitiveAttr extends NativeObject {
    private PrimitiveAttr(MemorySegment handle) {
        super(handle, "primitive attributes");
    }

    public static PrimitiveAttr create() {
        return new PrimitiveAttr(newHandle("dnnl_primitive_attr_create", out -> dnnl_primitive_attr_create(out)));
    }

    /** Copies {@code postOps} into the attributes; the caller still owns and closes {@code postOps}. */
    public PrimitiveAttr postOps(PostOps postOps) {
        DnnlException.check(dnnl_primitive_attr_set_post_ops(handle(), postOps.handle()),
                "dnnl_primitive_attr_set_post_ops");
        return this;
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_primitive_attr_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_primitive_attr_destroy";
    }
}
