package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_create;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_destroy;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_set_fpmath_mode;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_set_post_ops;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_primitive_attr_set_scratchpad_mode;

/** Primitive attributes: post-ops, floating-point math mode, scratchpad ownership. */
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

    /** Lets oneDNN compute f32 primitives in a lower precision, e.g. {@code dnnl_fpmath_mode_bf16}. */
    public PrimitiveAttr fpmathMode(int mode) {
        DnnlException.check(dnnl_primitive_attr_set_fpmath_mode(handle(), mode), "dnnl_primitive_attr_set_fpmath_mode");
        return this;
    }

    public PrimitiveAttr scratchpadMode(int mode) {
        DnnlException.check(dnnl_primitive_attr_set_scratchpad_mode(handle(), mode),
                "dnnl_primitive_attr_set_scratchpad_mode");
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
