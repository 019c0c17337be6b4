package ai.dgnet.runtime.dg;

import java.util.Arrays;

/**
 * What one stage did for each instance of a batch: its adjacency matrix {@code A} and the raw router outputs at
 * the same positions, both {@code (m+1) x (m+1)} row-major per instance (spec section 2).
 */
public record StageTrace(int nodes, float[][] adjacency, float[][] router) {
    public StageTrace {
        if (nodes < 1 || adjacency.length != router.length) {
            throw new IllegalArgumentException("a trace needs at least one node and as many router rows as adjacency "
                    + "rows, got " + nodes + " nodes, " + adjacency.length + " and " + router.length + " rows");
        }
        int cells = (nodes + 1) * (nodes + 1);
        for (int n = 0; n < adjacency.length; n++) {
            if (adjacency[n].length != cells || router[n].length != cells) {
                throw new IllegalArgumentException("instance " + n + " of a trace of " + nodes + " nodes needs "
                        + cells + " cells per matrix, got " + adjacency[n].length + " and " + router[n].length);
            }
        }
    }

    public int size() {
        return nodes + 1;
    }

    public int batch() {
        return adjacency.length;
    }

    /** {@code A[from][to]} of instance {@code n}. */
    public float edge(int n, int from, int to) {
        return adjacency[n][from * size() + to];
    }

    public float routerOutput(int n, int from, int to) {
        return router[n][from * size() + to];
    }

    /** Every instance's adjacency matrix, one after another: {@code [N, m+1, m+1]} row-major (spec section 8). */
    public float[] adjacencyRowMajor() {
        return rowMajor(adjacency);
    }

    /** Every instance's raw router outputs, {@code [N, m+1, m+1]} row-major. */
    public float[] routerRowMajor() {
        return rowMajor(router);
    }

    /** {@code rows} (all of one length) concatenated. */
    public static float[] rowMajor(float[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** Zeroes both matrices of every instance. */
    public void clear() {
        for (int n = 0; n < adjacency.length; n++) {
            Arrays.fill(adjacency[n], 0.0f);
            Arrays.fill(router[n], 0.0f);
        }
    }

    /** Zeroed matrices for {@code batch} instances of a stage of {@code nodes} nodes. */
    public static StageTrace of(int nodes, int batch) {
        int cells = (nodes + 1) * (nodes + 1);
        return new StageTrace(nodes, new float[batch][cells], new float[batch][cells]);
    }
}
