package ai.dgnet.tests;

/** Comparisons the end-to-end tests share. */
final class Outputs {
    private Outputs() {
    }

    /** {@code ||actual - expected|| / ||expected||} in the L2 norm, in double: spec section 7's measure. */
    static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("expected " + expected.length + " values, got " + actual.length);
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

    static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }
}
