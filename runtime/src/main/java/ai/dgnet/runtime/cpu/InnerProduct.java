package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PostOps;
import ai.dgnet.dnnl.PrimitiveAttr;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Linear;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_inner_product_forward_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_BIAS;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_WEIGHTS;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_a;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_ab;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_format_tag_any;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_forward_inference;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_weights_md;

/**
 * oneDNN's inner product (a fully connected layer) on f32 {@code NC} tensors, weights reordered once, its activation
 * a post-op.
 */
final class InnerProduct extends CpuOp implements Linear {
    private final Spec spec;
    /** The spec computes them anew; kept so that a run allocates nothing. */
    private final Shape input;
    private final Shape output;

    InnerProduct(CpuDevice device, Spec spec, ConvWeights weights) {
        super(device);
        this.spec = spec;
        this.input = spec.input();
        this.output = spec.output();
        long expected = (long) spec.outFeatures() * spec.inFeatures();
        if (weights.weights().length != expected) {
            throw new IllegalArgumentException("linear weights [" + spec.outFeatures() + ", " + spec.inFeatures()
                    + "] need " + expected + " values, got " + weights.weights().length);
        }
        if (weights.bias() != null && weights.bias().length != spec.outFeatures()) {
            throw new IllegalArgumentException("linear bias needs " + spec.outFeatures() + " values, got "
                    + weights.bias().length);
        }
        build(() -> prepareWith(weights));
    }

    private void prepareWith(ConvWeights weights) {
        long[] weightDims = {spec.outFeatures(), spec.inFeatures()};
        boolean hasBias = weights.bias() != null;
        try (MemoryDesc src = CpuDevice.describe(spec.input(), DType.F32, Layout.NC);
             MemoryDesc dst = CpuDevice.describe(spec.output(), DType.F32, Layout.NC);
             MemoryDesc anyWeights = MemoryDesc.ofTag(weightDims, dnnl_f32(), dnnl_format_tag_any());
             MemoryDesc givenWeights = MemoryDesc.ofTag(weightDims, dnnl_f32(), dnnl_ab());
             MemoryDesc bias = MemoryDesc.ofTag(new long[] {spec.outFeatures()}, dnnl_f32(), dnnl_a());
             PostOps postOps = PostOps.create();
             PrimitiveAttr attr = PrimitiveAttr.create()) {
            attr.postOps(Convolution.activation(postOps, spec.activation()));
            PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_inner_product_forward_primitive_desc_create",
                    out -> dnnl_inner_product_forward_primitive_desc_create(out, device.engine().handle(),
                            dnnl_forward_inference(), src.handle(), anyWeights.handle(),
                            hasBias ? bias.handle() : MemorySegment.NULL, dst.handle(), attr.handle())));
            try (MemoryDesc chosenWeights = desc.queryMd(dnnl_query_weights_md(), 0)) {
                PreparedPrimitive primitive = hasBias
                        ? prepare(desc, new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST(), DNNL_ARG_WEIGHTS(), DNNL_ARG_BIAS()},
                                src, dst, chosenWeights, bias)
                        : prepare(desc, new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST(), DNNL_ARG_WEIGHTS()},
                                src, dst, chosenWeights);
                primitive.bind(2, owned.add(device.weights().place(weights.weights(), givenWeights, chosenWeights))
                        .data());
                if (hasBias) {
                    primitive.bind(3, owned.add(device.weights().place(weights.bias(), bias, bias)).data());
                }
            }
        }
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        src.require(input, DType.F32, Layout.NC, "linear source");
        dst.require(output, DType.F32, Layout.NC, "linear destination");
        src.requireApart(dst, "linear source and destination");
        run(src.segment(), dst.segment());
    }
}
