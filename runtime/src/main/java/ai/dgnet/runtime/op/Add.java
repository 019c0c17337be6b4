package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** Element-wise {@code dst = a + b}, all three of one shape, type and layout; {@code dst} may be {@code a}. */
public interface Add extends SpecifiedOp<Add.Spec> {
    void run(Tensor a, Tensor b, Tensor dst);

    record Spec(Shape shape, DType dtype, Layout layout) implements OpSpec {
        public Spec {
            layout.requireRank(shape);
        }

        /** In a few words, for profiles: {@code add 256 56x56}. */
        @Override
        public String describe() {
            StringBuilder text = new StringBuilder("add ").append(OpText.extent(shape));
            return OpText.suffixed(text, dtype, shape.dim(0));
        }
    }
}
