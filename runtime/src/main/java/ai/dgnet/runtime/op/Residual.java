package ai.dgnet.runtime.op;

/** How a convolution adds a residual before its activation. */
public enum Residual {
    NONE,
    /** The destination already holds the residual; the result is added onto it in place. */
    ACCUMULATE,
    /** The residual is a separate tensor passed to the run; no copy is made. */
    ADD
}
