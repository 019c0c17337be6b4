package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;

import java.util.Locale;

/** The pieces every op's {@code describe()} shares, so that all of them read alike in a profile. */
final class OpText {
    private OpText() {
    }

    /** {@code C HxW} of a rank-4 shape ({@code 64 56x56}); any other shape as it prints. */
    static String extent(Shape shape) {
        return shape.rank() == 4 ? shape.dim(1) + " " + shape.dim(2) + "x" + shape.dim(3) : shape.toString();
    }

    /**
     * Appends {@code " " + prefix + value} where a height and width parameter (stride, dilation) is not 1, the value
     * written once where both are the same: {@code s2}, {@code d2x1}.
     */
    static void appendPair(StringBuilder text, String prefix, int height, int width) {
        if (height != 1 || width != 1) {
            text.append(' ').append(prefix).append(height == width ? Integer.toString(height) : height + "x" + width);
        }
    }

    /** Appends {@code " +relu"} and the like for an activation other than none. */
    static void appendActivation(StringBuilder text, Activation activation) {
        if (activation != Activation.NONE) {
            text.append(" +").append(activation.name().toLowerCase(Locale.ROOT));
        }
    }

    /** {@code text} with the element type where it is not f32 and the batch where it is not 1. */
    static String suffixed(StringBuilder text, DType dtype, int batch) {
        if (dtype != DType.F32) {
            text.append(' ').append(dtype.label());
        }
        if (batch != 1) {
            text.append(" (batch ").append(batch).append(')');
        }
        return text.toString();
    }
}
