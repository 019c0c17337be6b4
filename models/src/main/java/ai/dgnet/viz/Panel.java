package ai.dgnet.viz;

/**
 * One stage of a picture: the value of every edge {@code i -> j} ({@code i < j}, node {@code nodes} being the
 * stage output) in {@code values[i][j]}, 0 where the edge was dropped (or never kept).
 */
record Panel(int stage, int nodes, double[][] values, String caption) {
    int size() {
        return nodes + 1;
    }

    boolean kept(int from, int to) {
        return values[from][to] != 0;
    }

    /** Every pair {@code i < j} of a stage's {@code nodes + 1} nodes. */
    static int edges(int nodes) {
        return nodes * (nodes + 1) / 2;
    }

    /** The non-zero entries above the diagonal of {@code values}. */
    static int keptEdges(double[][] values) {
        int kept = 0;
        for (int i = 0; i < values.length; i++) {
            for (int j = i + 1; j < values.length; j++) {
                kept += values[i][j] != 0 ? 1 : 0;
            }
        }
        return kept;
    }

    /** {@code "0"}, {@code "1"}, ... and {@code "out"} for the stage output. */
    String nodeName(int node) {
        return node == nodes ? "out" : Integer.toString(node);
    }
}
