package ai.dgnet.models;

import ai.dgnet.runtime.DType;

import java.util.Locale;

/** How a session computes. */
public enum Precision {
    /** Everything in f32. */
    F32(DType.F32),
    /**
     * Activations and convolution weights in bf16, accumulated in f32 (AVX512_BF16 where the CPU has it); routers,
     * aggregation, the classifier and the logits stay f32.
     */
    BF16(DType.BF16);

    private final DType activations;

    Precision(DType activations) {
        this.activations = activations;
    }

    /** How activations are stored. */
    public DType activations() {
        return activations;
    }

    public static Precision parse(String text) {
        return switch (text) {
            case "f32" -> F32;
            case "bf16" -> BF16;
            default -> throw new IllegalArgumentException("precision must be 'f32' or 'bf16', got '" + text + "'");
        };
    }

    /** The name {@link #parse} reads. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
