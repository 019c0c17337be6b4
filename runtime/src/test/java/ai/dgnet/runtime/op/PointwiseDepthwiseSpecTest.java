package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which pairs of convolutions make a 1x1-then-depthwise op, what the refusals say, and what the pair describes. */
class PointwiseDepthwiseSpecTest {
    private static final Layout BLOCKED = Layout.NCHW16C;
    private static final Shape INPUT = Shape.of(1, 16, 112, 112);

    private static Conv2d.Spec expansion() {
        return Conv2d.Spec.of(INPUT, 96, 1, 1, 0).withLayouts(BLOCKED, BLOCKED)
                .withEpilogue(Activation.RELU6, Residual.NONE);
    }

    private static Conv2d.Spec depthwise(int stride) {
        return Conv2d.Spec.of(Shape.of(1, 96, 112, 112), 96, 3, stride, 1).withGroups(96)
                .withLayouts(BLOCKED, BLOCKED).withEpilogue(Activation.RELU6, Residual.NONE);
    }

    @Test
    void mobileNetsExpansionAndDepthwiseFilterArePaired() {
        PointwiseDepthwise.Spec spec = new PointwiseDepthwise.Spec(expansion(), depthwise(2));
        assertTrue(PointwiseDepthwise.Spec.pairs(expansion(), depthwise(2)));
        assertEquals(INPUT, spec.input());
        assertEquals(Shape.of(1, 96, 56, 56), spec.output());
        assertEquals("conv 1x1 16->96 112x112 +relu6, then dwconv 3x3 s2 96 112x112 +relu6", spec.describe());
        // 96 x 112 x 112 outputs of 16 inputs, then 96 x 56 x 56 outputs of 3 x 3 inputs.
        assertEquals(96L * 112 * 112 * 16 + 96L * 56 * 56 * 9, spec.macs());
    }

    @Test
    void otherPairsAreRefusedWithWhatWasExpected() {
        Conv2d.Spec depthwise = depthwise(1);
        assertRefused("the first convolution must be 1x1 with stride 1 and no padding, dilation or groups, got "
                + "conv 3x3 16->96 112x112", () -> Conv2d.Spec.of(INPUT, 96, 3, 1, 1).withLayouts(BLOCKED, BLOCKED),
                depthwise);
        assertRefused("the first convolution must be 1x1 with stride 1", () -> Conv2d.Spec.of(Shape.of(1, 16, 224,
                224), 96, 1, 2, 0).withLayouts(BLOCKED, BLOCKED), depthwise);
        assertRefused("the second convolution must be depthwise 3x3 over 96 channels with padding 1, stride 1 or 2 "
                + "and no dilation, got conv 3x3 96->96 112x112 g48", () -> expansion(), depthwise.withGroups(48));
        assertRefused("stride 1 or 2", () -> expansion(), Conv2d.Spec.of(Shape.of(1, 96, 112, 112), 96, 3, 3, 1)
                .withGroups(96).withLayouts(BLOCKED, BLOCKED));
        assertRefused("no dilation", () -> expansion(), depthwise.withDilation(2));
        assertRefused("the depthwise convolution must take what the 1x1 one writes, [1, 96, 112, 112] F32 NCHW16C, "
                + "got [1, 96, 112, 112] F32 NHWC", () -> expansion(), depthwise.withLayouts(Layout.NHWC, BLOCKED));
        assertRefused("must take what the 1x1 one writes", () -> expansion(), depthwise.withDType(DType.BF16));
        assertRefused("a 1x1 and depthwise pair adds no residual, got NONE and ACCUMULATE", () -> expansion(),
                depthwise.withEpilogue(Activation.RELU6, Residual.ACCUMULATE));
        assertThrows(NullPointerException.class, () -> new PointwiseDepthwise.Spec(null, depthwise));
    }

    private static void assertRefused(String message, Supplier<Conv2d.Spec> pointwise, Conv2d.Spec depthwise) {
        assertFalse(PointwiseDepthwise.Spec.pairs(pointwise.get(), depthwise), message);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PointwiseDepthwise.Spec(pointwise.get(), depthwise));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
