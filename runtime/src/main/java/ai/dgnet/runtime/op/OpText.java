package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;

import java.util.Locale;

/** The pieces every op's {@code describe()} shares, so that all of them read alike in a profile. */
final class OpText {
    private OpText() {
    }

    /** {@code C HxW} of a rank-4 shape: {@code 64 56x56}. */
    static String channelsAndSize(Shape shape) {
        return shape.dim(1) + " " + shape.dim(2) + "x" + shape.dim(3);
    }

    /** {@code text} with the element type where it is not f32 and the batch where it is not 1. */
    static String suffixed(StringBuilder text, DType dtype, int batch) {
        if (dtype != DType.F32) {
            text.append(' ').append(dtype.name().toLowerCase(Locale.ROOT));
        }
        if (batch != 1) {
            text.append(" (batch ").append(batch).append(')');
        }
        return text.toString();
    }
}
