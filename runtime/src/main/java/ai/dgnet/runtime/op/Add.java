package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** Element-wise {@code dst = a + b}, all three of one shape, type and layout; {@code dst} may be {@code a}. */
public interface Add extends PreparedOp {
    Spec spec();

    void run(Tensor a, Tensor b, Tensor dst);

    record Spec(Shape shape, DType dtype, Layout layout) {
        public Spec {
            layout.requireRank(shape);
        }
    }
}
