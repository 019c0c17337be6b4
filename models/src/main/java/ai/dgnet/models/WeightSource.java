package ai.dgnet.models;

/** Where a model's parameters come from: a model file, or the deterministic generator of spec section 6. */
@FunctionalInterface
public interface WeightSource {
    /** The values of parameter {@code name}, whose shape must be {@code shape}, in row-major order. */
    float[] read(String name, int[] shape);
}
