package ai.dgnet.runtime;

import java.util.Locale;

/** Element types of tensors. */
public enum DType {
    F32(4),
    /** bfloat16: the upper half of an IEEE f32, rounded to nearest even when written. */
    BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The name messages and profiles use: {@code f32}, {@code bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
