package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.KernelChecks;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;
import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NhwcConvolutionTest {
    /** As for oneDNN's direct convolution ({@code ConvolutionTest}), relative L2 against double. */
    private static final double TOLERANCE = 1e-5;
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(2);

    private static Conv2d.Spec spec(Shape input, int out) {
        return Conv2d.Spec.of(input, out, 3, 2, 1).withLayouts(Layout.NCHW8C, Layout.NCHW8C)
                .withEpilogue(Activation.RELU, Residual.NONE);
    }

    /**
     * Odd sizes leave a partial last window; 20 channels leave padding in the last 8-channel block. The op runs any
     * batch and size it supports; {@link NhwcConvolution#pays} decides where the device uses it.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}x{3} -> {4}")
    @CsvSource({"1, 16, 14, 14, 16", "2, 20, 13, 11, 24", "1, 256, 28, 28, 256"})
    void matchesPlainJavaReference(int n, int c, int h, int w, int out) {
        Shape input = Shape.of(n, c, h, w);
        Conv2d.Spec spec = spec(input, out);
        float[] x = Reference.random(41, input.elements());
        float[] weights = Reference.random(42, spec.weightCount());
        float[] bias = Reference.random(43, out);
        double[] expected = Reference.relu(Reference.conv2d(x, input, weights, bias, out, 3, 3, 2, 1, 1, 1),
                Double.POSITIVE_INFINITY);
        try (Conv2d conv = new NhwcConvolution(device, spec, new ConvWeights(weights, bias));
             Tensor src = Tensor.of(input, Layout.NCHW8C, x);
             Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NCHW8C)) {
            assertTrue(conv.implementation().startsWith("nhwc:"), conv.implementation());
            assertTrue(conv.optimized(), conv.implementation());
            conv.run(src, dst);
            conv.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, "relative error " + error);
            assertEquals(2, conv.profile().runs());
        }
    }

    @Test
    void leavesTheDestinationsPaddingZero() {
        Shape input = Shape.of(1, 12, 9, 9);
        Conv2d.Spec spec = spec(input, 20);
        try (Conv2d conv = new NhwcConvolution(device, spec, ConvWeights.withoutBias(
                     Reference.random(7, spec.weightCount())));
             Tensor src = Tensor.of(input, Layout.NCHW8C, Reference.random(8, input.elements()));
             Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NCHW8C)) {
            Padding.assertZeroedBySecondRun("NHWC convolution", () -> conv.run(src, dst), dst);
        }
    }

    @Test
    void runsOnlyStride2ThreeByThreeWithoutResidualInNchw8cForOneSmallImage() {
        Shape input = Shape.of(1, 16, 14, 14);
        assertTrue(NhwcConvolution.pays(spec(input, 16)));
        assertTrue(NhwcConvolution.supports(spec(Shape.of(2, 16, 56, 56), 16)));
        assertFalse(NhwcConvolution.pays(Conv2d.Spec.of(input, 16, 3, 1, 1)
                .withLayouts(Layout.NCHW8C, Layout.NCHW8C)), "stride 1");
        assertFalse(NhwcConvolution.pays(spec(input, 16).withLayouts(Layout.NCHW16C, Layout.NCHW16C)), "nChw16c");
        assertFalse(NhwcConvolution.pays(spec(Shape.of(2, 16, 14, 14), 16)), "batch 2");
        assertTrue(NhwcConvolution.pays(spec(Shape.of(1, 16, 28, 28), 16)), "28x28");
        assertFalse(NhwcConvolution.pays(spec(Shape.of(1, 16, 28, 29), 16)), "more than 28x28 pixels");
        assertFalse(NhwcConvolution.pays(spec(input, 16).withEpilogue(Activation.RELU, Residual.ACCUMULATE)),
                "residual");
        ConvWeights weights = ConvWeights.withoutBias(new float[16 * 16 * 9]);
        assertThrows(IllegalArgumentException.class, () -> new NhwcConvolution(device,
                spec(input, 16).withEpilogue(Activation.RELU, Residual.ADD), weights));
        try (Conv2d chosen = device.conv2d(spec(input, 16), weights)) {
            assertEquals(device.activationLayouts().contains(Layout.NHWC), chosen.implementation().startsWith("nhwc:"),
                    chosen.implementation());
        }
    }

    @Test
    void badTensorsAreRefusedBeforeAnyNativeCall() {
        Shape input = Shape.of(1, 16, 14, 14);
        Conv2d.Spec spec = spec(input, 16);
        try (Conv2d conv = new NhwcConvolution(device, spec, ConvWeights.withoutBias(new float[16 * 16 * 9]));
             Tensor nhwc = device.allocate(input, DType.F32, Layout.NHWC);
             Tensor wrong = device.allocate(Shape.of(1, 16, 14, 15), DType.F32, Layout.NCHW8C);
             Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NCHW8C)) {
            assertThrows(IllegalArgumentException.class, () -> conv.run(nhwc, dst), "an NHWC source");
            assertThrows(IllegalArgumentException.class, () -> conv.run(wrong, dst), "a wrong shape");
            assertThrows(IllegalArgumentException.class, () -> conv.run(wrong, wrong, dst), "a residual");
        }
    }

    @Test
    void aRunAllocatesNothingOnceWarm() {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        Conv2d.Spec spec = spec(Shape.of(1, 32, 28, 28), 32);
        try (Conv2d conv = new NhwcConvolution(device, spec, ConvWeights.withoutBias(
                     Reference.random(5, spec.weightCount())));
             Tensor src = device.allocate(spec.input(), DType.F32, Layout.NCHW8C);
             Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NCHW8C)) {
            long allocated = KernelChecks.allocatedOnceWarm(threads, () -> conv.run(src, dst), 200, 50);
            assertEquals(0, allocated, "bytes allocated by 50 runs");
        }
    }
}
