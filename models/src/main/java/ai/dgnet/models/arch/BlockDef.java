package ai.dgnet.models.arch;

import ai.dgnet.models.WeightSource;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.dg.Block;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.NamedOp;
import ai.dgnet.runtime.op.Residual;

import java.util.ArrayList;
import java.util.List;

/**
 * One backbone block as a chain of convolutions with a shortcut: every block of spec section 3 has this shape.
 * The last convolution fuses the shortcut and the block's final activation ({@code relu(f(x) + shortcut)}).
 *
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

    private final class Prepared implements Block {
        private final Shape input;
        private final Shape output;
        private final List<Conv2d> convs = new ArrayList<>();
        private final List<Tensor> intermediates = new ArrayList<>();
        private final Conv2d shortcut;
        private final SqueezeExcite.Prepared excite;

        Prepared(Device device, WeightSource weights, Shape input, Layout layout, DType dtype,
                 BlockScratch scratch) {
            this.input = input;
            this.output = BlockDef.this.output(input);
            try {
                Shape shape = input;
                for (int i = 0; i < main.size(); i++) {
                    boolean last = i == main.size() - 1;
                    Residual residual = !last ? Residual.NONE
                            : projection != null ? Residual.ACCUMULATE
                            : identity ? Residual.ADD : Residual.NONE;
                    Conv2d conv = main.get(i).prepare(device, weights, shape, layout, layout, dtype, residual);
                    convs.add(conv);
                    shape = conv.spec().output();
                    if (!last) {
                        intermediates.add(Tensor.view(shape, dtype, layout, scratch.slot(i)));
                    }
                }
                this.shortcut = projection == null ? null
                        : projection.prepare(device, weights, input, layout, layout, dtype, Residual.NONE);
                this.excite = se == null ? null : se.prepare(weights);
                if (identity && !input.equals(output)) {
                    throw new IllegalArgumentException(name + ": identity shortcut needs equal input and output "
                            + "shapes, got " + input + " and " + output);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
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
            return convs.stream().allMatch(Conv2d::optimized) && (shortcut == null || shortcut.optimized());
        }

        @Override
        public List<NamedOp> ops() {
            List<NamedOp> ops = new ArrayList<>();
            if (shortcut != null) {
                ops.add(new NamedOp(projection.conv(), shortcut));
            }
            for (int i = 0; i < convs.size(); i++) {
                ops.add(new NamedOp(main.get(i).conv(), convs.get(i)));
            }
            return ops;
        }

        @Override
        public void run(Tensor in, Tensor out) {
            if (shortcut != null) {
                // The last convolution adds onto what is already in out (oneDNN's sum post-op).
                shortcut.run(in, out);
            }
            Tensor x = in;
            for (int i = 0; i < convs.size() - 1; i++) {
                Tensor next = intermediates.get(i);
                convs.get(i).run(x, next);
                if (excite != null && i == seAfter) {
                    excite.apply(next);
                }
                x = next;
            }
            Conv2d last = convs.getLast();
            if (identity) {
                last.run(x, in, out);
            } else {
                last.run(x, out);
            }
        }

        @Override
        public void close() {
            convs.forEach(Conv2d::close);
            if (shortcut != null) {
                shortcut.close();
            }
        }
    }
}
