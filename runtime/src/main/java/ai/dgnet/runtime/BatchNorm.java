package ai.dgnet.runtime;

/**
 * Inference-time batch normalization parameters, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, to be
 * folded into the convolution before it so that no separate pass over the activations is needed.
 */
public record BatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance, double eps) {
    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    public BatchNorm {
        int c = gamma.length;
        if (beta.length != c || mean.length != c || variance.length != c) {
            throw new IllegalArgumentException("batch norm parameters must have equal lengths, got gamma " + c
                    + ", beta " + beta.length + ", mean " + mean.length + ", variance " + variance.length);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("batch norm eps must be > 0, got " + eps);
        }
    }

    public int channels() {
        return gamma.length;
    }

    /**
     * Folds this normalization into convolution weights {@code [out, ...]} and optional bias (null: zero): scales
     * each output channel's weights and shifts its bias. Computed in double, rounded to f32 once.
     */
    public ConvWeights fold(ConvWeights conv) {
        int out = channels();
        if (conv.weights().length % out != 0) {
            throw new IllegalArgumentException("convolution has " + conv.weights().length
                    + " weights, not a multiple of the " + out + " batch norm channels");
        }
        int perChannel = conv.weights().length / out;
        float[] w = new float[conv.weights().length];
        float[] b = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt((double) variance[o] + eps);
            for (int k = 0; k < perChannel; k++) {
                w[o * perChannel + k] = (float) (conv.weights()[o * perChannel + k] * scale);
            }
            double bias = conv.bias() == null ? 0.0 : conv.bias()[o];
            b[o] = (float) ((bias - mean[o]) * scale + beta[o]);
        }
        return new ConvWeights(w, b);
    }
}
