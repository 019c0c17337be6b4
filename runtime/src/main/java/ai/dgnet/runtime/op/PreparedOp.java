package ai.dgnet.runtime.op;

/**
 * An operation built once for fixed shapes, layouts and weights, then run many times. It owns its native state
 * (compiled kernels, reordered weights) until {@link #close()}. One prepared op is for one thread at a time: a
 * run rebinds its buffers, so concurrent runs need one op each (sessions do that).
 */
public interface PreparedOp extends AutoCloseable {
    /** What the device chose to run this op with, e.g. oneDNN's implementation name. */
    String implementation();

    /**
     * False when the device had no optimized kernel for this op's shapes and layouts and fell back to a generic
     * reference one (oneDNN's {@code ref:any}), typically orders of magnitude slower.
     */
    boolean optimized();

    /** What this op computes, in a few words (kind, sizes, epilogue), as profiles list it. */
    String describe();

    /** Multiply-accumulates of one run as direct computation counts them: convolutions and linear layers, else 0. */
    default long macs() {
        return 0;
    }

    /**
     * This op's runs and their time so far (Java work inside the op included), as a line of a profile: compare two
     * with {@link OpProfile#between}, group many with {@link OpProfile#byKind}.
     */
    OpProfile profile();

    @Override
    void close();
}
