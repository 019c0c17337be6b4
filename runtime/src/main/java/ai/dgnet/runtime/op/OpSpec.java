package ai.dgnet.runtime.op;

/** The parameters that fix a prepared op (a record), and what they say about its work, for profiles. */
public interface OpSpec {
    /** What the op computes, in a few words (kind, sizes, epilogue). */
    String describe();

    /** Multiply-accumulates of one run as direct computation counts them; 0 for ops that do none. */
    default long macs() {
        return 0;
    }
}
