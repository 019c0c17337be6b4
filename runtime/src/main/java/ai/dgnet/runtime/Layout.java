package ai.dgnet.runtime;

/**
 * How a tensor's logical elements are placed in memory. The blocked layouts are oneDNN's: {@code nChw16c} keeps 16
 * consecutive channels of one pixel together (one AVX-512 register of f32), with the channel count padded up to a
 * multiple of the block and the padding kept zero.
 */
public enum Layout {
    NCHW(4, 1),
    NHWC(4, 1),
    NCHW8C(4, 8),
    NCHW16C(4, 16),
    /** Rank-2 {@code [N, C]}, row-major: features and logits. */
    NC(2, 1);

    private final int rank;
    private final int channelBlock;

    Layout(int rank, int channelBlock) {
        this.rank = rank;
        this.channelBlock = channelBlock;
    }

    public int rank() {
        return rank;
    }

    /** Channels per block; 1 for plain layouts. */
    public int channelBlock() {
        return channelBlock;
    }

    public boolean isBlocked() {
        return channelBlock > 1;
    }

    /** Channels rounded up to the block: the channel extent actually stored (past the largest int near it). */
    public long paddedChannels(int channels) {
        return (long) Math.ceilDiv(channels, channelBlock) * channelBlock;
    }

    /** Elements stored for {@code shape}, padding included. */
    public long storageElements(Shape shape) {
        requireRank(shape);
        long n = 1;
        for (int axis = 0; axis < shape.rank(); axis++) {
            n = Math.multiplyExact(n, axis == 1 ? paddedChannels(shape.dim(1)) : shape.dim(axis));
        }
        return n;
    }

    /** Element offset of logical {@code (n, c, h, w)}; for {@link #NC}, {@code h} and {@code w} must be 0. */
    public long offset(Shape shape, int n, int c, int h, int w) {
        int channels = shape.dim(1);
        if (this == NC) {
            return (long) n * channels + c;
        }
        int height = shape.dim(2);
        int width = shape.dim(3);
        return switch (this) {
            case NCHW -> (((long) n * channels + c) * height + h) * width + w;
            case NHWC -> (((long) n * height + h) * width + w) * channels + c;
            case NCHW8C, NCHW16C -> {
                long blocks = paddedChannels(channels) / channelBlock;
                yield ((((long) n * blocks + c / channelBlock) * height + h) * width + w) * channelBlock
                        + c % channelBlock;
            }
            case NC -> throw new AssertionError();
        };
    }

    /** Throws unless {@code shape} has this layout's rank. */
    public void requireRank(Shape shape) {
        if (shape.rank() != rank) {
            throw new IllegalArgumentException("layout " + this + " is for rank-" + rank + " tensors, got shape "
                    + shape);
        }
    }
}
