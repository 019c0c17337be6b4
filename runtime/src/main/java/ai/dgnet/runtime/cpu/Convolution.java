package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PostOps;
import ai.dgnet.dnnl.PrimitiveAttr;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Residual;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_convolution_forward_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_BIAS;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC_1;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_WEIGHTS;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_a;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_binary_add;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_convolution_direct;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_eltwise_clip;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_eltwise_logistic;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_eltwise_relu;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_format_tag_any;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_forward_inference;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_goihw;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_oihw;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_weights_md;

/**
 * The oneDNN forward convolution: bias, residual and activation fused as post-ops, weights reordered once into
 * the layout the chosen kernel wants (the descriptor asks for {@code format_tag_any}), activations in the layouts
 * the spec names.
 */
final class Convolution extends ConvolutionOp {
    Convolution(CpuDevice device, Spec spec, ConvWeights weights) {
        super(device, spec, weights);
        build(() -> prepareWith(weights));
    }

    private void prepareWith(ConvWeights weights) {
        boolean hasBias = weights.bias() != null;
        try (MemoryDesc src = CpuDevice.describe(spec.input(), spec.dtype(), spec.srcLayout());
             MemoryDesc dst = CpuDevice.describe(output, spec.dtype(), spec.dstLayout());
             MemoryDesc anyWeights = anyWeights(spec);
             MemoryDesc givenWeights = givenWeights(spec);
             MemoryDesc bias = bias(spec);
             PostOps postOps = epilogue(dst);
             PrimitiveAttr attr = PrimitiveAttr.create().postOps(postOps)) {
            PrimitiveDesc desc = owned.add(forward(device, spec, src, anyWeights, hasBias ? bias : null, dst, attr));
            try (MemoryDesc chosenWeights = desc.queryMd(dnnl_query_weights_md(), 0)) {
                // Per-run buffers first (source, destination, residual), then the constants bound once here.
                List<Integer> argIds = new ArrayList<>(List.of(DNNL_ARG_SRC(), DNNL_ARG_DST()));
                List<MemoryDesc> mds = new ArrayList<>(List.of(src, dst));
                if (spec.residual() == Residual.ADD) {
                    // The binary add is post-op 0, so its operand is DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | SRC_1.
                    argIds.add(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE() | DNNL_ARG_SRC_1());
                    mds.add(dst);
                }
                int weightSlot = argIds.size();
                argIds.add(DNNL_ARG_WEIGHTS());
                mds.add(chosenWeights);
                if (hasBias) {
                    argIds.add(DNNL_ARG_BIAS());
                    mds.add(bias);
                }
                PreparedPrimitive primitive = prepare(desc,
                        argIds.stream().mapToInt(Integer::intValue).toArray(), mds.toArray(MemoryDesc[]::new));
                primitive.bind(weightSlot,
                        owned.add(device.weights().place(weights.weights(), givenWeights, chosenWeights)).data());
                if (hasBias) {
                    primitive.bind(weightSlot + 1, owned.add(device.weights().place(weights.bias(), bias, bias)).data());
                }
            }
        }
    }

    /**
     * The descriptor of oneDNN's direct forward convolution for {@code spec}'s geometry over the given memory
     * descriptors ({@code bias} null for none), with {@code attr}'s post-ops; the caller owns it.
     */
    static PrimitiveDesc forward(CpuDevice device, Spec spec, MemoryDesc src, MemoryDesc weights, MemoryDesc bias,
                                 MemoryDesc dst, PrimitiveAttr attr) {
        try (Arena arena = Arena.ofConfined()) {
            return PrimitiveDesc.create("dnnl_convolution_forward_primitive_desc_create",
                    out -> dnnl_convolution_forward_primitive_desc_create(out, device.engine().handle(),
                            dnnl_forward_inference(), dnnl_convolution_direct(), src.handle(), weights.handle(),
                            bias == null ? MemorySegment.NULL : bias.handle(), dst.handle(),
                            MemoryDesc.dimsOf(arena, spec.strideH(), spec.strideW()),
                            // oneDNN counts dilation from zero: PyTorch's dilation 1 (none) is 0 here.
                            MemoryDesc.dimsOf(arena, spec.dilationH() - 1, spec.dilationW() - 1),
                            MemoryDesc.dimsOf(arena, spec.padH(), spec.padW()),
                            MemoryDesc.dimsOf(arena, spec.padH(), spec.padW()),
                            attr.handle()));
        }
    }

    /** Weights in whatever layout the kernel oneDNN picks wants, of the spec's type. */
    static MemoryDesc anyWeights(Spec spec) {
        return MemoryDesc.ofTag(weightDims(spec), CpuDevice.dataType(spec.dtype()), dnnl_format_tag_any());
    }

    /** Weights as PyTorch stores them: f32, {@code [out, in/groups, kh, kw]}. */
    static MemoryDesc givenWeights(Spec spec) {
        return MemoryDesc.ofTag(weightDims(spec), dnnl_f32(), spec.groups() > 1 ? dnnl_goihw() : dnnl_oihw());
    }

    /** The bias: one per output channel, f32 whatever type the activations have. */
    static MemoryDesc bias(Spec spec) {
        return MemoryDesc.ofTag(new long[] {spec.outChannels()}, dnnl_f32(), dnnl_a());
    }

    /** Residual before activation, as in ResNet: {@code relu(conv(x) + bias + identity)}. */
    private PostOps epilogue(MemoryDesc dst) {
        PostOps postOps = PostOps.create();
        try {
            switch (spec.residual()) {
                case NONE -> { }
                case ACCUMULATE -> postOps.sum(1.0f);
                case ADD -> postOps.binary(dnnl_binary_add(), dst);
            }
            return activation(postOps, spec.activation());
        } catch (RuntimeException e) {
            postOps.close();
            throw e;
        }
    }

    /** Appends {@code activation} to {@code postOps} (nothing for none) and returns them. */
    static PostOps activation(PostOps postOps, Activation activation) {
        return switch (activation) {
            case NONE -> postOps;
            case RELU -> postOps.eltwise(dnnl_eltwise_relu(), 0.0f, 0.0f);
            case RELU6 -> postOps.eltwise(dnnl_eltwise_clip(), 0.0f, 6.0f);
            case SIGMOID -> postOps.eltwise(dnnl_eltwise_logistic(), 0.0f, 0.0f);
        };
    }

    /** oneDNN wants grouped weights 5-D, {@code [groups, out/groups, in/groups, kh, kw]}; same bytes as PyTorch's. */
    private static long[] weightDims(Spec spec) {
        int g = spec.groups();
        int out = spec.outChannels();
        int in = spec.input().dim(1);
        return g == 1
                ? new long[] {out, in, spec.kernelH(), spec.kernelW()}
                : new long[] {g, out / g, in / g, spec.kernelH(), spec.kernelW()};
    }

    @Override
    void convolve(Tensor src, Tensor dst) {
        run(src.segment(), dst.segment());
    }

    @Override
    void convolve(Tensor src, Tensor residual, Tensor dst) {
        run(src.segment(), dst.segment(), residual.segment());
    }
}
