package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
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
        convolve(src, residual, dst);
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
        if (src == dst) {
            throw new IllegalArgumentException("convolution source and destination must be different tensors");
        }
    }
}
