package ai.dgnet.runtime.op;

/** An element-wise activation fused at the end of an op. */
public enum Activation {
    NONE,
    RELU,
    /** {@code min(max(x, 0), 6)}, MobileNetV2's activation. */
    RELU6,
    /** {@code 1 / (1 + exp(-x))}, squeeze-and-excitation's gate. */
    SIGMOID
}
