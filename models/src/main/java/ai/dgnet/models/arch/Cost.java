package ai.dgnet.models.arch;

import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.op.Pool2d;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameters and multiply-accumulates (MACs) of a network for one image of a given size, counted as torchvision and
 * fvcore count them for their published figures: parameters are the learned tensors (BatchNorm's running statistics
 * are buffers, not parameters); MACs are those of convolutions and linear layers (squeeze-excitation's included),
 * while BatchNorm (folded), activations, pooling and residual additions are left out.
 *
 * @param stem   the stem convolutions
 * @param stages one entry per DG stage, in order
 * @param head   the convolutions after the last stage and the classifier
 */
public record Cost(Part stem, List<StageCost> stages, Part head) {
    public Cost {
        stages = List.copyOf(stages);
    }

    /** A count of parameters and of multiply-accumulates per image. */
    public record Part(long parameters, long macs) {
        public static final Part NONE = new Part(0, 0);

        public Part plus(Part other) {
            return new Part(parameters + other.parameters, macs + other.macs);
        }
    }

    /**
     * One DG stage.
     *
     * @param blocks          the backbone's blocks (the nodes)
     * @param routers         the routers of dynamic mode (a linear layer per node on the pooled output; none when
     *                        the stage has one node)
     * @param aggregationMacs the weighted sums of dynamic mode with every edge kept, {@code m(m+1)/2} terms per
     *                        element of a node output: an upper bound, since the edges a run drops cost nothing
     */
    public record StageCost(int nodes, Part blocks, Part routers, long aggregationMacs) {
    }

    /** The cost of {@code network} on one {@code height x width} image. */
    public static Cost of(NetworkDef network, int height, int width) {
        Shape shape = Shape.of(1, network.inChannels(), height, width);
        Part stem = Part.NONE;
        for (ConvBn conv : network.stem()) {
            stem = stem.plus(conv(conv, shape));
            shape = conv.output(shape);
        }
        if (network.maxPool()) {
            shape = Pool2d.Spec.of(shape, Pool2d.Kind.MAX, 3, 2, 1, Layout.NCHW).output();
        }
        List<StageCost> stages = new ArrayList<>();
        for (int s = 0; s < network.stages().size(); s++) {
            List<BlockDef> blocks = network.stages().get(s);
            Part cost = Part.NONE;
            for (BlockDef block : blocks) {
                cost = cost.plus(block(block, shape));
                shape = block.output(shape);
            }
            int m = blocks.size();
            Part routers = Part.NONE;
            for (Param p : network.routerParams()) {
                if (p.name().startsWith("router." + s + ".")) {
                    routers = routers.plus(new Part(p.elements(), p.shape().length == 2 ? p.elements() : 0));
                }
            }
            long aggregation = m < 2 ? 0 : (long) m * (m + 1) / 2 * pixels(shape) * shape.dim(1);
            stages.add(new StageCost(m, cost, routers, aggregation));
        }
        Part head = Part.NONE;
        for (ConvBn conv : network.headConvs()) {
            head = head.plus(conv(conv, shape));
            shape = conv.output(shape);
        }
        long fc = (long) network.features() * network.numClasses();
        head = head.plus(new Part(fc + network.numClasses(), fc));
        return new Cost(stem, stages, head);
    }

    /** Stem, blocks and head: the model without routers. */
    public Part backbone() {
        Part total = stem.plus(head);
        for (StageCost stage : stages) {
            total = total.plus(stage.blocks());
        }
        return total;
    }

    /** Every router of every stage. */
    public Part routers() {
        Part total = Part.NONE;
        for (StageCost stage : stages) {
            total = total.plus(stage.routers());
        }
        return total;
    }

    /** The aggregation of every stage with every edge kept (an upper bound, see {@link StageCost}). */
    public long aggregationMacs() {
        return stages.stream().mapToLong(StageCost::aggregationMacs).sum();
    }

    private static Part block(BlockDef block, Shape input) {
        Part cost = Part.NONE;
        Shape shape = input;
        for (int i = 0; i < block.main().size(); i++) {
            ConvBn conv = block.main().get(i);
            cost = cost.plus(conv(conv, shape));
            shape = conv.output(shape);
            if (block.se() != null && i == block.seAfter()) {
                List<Param> params = new ArrayList<>();
                block.se().addParams(params);
                long macs = 2L * block.se().channels() * block.se().squeeze();
                cost = cost.plus(new Part(parameters(params), macs));
            }
        }
        if (block.projection() != null) {
            cost = cost.plus(conv(block.projection(), input));
        }
        return cost;
    }

    private static Part conv(ConvBn conv, Shape input) {
        List<Param> params = new ArrayList<>();
        conv.addParams(params);
        long macs = pixels(conv.output(input)) * conv.out() * (conv.in() / conv.groups()) * conv.kernel()
                * conv.kernel();
        return new Part(parameters(params), macs);
    }

    private static long parameters(List<Param> params) {
        return params.stream()
                .filter(p -> !p.name().endsWith(".running_mean") && !p.name().endsWith(".running_var"))
                .mapToLong(Param::elements).sum();
    }

    private static long pixels(Shape shape) {
        return (long) shape.dim(2) * shape.dim(3);
    }
}
