package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** A prepared 2-D max or average pooling; source and destination share one layout. */
public interface Pool2d extends SpecifiedOp<Pool2d.Spec> {
    void run(Tensor src, Tensor dst);

    enum Kind {
        MAX,
        /** PyTorch's {@code AvgPool2d} default ({@code count_include_pad=True}). */
        AVG_INCLUDE_PADDING,
        AVG_EXCLUDE_PADDING
    }

    /** PyTorch's pooling parameters with {@code ceil_mode=False}. */
    record Spec(Shape input, Kind kind, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                DType dtype, Layout layout) implements OpSpec {
        public Spec {
            input.requireRank(4, "pooling input");
            layout.requireRank(input);
            if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
                throw new IllegalArgumentException("pooling needs kernel and stride >= 1 and padding >= 0, got kernel "
                        + kernelH + "x" + kernelW + " stride " + strideH + "x" + strideW + " padding " + padH + "x"
                        + padW);
            }
            if (2L * padH > kernelH || 2L * padW > kernelW) {
                throw new IllegalArgumentException("pooling padding must be at most half the kernel, got padding "
                        + padH + "x" + padW + " for kernel " + kernelH + "x" + kernelW);
            }
            if (input.dim(2) + 2 * padH < kernelH || input.dim(3) + 2 * padW < kernelW) {
                throw new IllegalArgumentException("input " + input + " is smaller than the pooling kernel "
                        + kernelH + "x" + kernelW);
            }
        }

        public static Spec of(Shape input, Kind kind, int kernel, int stride, int padding, Layout layout) {
            return new Spec(input, kind, kernel, kernel, stride, stride, padding, padding, DType.F32, layout);
        }

        public Spec withDType(DType type) {
            return new Spec(input, kind, kernelH, kernelW, strideH, strideW, padH, padW, type, layout);
        }

        /** In a few words, for profiles: {@code maxpool 3x3 s2 64 112x112}. */
        @Override
        public String describe() {
            StringBuilder text = new StringBuilder(kind == Kind.MAX ? "maxpool " : "avgpool ")
                    .append(kernelH).append('x').append(kernelW);
            OpText.appendPair(text, "s", strideH, strideW);
            text.append(' ').append(OpText.extent(input));
            return OpText.suffixed(text, dtype, input.dim(0));
        }

        public Shape output() {
            return Shape.of(input.dim(0), input.dim(1),
                    (input.dim(2) + 2 * padH - kernelH) / strideH + 1,
                    (input.dim(3) + 2 * padW - kernelW) / strideW + 1);
        }
    }
}
