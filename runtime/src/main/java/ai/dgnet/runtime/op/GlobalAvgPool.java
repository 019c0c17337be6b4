package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/**
 * Mean over height and width: {@code [N, C, H, W]} in any rank-4 layout and element type to {@code [N, C]} f32 in
 * {@code NC}, ready for the classifier.
 */
public interface GlobalAvgPool extends PreparedOp {
    Shape input();

    void run(Tensor src, Tensor dst);

    /** A global pooling of {@code input} in a few words, for profiles: {@code global avgpool 2048 7x7}. */
    static String describe(Shape input, DType dtype) {
        return OpText.suffixed(new StringBuilder("global avgpool ").append(OpText.extent(input)), dtype,
                input.dim(0));
    }

    static Shape output(Shape input) {
        input.requireRank(4, "global average pooling input");
        return Shape.of(input.dim(0), input.dim(1));
    }
}
