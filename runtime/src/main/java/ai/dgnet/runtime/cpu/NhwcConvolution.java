package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Reorder;
import ai.dgnet.runtime.op.Residual;

import java.lang.foreign.MemorySegment;

/**
 * A convolution between {@code nChw8c} tensors that runs in NHWC: the source reordered into the calling thread's
 * workspace, oneDNN's NHWC convolution (its brgemm kernel), the result reordered into the destination. Where oneDNN
 * has only its older direct kernel for {@code nChw8c} (AVX2), that is faster even with both reorders for ResNet's
 * stride-2 3x3 convolutions (see {@link #pays}); a convolution with a blocked source and an NHWC destination in
 * one primitive would get oneDNN's reference kernel instead.
 */
final class NhwcConvolution extends CpuOp implements Conv2d {
    private final Spec spec;
    private final Shape output;
    private final Convolution conv;
    private final LayoutReorder in;
    private final LayoutReorder out;
    private final long inBytes;
    private final long outBytes;

    /**
     * Whether {@code spec} is one this op runs faster than oneDNN's {@code nChw8c} kernel: a dense f32 3x3
     * convolution of stride 2 with no residual between {@code nChw8c} tensors. Measured on 2 AVX2 cores (Zen 3),
     * batch 1, the source cold as in a network, reorders included: 128 channels at 56x56 2.10-2.22 against 2.26-2.49
     * ms, 256 at 28x28 1.87-1.98 against 2.32-2.37 ms.
     */
    static boolean pays(Spec spec) {
        return spec.srcLayout() == Layout.NCHW8C && spec.dstLayout() == Layout.NCHW8C && spec.dtype() == DType.F32
                && spec.kernelH() == 3 && spec.kernelW() == 3 && spec.strideH() == 2 && spec.strideW() == 2
                && spec.dilationH() == 1 && spec.dilationW() == 1 && spec.groups() == 1
                && spec.residual() == Residual.NONE;
    }

    NhwcConvolution(CpuDevice device, Spec spec, ConvWeights weights) {
        super(device);
        if (!pays(spec)) {
            throw new IllegalArgumentException("not a convolution run in NHWC here: " + spec);
        }
        Convolution.checkWeights(spec, weights);
        this.spec = spec;
        this.output = spec.output();
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
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        Convolution.checkRun(spec, output, src, dst);
        MemorySegment source = device.workspace(0, inBytes);
        MemorySegment result = device.workspace(1, outBytes);
        counted(in.execute(src.segment(), source) + conv.execute(source, result) + out.execute(result, dst.segment()));
    }

    /** Refuses, as every convolution prepared without a residual does. */
    @Override
    public void run(Tensor src, Tensor residual, Tensor dst) {
        Convolution.checkRun(spec, output, src, residual, dst);
    }
}
