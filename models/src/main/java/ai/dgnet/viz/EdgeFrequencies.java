package ai.dgnet.viz;

import ai.dgnet.models.Result;
import ai.dgnet.runtime.dg.StageTrace;

import java.util.List;
import java.util.Objects;

/**
 * How often each edge was kept, and with what mean weight, over every image added: counts per stage and edge.
 * Every batch added must come from networks of one shape (same stages, same nodes per stage). Safe to share between
 * threads (a server adds each request's result as it comes): every method holds this object's monitor, which a
 * reader may also hold to see several values of one moment.
 */
public final class EdgeFrequencies {
    private int[] nodes;
    private long[][] keptCounts;
    private double[][] weightSums;
    private long instances;

    public EdgeFrequencies() {
    }

    /** Every instance of {@code result}'s batch. */
    public void add(Result result) {
        add(Objects.requireNonNull(result, "result").traces());
    }

    /** Every instance of the batch the traces describe, one trace per stage. */
    public synchronized void add(List<StageTrace> stages) {
        int batch = Traces.requireOneBatch(stages);
        checkShape(stages);
        if (nodes == null) {
            nodes = new int[stages.size()];
            keptCounts = new long[stages.size()][];
            weightSums = new double[stages.size()][];
            for (int s = 0; s < nodes.length; s++) {
                nodes[s] = stages.get(s).nodes();
                int size = nodes[s] + 1;
                keptCounts[s] = new long[size * size];
                weightSums[s] = new double[size * size];
            }
        }
        for (int s = 0; s < nodes.length; s++) {
            StageTrace trace = stages.get(s);
            int size = trace.size();
            for (float[] a : trace.adjacency()) {
                for (int i = 0; i < size; i++) {
                    for (int j = i + 1; j < size; j++) {
                        float w = a[i * size + j];
                        if (w != 0) {
                            keptCounts[s][i * size + j]++;
                            weightSums[s][i * size + j] += w;
                        }
                    }
                }
            }
        }
        instances += batch;
    }

    /** Images added so far. */
    public synchronized int instances() {
        return Math.toIntExact(instances);
    }

    /** Stages of the network the images went through; 0 before the first is added. */
    public synchronized int stages() {
        return nodes == null ? 0 : nodes.length;
    }

    /** Nodes {@code m} of stage {@code stage}. */
    public synchronized int nodes(int stage) {
        checkStage(stage);
        return nodes[stage];
    }

    /** {@code (m+1) x (m+1)}: the fraction of images that kept edge {@code i -> j} ({@code A[i][j] != 0}). */
    public synchronized double[][] keptFraction(int stage) {
        checkStage(stage);
        int size = nodes[stage] + 1;
        double[][] fraction = new double[size][size];
        for (int k = 0; k < size * size; k++) {
            fraction[k / size][k % size] = (double) keptCounts[stage][k] / instances;
        }
        return fraction;
    }

    /** {@code (m+1) x (m+1)}: the mean weight of each edge over the images that kept it, 0 where none did. */
    public synchronized double[][] meanKeptWeight(int stage) {
        checkStage(stage);
        int size = nodes[stage] + 1;
        double[][] mean = new double[size][size];
        for (int k = 0; k < size * size; k++) {
            long kept = keptCounts[stage][k];
            mean[k / size][k % size] = kept == 0 ? 0 : weightSums[stage][k] / kept;
        }
        return mean;
    }

    /** Throws before anything is counted, so that a rejected batch leaves the counts as they were. */
    private void checkShape(List<StageTrace> stages) {
        if (nodes == null) {
            return;
        }
        if (stages.size() != nodes.length) {
            throw new IllegalArgumentException("expected " + nodes.length + " stages, as in the images added so "
                    + "far, but got " + stages.size() + ": the images must go through networks of one shape");
        }
        for (int s = 0; s < nodes.length; s++) {
            if (stages.get(s).nodes() != nodes[s]) {
                throw new IllegalArgumentException("stage " + s + " has " + stages.get(s).nodes() + " nodes but had "
                        + nodes[s] + " in the images added so far: the images must go through networks of one shape");
            }
        }
    }

    private void checkStage(int stage) {
        int count = stages();
        if (stage < 0 || stage >= count) {
            throw new IllegalArgumentException("stage " + stage + " is out of range: "
                    + (count == 0 ? "no images added yet" : "the network has " + count + " stages (0 to "
                    + (count - 1) + ")"));
        }
    }
}
