package ai.dgnet.viz;

import ai.dgnet.runtime.dg.StageTrace;

import java.util.List;
import java.util.Objects;

/** The checks a list of stage traces must pass before anything reads it. */
final class Traces {
    private Traces() {
    }

    /** The batch size shared by every stage, after checking there is one and every matrix has its stage's size. */
    static int requireOneBatch(List<StageTrace> stages) {
        Objects.requireNonNull(stages, "stages");
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no stages: expected one StageTrace per stage of the network");
        }
        int batch = stages.getFirst().batch();
        for (int s = 0; s < stages.size(); s++) {
            StageTrace trace = stages.get(s);
            if (trace.batch() != batch) {
                throw new IllegalArgumentException("stage " + s + " holds " + trace.batch()
                        + " instances but stage 0 holds " + batch + ": the traces are not of one batch");
            }
            int size = trace.size();
            for (float[] a : trace.adjacency()) {
                if (a.length != size * size) {
                    throw new IllegalArgumentException("stage " + s + " has " + trace.nodes() + " nodes, so its "
                            + "adjacency matrices need " + size * size + " entries, but one has " + a.length);
                }
            }
        }
        return batch;
    }
}
