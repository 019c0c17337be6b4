package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.DnnlException;
import ai.dgnet.dnnl.DnnlStatus;
import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PostOps;
import ai.dgnet.dnnl.PrimitiveAttr;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.PointwiseDepthwise;

import java.util.Optional;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_ATTR_POST_OP_DW;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_BIAS;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_WEIGHTS;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_dst_md;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_weights_md;

/**
 * oneDNN's 1x1 convolution with the depthwise one fused as a post-op ({@code dnnl_post_ops_append_dw}): the 1x1
 * kernel computes a few rows of its result into a per-thread buffer and the depthwise kernel consumes them there.
 * oneDNN also accepts pairs it has no such kernel for and then runs them one after another through a scratchpad
 * ({@code ref_fused_convolution}); {@link CpuDevice#pointwiseDepthwise} declines those ({@link #fusingDescriptor}).
 */
final class PointwiseDepthwiseConvolution extends CpuOp implements PointwiseDepthwise {
    private final Spec spec;
    /** The spec computes it anew; kept so that a run allocates nothing. */
    private final Shape output;

    /** Takes ownership of {@code desc}, from {@link #fusingDescriptor} for {@code spec}. */
    PointwiseDepthwiseConvolution(CpuDevice device, Spec spec, PrimitiveDesc desc, ConvWeights pointwise,
                                  ConvWeights depthwise) {
        super(device);
        this.spec = spec;
        this.output = spec.output();
        owned.add(desc);
        build(() -> prepareWith(desc, pointwise, depthwise));
    }

    /** Checks both convolutions' weights against {@code spec}, before any native call. */
    static void checkWeights(Spec spec, ConvWeights pointwise, ConvWeights depthwise) {
        ConvolutionOp.checkWeights(spec.pointwise(), pointwise);
        ConvolutionOp.checkWeights(spec.depthwise(), depthwise);
    }

    /**
     * The fused primitive's descriptor for {@code spec}, the caller's to close, where oneDNN runs the pair in one
     * pass and writes {@code spec}'s destination layout; empty where it has no implementation of the pair (bf16
     * without AVX-512) or would only chain the two convolutions: its {@code ref_fused_convolution}, also inside the
     * wrapper that runs plain layouts through blocked ones ({@code jit_uni_ncsp:conv+ref_fused_convolution:...}).
     */
    static Optional<PrimitiveDesc> fusingDescriptor(CpuDevice device, Spec spec) {
        PrimitiveDesc desc;
        try {
            desc = describe(device, spec);
        } catch (DnnlException e) {
            if (e.status() == DnnlStatus.UNIMPLEMENTED) {
                return Optional.empty();
            }
            throw e;
        }
        boolean fuses;
        try {
            fuses = optimized(desc.implementation()) && writesLayoutOf(desc, spec)
                    && describesDepthwiseArguments(desc);
        } catch (RuntimeException e) {
            desc.close();
            throw e;
        }
        if (!fuses) {
            desc.close();
            return Optional.empty();
        }
        return Optional.of(desc);
    }

    /**
     * The 1x1 convolution is described as writing its own result, as oneDNN asks: the depthwise post-op's output
     * follows from it.
     */
    private static PrimitiveDesc describe(CpuDevice device, Spec spec) {
        Conv2d.Spec pointwise = spec.pointwise();
        Conv2d.Spec depthwise = spec.depthwise();
        int dataType = CpuDevice.dataType(pointwise.dtype());
        try (MemoryDesc src = CpuDevice.describe(pointwise.input(), pointwise.dtype(), pointwise.srcLayout());
             MemoryDesc expanded = CpuDevice.describe(pointwise.output(), pointwise.dtype(), pointwise.dstLayout());
             MemoryDesc weights = Convolution.anyWeights(pointwise);
             MemoryDesc bias = Convolution.bias(pointwise);
             PostOps postOps = PostOps.create();
             PrimitiveAttr attr = PrimitiveAttr.create()) {
            Convolution.activation(postOps, pointwise.activation())
                    .depthwise(dataType, dnnl_f32(), dataType, depthwise.kernelH(), depthwise.strideH(),
                            depthwise.padH());
            attr.postOps(Convolution.activation(postOps, depthwise.activation()));
            return Convolution.forward(device, pointwise, src, weights, bias, expanded, attr);
        }
    }

