package ai.dgnet.runtime.op;

import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.util.Objects;

/**
 * A 1x1 convolution and the depthwise 3x3 convolution over its result as one op: MobileNet's expansion and
 * depthwise filter. A device that runs them in one pass keeps the 1x1 result, the largest tensor of such a block,
 * in cache a few rows at a time instead of writing it to memory whole and reading it back.
 */
public interface PointwiseDepthwise extends SpecifiedOp<PointwiseDepthwise.Spec> {
    /** {@code dst = depthwise(pointwise(src))}, each convolution with its bias and activation. */
    void run(Tensor src, Tensor dst);

    /**
     * The two convolutions: {@code pointwise} 1x1 with stride 1 and no padding, dilation or groups; {@code depthwise}
     * 3x3 with one group per channel, padding 1, equal strides of 1 or 2 and no dilation, over exactly what
     * {@code pointwise} writes (shape, type and layout). Neither adds a residual.
     */
    record Spec(Conv2d.Spec pointwise, Conv2d.Spec depthwise) implements OpSpec {
        public Spec {
            Objects.requireNonNull(pointwise, "pointwise");
            Objects.requireNonNull(depthwise, "depthwise");
            if (!isPointwise(pointwise)) {
                throw new IllegalArgumentException("the first convolution must be 1x1 with stride 1 and no padding, "
                        + "dilation or groups, got " + pointwise.describe());
            }
            if (!isDepthwise3x3(depthwise, pointwise.outChannels())) {
                throw new IllegalArgumentException("the second convolution must be depthwise 3x3 over "
                        + pointwise.outChannels() + " channels with padding 1, stride 1 or 2 and no dilation, got "
                        + depthwise.describe());
            }
            if (!takesWhatIsWritten(pointwise, depthwise)) {
                throw new IllegalArgumentException("the depthwise convolution must take what the 1x1 one writes, "
                        + pointwise.output() + " " + pointwise.dtype() + " " + pointwise.dstLayout() + ", got "
                        + depthwise.input() + " " + depthwise.dtype() + " " + depthwise.srcLayout());
            }
            if (!addNoResidual(pointwise, depthwise)) {
                throw new IllegalArgumentException("a 1x1 and depthwise pair adds no residual, got "
                        + pointwise.residual() + " and " + depthwise.residual());
            }
        }

        /** Whether the two convolutions make a spec: what the constructor would accept. */
        public static boolean pairs(Conv2d.Spec pointwise, Conv2d.Spec depthwise) {
            return isPointwise(pointwise) && isDepthwise3x3(depthwise, pointwise.outChannels())
                    && takesWhatIsWritten(pointwise, depthwise) && addNoResidual(pointwise, depthwise);
        }

        private static boolean isPointwise(Conv2d.Spec conv) {
            return conv.kernelH() == 1 && conv.kernelW() == 1 && conv.strideH() == 1 && conv.strideW() == 1
                    && conv.padH() == 0 && conv.padW() == 0 && conv.dilationH() == 1 && conv.dilationW() == 1
                    && conv.groups() == 1;
        }

        private static boolean isDepthwise3x3(Conv2d.Spec conv, int channels) {
            return conv.kernelH() == 3 && conv.kernelW() == 3 && conv.groups() == channels
                    && conv.outChannels() == channels && conv.padH() == 1 && conv.padW() == 1
                    && conv.strideH() == conv.strideW() && conv.strideH() <= 2
                    && conv.dilationH() == 1 && conv.dilationW() == 1;
        }

        private static boolean takesWhatIsWritten(Conv2d.Spec pointwise, Conv2d.Spec depthwise) {
            return depthwise.input().equals(pointwise.output()) && depthwise.dtype() == pointwise.dtype()
                    && depthwise.srcLayout() == pointwise.dstLayout();
        }

        private static boolean addNoResidual(Conv2d.Spec pointwise, Conv2d.Spec depthwise) {
            return pointwise.residual() == Residual.NONE && depthwise.residual() == Residual.NONE;
        }

        public Shape input() {
            return pointwise.input();
        }

        public Shape output() {
            return depthwise.output();
        }

        /** Both convolutions' descriptions: {@code conv 1x1 16->96 112x112 +relu6, then dwconv 3x3 s2 96 ...}. */
        @Override
        public String describe() {
            return pointwise.describe() + ", then " + depthwise.describe();
        }

        @Override
        public long macs() {
            return pointwise.macs() + depthwise.macs();
        }
    }
}
