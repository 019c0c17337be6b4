package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What ops say they compute in a profile, and the multiply-accumulates they count, against hand-written values. */
class DescribeTest {
    private static final Layout BLOCKED = Layout.NCHW16C;

    @Test
    void convolutionsNameKernelStrideChannelsSizeAndEpilogue() {
        Conv2d.Spec stem = Conv2d.Spec.of(Shape.of(1, 3, 224, 224), 64, 7, 2, 3)
                .withEpilogue(Activation.RELU, Residual.NONE);
        assertEquals("conv 7x7 s2 3->64 224x224 +relu", stem.describe());
        Conv2d.Spec depthwise = Conv2d.Spec.of(Shape.of(1, 96, 112, 112), 96, 3, 2, 1).withGroups(96)
                .withEpilogue(Activation.RELU6, Residual.NONE).withLayouts(BLOCKED, BLOCKED);
        assertEquals("dwconv 3x3 s2 96 112x112 +relu6", depthwise.describe());
        Conv2d.Spec projection = Conv2d.Spec.of(Shape.of(8, 256, 14, 14), 1024, 1, 1, 0)
                .withEpilogue(Activation.RELU, Residual.ACCUMULATE).withDType(DType.BF16);
        assertEquals("conv 1x1 256->1024 14x14 +residual +relu bf16 (batch 8)", projection.describe());
        Conv2d.Spec grouped = Conv2d.Spec.of(Shape.of(1, 32, 9, 10), 64, 3, 1, 2).withGroups(4).withDilation(2);
        assertEquals("conv 3x3 d2 32->64 9x10 g4", grouped.describe());
        Conv2d.Spec multiplier = Conv2d.Spec.of(Shape.of(1, 8, 5, 5), 16, 3, 1, 1).withGroups(8);
        assertEquals("conv 3x3 8->16 5x5 g8", multiplier.describe(), "two outputs per group is not depthwise");
        Conv2d.Spec uneven = new Conv2d.Spec(Shape.of(1, 4, 9, 9), 4, 3, 1, 2, 1, 0, 0, 1, 1, 1, DType.F32,
                Layout.NCHW, Layout.NCHW, Activation.NONE, Residual.NONE);
        assertEquals("conv 3x1 s2x1 4->4 9x9", uneven.describe());
    }

    @Test
    void convolutionMacsCountEveryOutputTimesItsInputsPerGroup() {
        // 2 images x 16 outputs x 5 x 5 pixels, 8 inputs x 3 x 3 each.
        assertEquals(2L * 16 * 25 * 8 * 9, Conv2d.Spec.of(Shape.of(2, 8, 5, 5), 16, 3, 1, 1).macs());
        // Stride 2 without padding: 3 x 3 outputs; groups of 2 inputs.
        assertEquals(1L * 6 * 9 * 2 * 9, Conv2d.Spec.of(Shape.of(1, 6, 7, 7), 6, 3, 2, 0).withGroups(3).macs());
        // ResNet-50's first convolution: 118 M multiply-accumulates.
        assertEquals(118_013_952L, Conv2d.Spec.of(Shape.of(1, 3, 224, 224), 64, 7, 2, 3).macs());
    }

    @Test
    void theOtherOpsNameWhatTheyDo() {
        assertEquals("linear 2048->1000", new Linear.Spec(1, 2048, 1000).describe());
        assertEquals("linear 440->110 +relu (batch 8)",
                new Linear.Spec(8, 440, 110, Activation.RELU).describe());
        assertEquals(4L * 2048 * 1000, new Linear.Spec(4, 2048, 1000).macs());
        assertEquals("maxpool 3x3 s2 64 112x112",
                Pool2d.Spec.of(Shape.of(1, 64, 112, 112), Pool2d.Kind.MAX, 3, 2, 1, BLOCKED).describe());
        assertEquals("avgpool 2x2 s2 8 6x6 bf16 (batch 2)", Pool2d.Spec.of(Shape.of(2, 8, 6, 6),
                Pool2d.Kind.AVG_EXCLUDE_PADDING, 2, 2, 0, BLOCKED).withDType(DType.BF16).describe());
        assertEquals("global avgpool 2048 7x7", GlobalAvgPool.describe(Shape.of(1, 2048, 7, 7), DType.F32));
        assertEquals("reorder 3 224x224 NCHW->NCHW16C f32->bf16", new Reorder.Spec(Shape.of(1, 3, 224, 224),
                DType.F32, Layout.NCHW, DType.BF16, BLOCKED).describe());
        assertEquals("add 256 56x56", new Add.Spec(Shape.of(1, 256, 56, 56), DType.F32, BLOCKED).describe());
    }
}