    /** For a plain layout oneDNN may pick a blocked destination, which the tensors are not. */
    private static boolean writesLayoutOf(PrimitiveDesc desc, Spec spec) {
        try (MemoryDesc wanted = CpuDevice.describe(spec.output(), spec.depthwise().dtype(),
                spec.depthwise().dstLayout());
             MemoryDesc written = desc.queryMd(dnnl_query_dst_md(), 0)) {
            return written.sameLayoutAs(wanted);
        }
    }

    /**
     * Whether oneDNN describes the depthwise convolution's weights and bias it takes. The wrapper that runs plain
     * layouts through blocked ones accepts the pair with a jit 1x1 kernel inside ({@code jit_uni_ncsp:conv+jit_1x1},
     * as oneDNN picks on AMD's Zen 5 for NCHW maps) but describes those two arguments as empty, so nothing could be
     * placed for them: the pair then runs as two ops.
     */
    private static boolean describesDepthwiseArguments(PrimitiveDesc desc) {
        try (MemoryDesc weights = desc.argMd(DNNL_ARG_ATTR_POST_OP_DW() | DNNL_ARG_WEIGHTS());
             MemoryDesc bias = desc.argMd(DNNL_ARG_ATTR_POST_OP_DW() | DNNL_ARG_BIAS())) {
            return weights.byteSize() > 0 && bias.byteSize() > 0;
        }
    }

    private void prepareWith(PrimitiveDesc desc, ConvWeights pointwise, ConvWeights depthwise) {
        int depthwiseWeights = DNNL_ARG_ATTR_POST_OP_DW() | DNNL_ARG_WEIGHTS();
        int depthwiseBias = DNNL_ARG_ATTR_POST_OP_DW() | DNNL_ARG_BIAS();
        try (MemoryDesc src = CpuDevice.describe(spec.input(), spec.pointwise().dtype(),
                     spec.pointwise().srcLayout());
             MemoryDesc dst = CpuDevice.describe(spec.output(), spec.depthwise().dtype(),
                     spec.depthwise().dstLayout());
             MemoryDesc pointwiseWeights = desc.queryMd(dnnl_query_weights_md(), 0);
             MemoryDesc pointwiseBias = Convolution.bias(spec.pointwise());
             MemoryDesc givenPointwise = Convolution.givenWeights(spec.pointwise());
             MemoryDesc chosenDepthwise = desc.argMd(depthwiseWeights);
             MemoryDesc chosenDepthwiseBias = desc.argMd(depthwiseBias);
             MemoryDesc givenDepthwise = Convolution.givenWeights(spec.depthwise())) {
            PreparedPrimitive primitive = prepare(desc,
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST(), DNNL_ARG_WEIGHTS(), DNNL_ARG_BIAS(), depthwiseWeights,
                            depthwiseBias},
                    src, dst, pointwiseWeights, pointwiseBias, chosenDepthwise, chosenDepthwiseBias);
            Weights placed = device.weights();
            primitive.bind(2, owned.add(placed.place(pointwise.weights(), givenPointwise, pointwiseWeights)).data());
            primitive.bind(3, owned.add(placed.place(biasOf(spec.pointwise(), pointwise), pointwiseBias,
                    pointwiseBias)).data());
            primitive.bind(4, owned.add(placed.place(depthwise.weights(), givenDepthwise, chosenDepthwise)).data());
            primitive.bind(5, owned.add(placed.place(biasOf(spec.depthwise(), depthwise), chosenDepthwiseBias,
                    chosenDepthwiseBias)).data());
        }
    }

    /** The bias, zeros where there is none: the fused kernels take one for both convolutions. */
    private static float[] biasOf(Conv2d.Spec spec, ConvWeights weights) {
        return weights.bias() != null ? weights.bias() : new float[spec.outChannels()];
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        src.require(spec.input(), spec.pointwise().dtype(), spec.pointwise().srcLayout(), "1x1 convolution source");
        dst.require(output, spec.depthwise().dtype(), spec.depthwise().dstLayout(),
                "depthwise convolution destination");
        src.requireApart(dst, "convolution source and destination");
        run(src.segment(), dst.segment());
    }
}
