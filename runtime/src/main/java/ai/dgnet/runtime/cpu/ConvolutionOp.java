package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;

import java.util.Arrays;

/**
 * What every CPU convolution op shares, however it convolves ({@link Convolution}, {@link WinogradConvolution},
 * {@link NhwcConvolution}): its spec, the check of its weights when it is made, and the checks of a run's tensors,
 * all before any native call.
 */
abstract class ConvolutionOp extends CpuOp implements Conv2d {
    final Spec spec;
    /** {@code spec.output()}, kept: a record derives it anew on every call, and every run checks against it. */
    final Shape output;
    /** Set by the first run that {@link #requireRunnableKernel} lets through. */
    private boolean kernelAccepted;

    ConvolutionOp(CpuDevice device, Spec spec, ConvWeights weights) {
        super(device);
        checkWeights(spec, weights);
        this.spec = spec;
        this.output = spec.output();
    }

    @Override
    public final Spec spec() {
        return spec;
    }

    @Override
    public final void run(Tensor src, Tensor dst) {
        if (spec.residual() == Residual.ADD) {
            throw new IllegalArgumentException("this convolution adds a residual tensor: call run(src, residual, dst)");
        }
        checkSourceAndDestination(src, dst);
        requireRunnableKernel();
        convolve(src, dst);
    }

    @Override
    public final void run(Tensor src, Tensor residual, Tensor dst) {
        if (spec.residual() != Residual.ADD) {
            throw new IllegalArgumentException("this convolution was prepared with residual " + spec.residual()
                    + ": call run(src, dst)");
        }
        checkSourceAndDestination(src, dst);
        residual.require(output, spec.dtype(), spec.dstLayout(), "convolution residual");
        if (residual == dst) {
            throw new IllegalArgumentException("convolution residual must not be the destination: prepare with "
                    + "Residual.ACCUMULATE to add in place");
        }
        requireRunnableKernel();
        convolve(src, residual, dst);
    }

    /**
     * Refuses to run a bf16 convolution that oneDNN has only its reference kernel for. That kernel rounds every output
     * to bf16 through a jit routine that crashed the JVM (SIGSEGV in oneDNN 3.13's {@code try_cvt_float_to_bfloat16})
     * after 2 to 21 runs of a 7x7 stride-2 convolution from NCHW on an AVX-512 CPU with AMX, on 1 thread as on 2, and
     * took 4.5 s a run. Such an op is still made, so that its {@link #optimized()} can steer a model to another
     * layout; it fails on its first run instead. Checked until a run passes, then never again: a passing op
     * allocates nothing for it.
     */
    private void requireRunnableKernel() {
        if (kernelAccepted) {
            return;
        }
        if (spec.dtype() == DType.BF16 && !optimized()) {
            throw new UnsupportedOperationException("oneDNN has only its reference kernel for " + spec.describe()
                    + " on this CPU (" + implementation() + "), which is not safe to run in bf16: run it in f32 or "
                    + "in another layout");
        }
        kernelAccepted = true;
    }

    /** A checked {@link #run(Tensor, Tensor)}: no residual, or (accumulated) the one in {@code dst}. */
    abstract void convolve(Tensor src, Tensor dst);

    /**
     * A checked {@link #run(Tensor, Tensor, Tensor)}, with {@link Residual#ADD}. An op whose spec can have no such
     * residual never gets here: the check refuses the call first.
     */
    void convolve(Tensor src, Tensor residual, Tensor dst) {
        throw new AssertionError("a " + getClass().getSimpleName() + " adds no residual tensor: " + spec);
    }

    /** Checks that {@code weights} are {@code [out, in/groups, kernelH, kernelW]} and any bias one per output. */
    static void checkWeights(Spec spec, ConvWeights weights) {
        if (weights.weights().length != spec.weightCount()) {
            throw new IllegalArgumentException("convolution weights " + Arrays.toString(new int[] {spec.outChannels(),
                    spec.input().dim(1) / spec.groups(), spec.kernelH(), spec.kernelW()}) + " need "
                    + spec.weightCount() + " values, got " + weights.weights().length);
        }
        if (weights.bias() != null && weights.bias().length != spec.outChannels()) {
            throw new IllegalArgumentException("convolution bias needs " + spec.outChannels() + " values, got "
                    + weights.bias().length);
        }
    }

    private void checkSourceAndDestination(Tensor src, Tensor dst) {
        src.require(spec.input(), spec.dtype(), spec.srcLayout(), "convolution source");
        dst.require(output, spec.dtype(), spec.dstLayout(), "convolution destination");
        src.requireApart(dst, "convolution source and destination");
    }
}
