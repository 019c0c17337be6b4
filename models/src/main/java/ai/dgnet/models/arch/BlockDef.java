package ai.dgnet.models.arch;

import ai.dgnet.models.WeightSource;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.dg.Block;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.NamedOp;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.Residual;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * One backbone block as a chain of convolutions with a shortcut: every block of spec section 3 has this shape.
 * The last convolution fuses the shortcut and the block's final activation ({@code relu(f(x) + shortcut)}).
 *
 * @param name       the block's module path with a trailing dot, the prefix of its parameters' names
 *                   ({@code layer2.0.})
 * @param main       the main path, in order
 * @param projection the shortcut's projection (ResNet's {@code downsample}, RegNet's {@code proj}), or null
 * @param identity   whether an identity shortcut adds the block input (when there is no projection)
 * @param se         squeeze-excitation applied after {@code main[seAfter]}, or null
 */
public record BlockDef(String name, List<ConvBn> main, ConvBn projection, boolean identity, SqueezeExcite se,
                       int seAfter) {
    public BlockDef {
        main = List.copyOf(main);
        if (projection != null && identity) {
            throw new IllegalArgumentException(name + ": a block has a projection or an identity shortcut, not both");
        }
    }

    public int outChannels() {
        return main.getLast().out();
    }

    void addParams(List<Param> params) {
        for (int i = 0; i < main.size(); i++) {
            main.get(i).addParams(params);
            if (se != null && i == seAfter) {
                se.addParams(params);
            }
        }
        if (projection != null) {
            projection.addParams(params);
        }
    }

    public Shape output(Shape input) {
        Shape shape = input;
        for (ConvBn conv : main) {
            shape = conv.output(shape);
        }
        return shape;
    }

    /** The shapes of the main path's intermediates (every convolution's output but the last), in order. */
    public List<Shape> intermediates(Shape input) {
        List<Shape> shapes = new ArrayList<>();
        Shape shape = input;
        for (int i = 0; i < main.size() - 1; i++) {
            shape = main.get(i).output(shape);
            shapes.add(shape);
        }
        return shapes;
    }

    /**
     * The block on {@code device} for {@code input}, its activations stored as {@code dtype} in {@code layout}, its
     * intermediates in {@code scratch} (shared with the network's other blocks).
     */
    public Block prepare(Device device, WeightSource weights, Shape input, Layout layout, DType dtype,
                         BlockScratch scratch) {
        return new Prepared(device, weights, input, layout, dtype, scratch);
    }

    /**
     * One op of a prepared block's main path before its last convolution: one convolution, or a 1x1 convolution and
     * the depthwise one after it where the device runs them as one op. It writes {@code output}, and squeeze-excitation
     * follows it where {@code excite}.
     */
    private record Step(NamedOp named, BiConsumer<Tensor, Tensor> run, Tensor output, boolean excite) {
    }

    private final class Prepared implements Block {
        private final Shape input;
        private final Shape output;
        private final List<Step> steps = new ArrayList<>();
        private final Conv2d last;
        private final Conv2d shortcut;
        private final SqueezeExcite.Prepared excite;

        Prepared(Device device, WeightSource weights, Shape input, Layout layout, DType dtype,
                 BlockScratch scratch) {
            this.input = input;
            this.output = BlockDef.this.output(input);
            try {
                Shape shape = input;
                int i = 0;
                while (i < main.size() - 1) {
                    i = prepareStep(device, weights, shape, layout, dtype, scratch, i);
                    shape = steps.getLast().output().shape();
                }
                Residual residual = projection != null ? Residual.ACCUMULATE
                        : identity ? Residual.ADD : Residual.NONE;
                this.last = main.getLast().prepare(device, weights, shape, layout, layout, dtype, residual);
                this.shortcut = projection == null ? null
                        : projection.prepare(device, weights, input, layout, layout, dtype, Residual.NONE);
                this.excite = se == null ? null
                        : se.prepare(device, weights, intermediates(input).get(seAfter));
                if (identity && !input.equals(output)) {
                    throw new IllegalArgumentException(name + ": identity shortcut needs equal input and output "
                            + "shapes, got " + input + " and " + output);
                }
            } catch (RuntimeException e) {
                throw Closeables.closeAfter(e, this);
            }
        }

        /**
         * Prepares main path convolution {@code i} over {@code shape}, together with the next one where they are a
         * 1x1 and a depthwise convolution (before the last, with no squeeze-excitation between them) that the device
         * runs as one op; returns the index of the next convolution to prepare.
         */
        private int prepareStep(Device device, WeightSource weights, Shape shape, Layout layout, DType dtype,
                                BlockScratch scratch, int i) {
            ConvBn conv = main.get(i);
            Conv2d.Spec spec = conv.spec(shape, layout, layout, dtype, Residual.NONE);
            ConvWeights folded = conv.folded(weights);
            if (i + 2 < main.size() && !exciteAfter(i)) {
                ConvBn next = main.get(i + 1);
                Conv2d.Spec nextSpec = next.spec(spec.output(), layout, layout, dtype, Residual.NONE);
                if (PointwiseDepthwise.Spec.pairs(spec, nextSpec)) {
                    Optional<PointwiseDepthwise> pair = device.pointwiseDepthwise(
                            new PointwiseDepthwise.Spec(spec, nextSpec), folded, next.folded(weights));
                    if (pair.isPresent()) {
                        PointwiseDepthwise op = pair.get();
                        steps.add(new Step(new NamedOp(conv.conv() + "+" + next.conv(), op), op::run,
                                intermediate(nextSpec.output(), dtype, layout, scratch, i + 1), exciteAfter(i + 1)));
                        return i + 2;
                    }
                }
            }
            Conv2d op = device.conv2d(spec, folded);
            steps.add(new Step(new NamedOp(conv.conv(), op), op::run,
                    intermediate(spec.output(), dtype, layout, scratch, i), exciteAfter(i)));
            return i + 1;
        }

        private boolean exciteAfter(int conv) {
            return se != null && seAfter == conv;
        }

        private static Tensor intermediate(Shape shape, DType dtype, Layout layout, BlockScratch scratch, int conv) {
            return Tensor.view(shape, dtype, layout, scratch.slot(conv));
        }

        @Override
        public Shape input() {
            return input;
        }

        @Override
        public Shape output() {
            return output;
        }

        @Override
        public boolean optimized() {
            return steps.stream().allMatch(step -> step.named().op().optimized()) && last.optimized()
                    && (shortcut == null || shortcut.optimized()) && (excite == null || excite.optimized());
        }

        @Override
        public List<NamedOp> ops() {
            List<NamedOp> ops = new ArrayList<>();
            if (shortcut != null) {
                ops.add(new NamedOp(projection.conv(), shortcut));
            }
            for (Step step : steps) {
                ops.add(step.named());
                if (step.excite()) {
                    ops.addAll(excite.ops());
                }
            }
            ops.add(new NamedOp(main.getLast().conv(), last));
            return ops;
        }

        @Override
        public void run(Tensor in, Tensor out) {
            if (shortcut != null) {
                // The last convolution adds onto what is already in out (oneDNN's sum post-op).
                shortcut.run(in, out);
            }
            Tensor x = in;
            // Indexed: C2 does not always remove a for-each loop's iterator, which then costs an allocation per run.
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                step.run().accept(x, step.output());
                if (step.excite()) {
                    excite.apply(step.output());
                }
                x = step.output();
            }
            if (identity) {
                last.run(x, in, out);
            } else {
                last.run(x, out);
            }
        }

        @Override
        public void close() {
            List<AutoCloseable> parts = new ArrayList<>();
            steps.forEach(step -> parts.add(step.named().op()));
            parts.addAll(Arrays.asList(last, shortcut, excite));
            Closeables.closeAll(parts);
        }
    }
}
