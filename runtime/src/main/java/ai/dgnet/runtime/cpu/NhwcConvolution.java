package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Reorder;
import ai.dgnet.runtime.op.Residual;

import java.lang.foreign.MemorySegment;

/**
 * A convolution between {@code nChw8c} tensors that runs in NHWC: the source reordered into the calling thread's
 * workspace, oneDNN's NHWC convolution (its brgemm kernel), the result reordered into the destination. Where oneDNN
 * has only its older direct kernel for {@code nChw8c} (AVX2), that is faster even with both reorders for ResNet-50's
 * stride-2 3x3 convolution at 28x28 and batch 1 (see {@link #pays}). One primitive from a blocked source to an NHWC
 * destination would get oneDNN's reference kernel instead.
 */
final class NhwcConvolution extends ConvolutionOp {
    private final Convolution conv;
    private final LayoutReorder in;
    private final LayoutReorder out;
    private final long inBytes;
    private final long outBytes;

    /** Input maps of at most this many pixels: at 56x56 the reorders cost what the NHWC kernel saves. */
    static final int MAX_PIXELS = 28 * 28;

    /**
     * Whether this op runs {@code spec}: a dense f32 3x3 convolution of stride 2 with no residual between
     * {@code nChw8c} tensors.
     */
    static boolean supports(Spec spec) {
        return spec.srcLayout() == Layout.NCHW8C && spec.dstLayout() == Layout.NCHW8C && spec.dtype() == DType.F32
                && spec.kernelH() == 3 && spec.kernelW() == 3 && spec.strideH() == 2 && spec.strideW() == 2
                && spec.dilationH() == 1 && spec.dilationW() == 1 && spec.groups() == 1
                && spec.residual() == Residual.NONE;
    }

    /**
     * Whether this op runs {@code spec} faster than oneDNN's {@code nChw8c} kernel: where it {@linkplain #supports
     * supports} it, for one image of at most {@link #MAX_PIXELS} pixels. Measured on 2 AVX2 cores (Zen 3), the source
     * cold as in a network, reorders included, against the {@code nChw8c} kernel: 256 channels at 28x28 0.81-0.87x
     * the time at batch 1, but 0.96-1.10x at batch 8 and 0.89-1.02x at batch 32; 128 to 256 channels at 28x28
     * 0.77-0.94x at batch 1; 128 channels at 56x56 0.97-1.00x at batch 1, 1.04-1.23x at batch 8 and 1.05-1.18x at
     * batch 32.
     */
    static boolean pays(Spec spec) {
        Shape input = spec.input();
        return supports(spec) && input.dim(0) == 1 && (long) input.dim(2) * input.dim(3) <= MAX_PIXELS;
    }

    NhwcConvolution(CpuDevice device, Spec spec, ConvWeights weights) {
        if (!supports(spec)) {
            throw new IllegalArgumentException("not a convolution run in NHWC here: " + spec);
        }
        super(device, spec, weights);
        this.inBytes = Tensor.byteSize(spec.input(), DType.F32, Layout.NHWC);
        this.outBytes = Tensor.byteSize(output, DType.F32, Layout.NHWC);
        try {
            this.in = owned.add(new LayoutReorder(device,
                    new Reorder.Spec(spec.input(), DType.F32, Layout.NCHW8C, DType.F32, Layout.NHWC)));
            this.conv = owned.add(new Convolution(device, spec.withLayouts(Layout.NHWC, Layout.NHWC), weights));
            this.out = owned.add(new LayoutReorder(device,
                    new Reorder.Spec(output, DType.F32, Layout.NHWC, DType.F32, Layout.NCHW8C)));
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** The NHWC convolution's kernel between the two reorders, e.g. {@code nhwc:brg_conv_fwd:avx2}. */
    @Override
    public String implementation() {
        return "nhwc:" + conv.implementation();
    }

    @Override
    void convolve(Tensor src, Tensor dst) {
        try (CpuDevice.Workspace workspace = device.workspace()) {
            MemorySegment source = workspace.buffer(0, inBytes);
            MemorySegment result = workspace.buffer(1, outBytes);
            counted(in.execute(src.segment(), source) + conv.execute(source, result)
                    + out.execute(result, dst.segment()));
        }
    }
}
