package ai.dgnet.models;

import ai.dgnet.runtime.DType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

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

    /** The precision named {@code text}, as {@link #toString} names it. */
    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.toString().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision must be " + choices() + ", got '" + text + "'");
    }

    /** The names {@link #parse} reads, for a message: {@code 'f32' or 'bf16'}. */
    public static String choices() {
        return Arrays.stream(values()).map(p -> "'" + p + "'").collect(Collectors.joining(" or "));
    }

    /** The name {@link #parse} reads. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
