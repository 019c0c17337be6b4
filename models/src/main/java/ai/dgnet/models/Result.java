package ai.dgnet.models;

import ai.dgnet.runtime.dg.StageTrace;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outcome of one batch: logits and, for every stage, each instance's adjacency matrix and raw router
 * outputs. Plain Java arrays, so a result outlives the session that made it; a result passed back to
 * {@link Session#run(ai.dgnet.runtime.Tensor, Result)} is overwritten in place. A stage {@code s} outside
 * {@code [0, stages())} or an instance {@code n} outside {@code [0, batch())} is an
 * {@link IndexOutOfBoundsException} naming it.
 */
public final class Result {
    private final float[][] logits;
    private final List<StageTrace> stages;
    /** Set while a run writes this result, so that a second run given it meanwhile is refused rather than mixed in. */
    private final AtomicBoolean written = new AtomicBoolean();

    Result(float[][] logits, List<StageTrace> stages) {
        this.logits = logits;
        this.stages = List.copyOf(stages);
    }

    /** Marks this result as written by a run until {@link #endWrite()}; refused while another run writes it. */
    void beginWrite() {
        if (!written.compareAndSet(false, true)) {
            throw new IllegalStateException("result is being written by another run: a result may be passed to one "
                    + "run at a time");
        }
    }

    void endWrite() {
        written.set(false);
    }

    /** {@code [N][num_classes]}. */
    public float[][] logits() {
        return logits;
    }

    /** The logits as one {@code [N, num_classes]} row-major array. */
    public float[] logitsRowMajor() {
        return StageTrace.rowMajor(logits);
    }

    public int batch() {
        return logits.length;
    }

    /** Number of stages, single-node ones included. */
    public int stages() {
        return stages.size();
    }

    /** Nodes {@code m} of stage {@code stage}. */
    public int nodes(int stage) {
        return trace(stage).nodes();
    }

    /** Every stage's matrices, in order (unmodifiable); single-node stages included. */
    public List<StageTrace> traces() {
        return stages;
    }

    /** Stage {@code stage}'s matrices; for a single-node stage the matrices are 2x2 and zero. */
    public StageTrace trace(int stage) {
        if (stage < 0 || stage >= stages.size()) {
            throw new IndexOutOfBoundsException("stage " + stage + " is out of range: the result has " + stages.size()
                    + " stages, numbered from 0");
        }
        return stages.get(stage);
    }

    /** Instance {@code n}'s adjacency matrix {@code A} of stage {@code stage}, {@code (m+1) x (m+1)}, a copy. */
    public float[][] adjacency(int stage, int n) {
        StageTrace trace = trace(stage);
        return square(trace.adjacency()[instance(n)], trace.size());
    }

    /** Instance {@code n}'s raw router outputs of stage {@code stage}, at the positions of {@code A}, a copy. */
    public float[][] routerOutputs(int stage, int n) {
        StageTrace trace = trace(stage);
        return square(trace.router()[instance(n)], trace.size());
    }

    /** The class with the largest logit for instance {@code n}. */
    public int top1(int n) {
        float[] row = logits[instance(n)];
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            if (row[k] > row[best]) {
                best = k;
            }
        }
        return best;
    }

    private int instance(int n) {
        if (n < 0 || n >= batch()) {
            throw new IndexOutOfBoundsException("instance " + n + " is out of range: the batch has " + batch()
                    + ", numbered from 0");
        }
        return n;
    }

    private static float[][] square(float[] flat, int size) {
        float[][] m = new float[size][size];
        for (int i = 0; i < size; i++) {
            System.arraycopy(flat, i * size, m[i], 0, size);
        }
        return m;
    }
}
