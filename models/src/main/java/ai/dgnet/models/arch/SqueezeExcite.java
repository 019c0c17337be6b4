package ai.dgnet.models.arch;

import ai.dgnet.models.WeightSource;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.NamedOp;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * torchvision's {@code SqueezeExcitation} (RegNetY): per instance, pool the channels, {@code fc1} (1x1 conv with
 * bias), ReLU, {@code fc2}, sigmoid, and scale every channel by the result.
 */
public record SqueezeExcite(String fc1, String fc2, int channels, int squeeze) {
    void addParams(List<Param> params) {
        params.add(new Param(fc1 + ".weight", new int[] {squeeze, channels, 1, 1}));
        params.add(new Param(fc1 + ".bias", new int[] {squeeze}));
        params.add(new Param(fc2 + ".weight", new int[] {channels, squeeze, 1, 1}));
        params.add(new Param(fc2 + ".bias", new int[] {channels}));
    }

    /** Squeeze-and-excitation on {@code device} for maps of {@code shape}; the caller closes it. */
    Prepared prepare(Device device, WeightSource weights, Shape shape) {
        return new Prepared(device, weights, shape);
    }

    /**
     * The gate's two layers as the device's fully connected ops over the whole batch, their activations fused; the
     * pooling and the scaling on the device's kernels, which read the maps in whatever layout and type they have and
     * split the batch over the device's threads (oneDNN 3.13's binary multiply by a {@code [N, C, 1, 1]} factor is
     * its reference kernel on channel-blocked maps). The gate's tensors are its own.
     */
    final class Prepared implements AutoCloseable {
        private final DgKernels kernels;
        private final int batch;
        private final Linear squeezeOp;
        private final Linear exciteOp;
        private final Tensor pooled;
        private final Tensor hidden;
        private final Tensor gate;
        private final float[][] means;
        private final float[][] scale;

        private Prepared(Device device, WeightSource weights, Shape shape) {
            this.kernels = device.dgKernels();
            this.batch = shape.dim(0);
            this.means = new float[batch][channels];
            this.scale = new float[batch][channels];
            ConvWeights first = new ConvWeights(weights.read(fc1 + ".weight", new int[] {squeeze, channels, 1, 1}),
                    weights.read(fc1 + ".bias", new int[] {squeeze}));
            ConvWeights second = new ConvWeights(weights.read(fc2 + ".weight", new int[] {channels, squeeze, 1, 1}),
                    weights.read(fc2 + ".bias", new int[] {channels}));
            try {
                this.squeezeOp = device.linear(new Linear.Spec(batch, channels, squeeze, Activation.RELU), first);
                this.exciteOp = device.linear(new Linear.Spec(batch, squeeze, channels, Activation.SIGMOID), second);
                this.pooled = device.allocate(Shape.of(batch, channels), DType.F32, Layout.NC);
                this.hidden = device.allocate(Shape.of(batch, squeeze), DType.F32, Layout.NC);
                this.gate = device.allocate(Shape.of(batch, channels), DType.F32, Layout.NC);
            } catch (RuntimeException e) {
                throw Closeables.closeAfter(e, this);
            }
        }

        /** The two fully connected layers under their names in the model. */
        List<NamedOp> ops() {
            return List.of(new NamedOp(fc1, squeezeOp), new NamedOp(fc2, exciteOp));
        }

        boolean optimized() {
            return squeezeOp.optimized() && exciteOp.optimized();
        }

        /** Scales {@code x}'s channels in place, each instance by its own excitation. */
        void apply(Tensor x) {
            if (x.shape().dim(0) != batch || x.shape().dim(1) != channels) {
                throw new IllegalArgumentException("squeeze-and-excitation was prepared for " + batch + " instances of "
                        + channels + " channels, got " + x.shape());
            }
            MemorySegment data = x.segment();
            kernels.channelMeans(data, x.shape(), x.layout(), x.dtype(), means);
            long row = (long) channels * Float.BYTES;
            for (int n = 0; n < batch; n++) {
                MemorySegment.copy(means[n], 0, pooled.segment(), JAVA_FLOAT, n * row, channels);
            }
            squeezeOp.run(pooled, hidden);
            exciteOp.run(hidden, gate);
            for (int n = 0; n < batch; n++) {
                MemorySegment.copy(gate.segment(), JAVA_FLOAT, n * row, scale[n], 0, channels);
            }
            kernels.scaleChannels(data, x.shape(), x.layout(), x.dtype(), scale);
        }

        /** Closes what was made; also on a constructor's failure, when some of it was not. */
        @Override
        public void close() {
            Closeables.closeAll(squeezeOp, exciteOp, pooled, hidden, gate);
        }
    }
}
