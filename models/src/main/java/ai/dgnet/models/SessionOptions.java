package ai.dgnet.models;

/**
 * How a session runs a model.
 *
 * @param threshold the edge threshold, or null for the model's own
 * @param precision f32, or bf16 convolutions with f32 routing
 */
public record SessionOptions(Float threshold, Precision precision) {
    public SessionOptions {
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null");
        }
    }

    /** The model's threshold, f32. */
    public static SessionOptions defaults() {
        return new SessionOptions(null, Precision.F32);
    }

    public SessionOptions withThreshold(float tau) {
        return new SessionOptions(tau, precision);
    }

    public SessionOptions withPrecision(Precision p) {
        return new SessionOptions(threshold, p);
    }
}
