package ai.dgnet.models;

/**
 * How a session runs a model.
 *
 * @param threshold the edge threshold, or null for the model's own
 * @param precision f32, or bf16 convolutions with f32 routing
 * @param maxShapes the most input shapes the session keeps a prepared network for; a run of another shape closes
 *                  the network of the shape run least recently, so that a stream of ever new image sizes or
 *                  batch sizes holds a bounded amount of memory (a network is about 70 to 150 MB for ResNet-50 at
 *                  224 to 480 pixels), at the cost of preparing a network again when such a shape comes back
 */
public record SessionOptions(Float threshold, Precision precision, int maxShapes) {
    /** Room for a server's warm batch sizes (1, 2, 4 and 8 by default) and a few other shapes beside them. */
    public static final int DEFAULT_MAX_SHAPES = 8;
    /** The fewest input shapes a session keeps networks for; the command line's refusals name it. */
    public static final int MIN_MAX_SHAPES = 1;

    /**
     * @throws IllegalArgumentException for a threshold outside [0, 1] (NaN too), a null precision, or fewer than
     *                                  {@value #MIN_MAX_SHAPES} shapes; so do the {@code with} methods
     */
    public SessionOptions {
        if (threshold != null) {
            ModelConfig.requireThreshold("threshold", threshold);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null");
        }
        if (maxShapes < MIN_MAX_SHAPES) {
            throw new IllegalArgumentException("a session must keep at least " + MIN_MAX_SHAPES
                    + " input shape, got " + maxShapes);
        }
    }

    /** The model's threshold, f32, {@value #DEFAULT_MAX_SHAPES} input shapes. */
    public static SessionOptions defaults() {
        return new SessionOptions(null, Precision.F32, DEFAULT_MAX_SHAPES);
    }

    public SessionOptions withThreshold(float tau) {
        return new SessionOptions(tau, precision, maxShapes);
    }

    public SessionOptions withPrecision(Precision p) {
        return new SessionOptions(threshold, p, maxShapes);
    }

    public SessionOptions withMaxShapes(int shapes) {
        return new SessionOptions(threshold, precision, shapes);
    }
}
