package ai.dgnet.runtime.dg;

/**
 * The router of node {@code i} in a stage of {@code m} nodes: a fully connected layer from the node's pooled
 * channels to its {@code m - i} outgoing edges ({@code weight} row-major {@code [edges, channels]}), then sigmoid.
 */
public record Router(float[] weight, float[] bias, int edges, int channels) {
    public Router {
        if (edges < 1 || channels < 1) {
            throw new IllegalArgumentException("router needs edges and channels >= 1, got " + edges + ", " + channels);
        }
        if (weight.length != (long) edges * channels) {
            throw new IllegalArgumentException("router weight must be [" + edges + ", " + channels + "], got "
                    + weight.length + " values");
        }
        if (bias.length != edges) {
            throw new IllegalArgumentException("router bias must have " + edges + " values, got " + bias.length);
        }
    }
}
