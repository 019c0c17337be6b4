package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** Copies a tensor into another layout and/or element type. */
public interface Reorder extends PreparedOp {
    Spec spec();

    void run(Tensor src, Tensor dst);

    record Spec(Shape shape, DType srcType, Layout srcLayout, DType dstType, Layout dstLayout) {
        public Spec {
            srcLayout.requireRank(shape);
            dstLayout.requireRank(shape);
        }
    }
}
