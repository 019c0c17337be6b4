package ai.dgnet.models;

/** Spec section 7's measure of "the same", for checking a run against a reference implementation. */
public final class Agreement {
    private Agreement() {
    }

    /** The tolerance the spec sets for fp32 logits. */
    public static final double LOGITS_TOLERANCE = 1e-4;

    /** {@code ||actual - expected|| / ||expected||} in the L2 norm, accumulated in double. */
    public static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("expected " + expected.length + " values, got " + actual.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / Math.max(norm, Double.MIN_NORMAL));
    }
}
