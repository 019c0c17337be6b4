package ai.dgnet.models.arch;

import ai.dgnet.models.WeightSource;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;

import java.lang.foreign.MemorySegment;
import java.util.List;

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

    /** The weights read, applied with {@code kernels}: the device's, so that the gate runs where its routers do. */
    Prepared prepare(DgKernels kernels, WeightSource weights) {
        return new Prepared(kernels, weights.read(fc1 + ".weight", new int[] {squeeze, channels, 1, 1}),
                weights.read(fc1 + ".bias", new int[] {squeeze}),
                weights.read(fc2 + ".weight", new int[] {channels, squeeze, 1, 1}),
                weights.read(fc2 + ".bias", new int[] {channels}));
    }

    /** The weights in Java arrays (they are small) and the scratch one application needs. */
    final class Prepared {
        private final DgKernels kernels;
        private final float[] w1;
        private final float[] b1;
        private final float[] w2;
        private final float[] b2;
        private final float[] pooled = new float[channels];
        private final float[] hidden = new float[squeeze];
        private final float[] scale = new float[channels];

        private Prepared(DgKernels kernels, float[] w1, float[] b1, float[] w2, float[] b2) {
            this.kernels = kernels;
            this.w1 = w1;
            this.b1 = b1;
            this.w2 = w2;
            this.b2 = b2;
        }

        /** Scales {@code x}'s channels in place, each instance by its own excitation. */
        void apply(Tensor x) {
            Shape shape = x.shape();
            Layout layout = x.layout();
            MemorySegment data = x.segment();
            for (int n = 0; n < shape.dim(0); n++) {
                kernels.channelMeans(data, shape, layout, x.dtype(), n, pooled);
                for (int k = 0; k < squeeze; k++) {
                    double acc = b1[k];
                    for (int c = 0; c < channels; c++) {
                        acc += (double) w1[k * channels + c] * pooled[c];
                    }
                    hidden[k] = (float) Math.max(acc, 0.0);
                }
                // fc2 then sigmoid is exactly a router's computation.
                kernels.router(hidden, squeeze, w2, b2, channels, scale);
                kernels.scaleChannels(data, shape, layout, x.dtype(), n, scale);
            }
        }
    }
}
