package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_append_binary;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_append_dw;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_append_eltwise;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_append_sum;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_create;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_post_ops_destroy;
import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_data_type_undef;

/** A chain of operations fused after a primitive's main computation, applied in the order appended. */
public final class PostOps extends NativeObject {
    private PostOps(MemorySegment handle) {
        super(handle, "post-ops");
    }

    public static PostOps create() {
        return new PostOps(newHandle("dnnl_post_ops_create", out -> dnnl_post_ops_create(out)));
    }

    /** {@code dst = alg(dst, alpha, beta)} element-wise; ReLU is alpha 0, ReLU6 is clip with alpha 0, beta 6. */
    public PostOps eltwise(int alg, float alpha, float beta) {
        DnnlException.check(dnnl_post_ops_append_eltwise(handle(), alg, alpha, beta), "dnnl_post_ops_append_eltwise");
        return this;
    }

    /** {@code dst = scale * previous dst + result}: the previous contents must be in dst before execution. */
    public PostOps sum(float scale) {
        DnnlException.check(dnnl_post_ops_append_sum(handle(), scale, 0, dnnl_data_type_undef()),
                "dnnl_post_ops_append_sum");
        return this;
    }

    /** {@code dst = alg(dst, src1)} with src1 passed at execution as {@code DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1}. */
    public PostOps binary(int alg, MemoryDesc src1) {
        DnnlException.check(dnnl_post_ops_append_binary(handle(), alg, src1.handle()), "dnnl_post_ops_append_binary");
        return this;
    }

    /**
     * A depthwise {@code kernel x kernel} convolution over the 1x1 convolution's result, padded by {@code padding} on
     * the top and left, its weights and result of the given data types and its bias of {@code biasType}. Its weights
     * and bias are passed at execution as {@code DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS} and
     * {@code | DNNL_ARG_BIAS}. Only a 1x1 convolution takes it, and only eltwise post-ops may come before or after it.
     */
    public PostOps depthwise(int weightsType, int biasType, int dstType, long kernel, long stride, long padding) {
        DnnlException.check(dnnl_post_ops_append_dw(handle(), weightsType, biasType, dstType, kernel, stride, padding),
                "dnnl_post_ops_append_dw");
        return this;
    }

    @Override
    int destroy(MemorySegment handle) {
        return dnnl_post_ops_destroy(handle);
    }

    @Override
    String destroyFunction() {
        return "dnnl_post_ops_destroy";
    }
}
