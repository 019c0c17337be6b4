package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** Copies a tensor into another layout and/or element type. */
public interface Reorder extends SpecifiedOp<Reorder.Spec> {
    void run(Tensor src, Tensor dst);

    record Spec(Shape shape, DType srcType, Layout srcLayout, DType dstType, Layout dstLayout) implements OpSpec {
        public Spec {
            srcLayout.requireRank(shape);
            dstLayout.requireRank(shape);
        }

        /** In a few words, for profiles: {@code reorder 3 224x224 NCHW->NCHW16C}, with the types where they change. */
        @Override
        public String describe() {
            StringBuilder text = new StringBuilder("reorder ").append(OpText.extent(shape))
                    .append(' ').append(srcLayout).append("->").append(dstLayout);
            if (srcType != dstType) {
                text.append(' ').append(srcType.label()).append("->").append(dstType.label());
            }
            return OpText.suffixed(text, DType.F32, shape.dim(0));
        }
    }
}
