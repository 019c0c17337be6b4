package ai.dgnet.runtime;

/** Convolution or linear weights in PyTorch's order ({@code [out, in/groups, kh, kw]} or {@code [out, in]}) and an optional bias. */
public record ConvWeights(float[] weights, float[] bias) {
    public ConvWeights {
        if (weights == null || weights.length == 0) {
            throw new IllegalArgumentException("weights must not be empty");
        }
    }

    public static ConvWeights withoutBias(float[] weights) {
        return new ConvWeights(weights, null);
    }
}
