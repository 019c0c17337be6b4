package ai.dgnet.models;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One of an instance's top classes.
 *
 * @param probability the softmax of the logits over every class
 */
public record Prediction(int classIndex, String label, float probability, float logit) {
    /**
     * The {@code k} classes with the largest logits, largest first (equal logits: lower index first), with their
     * softmax probabilities (computed in double, max-subtracted) and labels ({@code "class i"} when {@code labels}
     * is empty). {@code k} above the class count gives every class.
     */
    public static List<Prediction> top(float[] logits, int k, List<String> labels) {
        if (k < 1) {
            throw new IllegalArgumentException("top k must be >= 1, got " + k);
        }
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits");
        }
        if (!labels.isEmpty() && labels.size() != logits.length) {
            throw new IllegalArgumentException(labels.size() + " labels for " + logits.length + " classes");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        List<Integer> order = new ArrayList<>(logits.length);
        for (int i = 0; i < logits.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> logits[i]).reversed().thenComparingInt(i -> i));
        List<Prediction> top = new ArrayList<>();
        for (int i : order.subList(0, Math.min(k, logits.length))) {
            top.add(new Prediction(i, labels.isEmpty() ? "class " + i : labels.get(i),
                    (float) (Math.exp(logits[i] - max) / sum), logits[i]));
        }
        return top;
    }
}
