package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.KernelChecks;
import ai.dgnet.runtime.kernel.WinogradTransforms.Size;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;
import com.sun.management.ThreadMXBean;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WinogradConvolutionTest {
    /** As for oneDNN's direct convolution ({@code ConvolutionTest}), relative L2 against double. */
    private static final double TOLERANCE = 1e-5;
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(2);
    private static final Layout blocked = device.activationLayouts().getFirst();

    @BeforeAll
    static void needsTheVectorKernels() {
        assumeTrue(DgKernelsProvider.vectorized(), "Winograd convolution needs the Vector API kernels");
    }

    record Case(String name, Shape input, int out, boolean bias, Activation activation, Size size) {
        @Override
        public String toString() {
            return name + ", " + size;
        }
    }

    static Stream<Case> cases() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        return Stream.of(Size.values()).flatMap(size -> Stream.of(
                new Case("one block, whole tiles", Shape.of(1, 16, 16, 16), 16, true, Activation.NONE, size),
                new Case("partial tiles at both edges, relu", Shape.of(1, 32, 13, 15), 48, true, Activation.RELU,
                        size),
                new Case("batch 3, a tile row and column partial, relu6", Shape.of(3, 16, 14, 17), 32, true,
                        Activation.RELU6, size),
                new Case("no bias, one row of tiles", Shape.of(2, 48, 3, 70), 16, false, Activation.RELU, size),
                // 3 and 5 channel blocks: rows of tiles split into groups of blocks, the last one partial on AVX2.
                new Case("odd channel blocks, several groups per row", Shape.of(1, 3 * lanes, 9, 30), 5 * lanes,
                        true, Activation.RELU, size),
                new Case("ResNet-50 layer1 size", Shape.of(1, 64, 56, 56), 64, true, Activation.RELU, size),
                new Case("ResNet-50 layer3 size", Shape.of(1, 256, 14, 14), 256, true, Activation.RELU, size),
                // Operands of 1.8 MB an image by F(4x4, 3x3): two products of three images; F(2x2, 3x3): three of two.
                new Case("batch 6, several images a product", Shape.of(6, 16, 80, 80), 16, true, Activation.RELU,
                        size),
                // F(4x4, 3x3): 4 partial tiles an image, too few alone, 32 in the one product of all eight.
                new Case("7x7 maps, batch 8", Shape.of(8, 64, 7, 7), 64, true, Activation.RELU, size)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPlainJavaReference(Case c) {
        Conv2d.Spec spec = Conv2d.Spec.of(c.input(), c.out(), 3, 1, 1).withLayouts(blocked, blocked)
                .withEpilogue(c.activation(), Residual.NONE);
        float[] x = Reference.random(1, c.input().elements());
        float[] w = Reference.random(2, spec.weightCount());
        float[] b = c.bias() ? Reference.random(3, c.out()) : null;
        double[] expected = Reference.conv2d(x, c.input(), w, b, c.out(), 3, 3, 1, 1, 1, 1);
        expected = Reference.activation(expected, c.activation());
        try (Conv2d conv = new WinogradConvolution(device, spec, new ConvWeights(w, b), c.size());
             Tensor src = Tensor.of(c.input(), blocked, x);
             Tensor dst = device.allocate(spec.output(), DType.F32, blocked)) {
            assertEquals("winograd_" + c.size().out() + "x3", conv.implementation().split("\\+")[0]);
            // Twice: the second run finds the workspace the first one grew, and must not see its stale contents.
            conv.run(src, dst);
            conv.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, c + ": relative error " + error);
        }
    }

    static Stream<Arguments> residuals() {
        return Stream.of(Size.values()).flatMap(size -> Stream.of(Residual.ADD, Residual.ACCUMULATE)
                .map(residual -> Arguments.of(size, residual)));
    }

    /** ResNet's basic blocks: {@code relu(conv(x) + bias + identity)}, the identity added or accumulated onto. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("residuals")
    void addsAResidualBeforeTheActivation(Size size, Residual residual) {
        Shape in = Shape.of(2, 32, 13, 18);
        Conv2d.Spec spec = Conv2d.Spec.of(in, 16, 3, 1, 1).withLayouts(blocked, blocked)
                .withEpilogue(Activation.RELU, residual);
        float[] x = Reference.random(31, in.elements());
        float[] w = Reference.random(32, spec.weightCount());
        float[] b = Reference.random(33, 16);
        float[] identity = Reference.random(34, spec.output().elements());
        double[] expected = Reference.relu(Reference.add(Reference.conv2d(x, in, w, b, 16, 3, 3, 1, 1, 1, 1),
                identity), Double.POSITIVE_INFINITY);
        try (Conv2d conv = new WinogradConvolution(device, spec, new ConvWeights(w, b), size);
             Tensor src = Tensor.of(in, blocked, x);
             Tensor added = Tensor.of(spec.output(), blocked, identity);
             Tensor dst = residual == Residual.ACCUMULATE ? Tensor.of(spec.output(), blocked, identity)
                     : device.allocate(spec.output(), DType.F32, blocked)) {
            if (residual == Residual.ADD) {
                conv.run(src, added, dst);
                conv.run(src, added, dst);
                assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst), "the residual is missing");
                assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst, dst), "in place is ACCUMULATE");
                assertThrows(IllegalArgumentException.class, () -> conv.run(src, src, dst), "the residual's shape");
            } else {
                conv.run(src, dst);
                assertThrows(IllegalArgumentException.class, () -> conv.run(src, added, dst), "no separate residual");
            }
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, size + ", " + residual + ": relative error " + error);
        }
    }

    @Test
    void runsOnlyWhatItSupportsAndCanBeTurnedOff() {
        Conv2d.Spec winograd = Conv2d.Spec.of(Shape.of(1, 16, 16, 16), 16, 3, 1, 1).withLayouts(blocked, blocked);
        assertTrue(WinogradConvolution.supports(winograd, Size.F4));
        assertTrue(WinogradConvolution.supports(winograd, Size.F2));
        assertFalse(WinogradConvolution.supports(Conv2d.Spec.of(Shape.of(1, 16, 16, 16), 16, 3, 2, 1)
                .withLayouts(blocked, blocked), Size.F4), "stride 2");
        Conv2d.Spec smallImage = Conv2d.Spec.of(Shape.of(1, 16, 12, 13), 16, 3, 1, 1).withLayouts(blocked, blocked);
        assertFalse(WinogradConvolution.supports(smallImage, Size.F4), "12 tiles of 4x4 in the one image");
        assertTrue(WinogradConvolution.supports(smallImage, Size.F2), "42 tiles of 2x2");
        assertTrue(WinogradConvolution.supports(batch(smallImage, 8), Size.F4), "8 images of 12 tiles in one product");
        assertFalse(WinogradConvolution.supports(winograd.withDilation(2), Size.F4), "dilation");
        assertFalse(WinogradConvolution.supports(winograd.withGroups(2), Size.F4), "groups");
        assertFalse(WinogradConvolution.supports(winograd.withDType(DType.BF16), Size.F4), "bf16");
        assertFalse(WinogradConvolution.supports(winograd.withLayouts(Layout.NHWC, Layout.NHWC), Size.F4),
                "plain layout");
        assertTrue(WinogradConvolution.supports(winograd.withEpilogue(Activation.RELU, Residual.ACCUMULATE),
                Size.F4), "a residual accumulated");
        assertTrue(WinogradConvolution.supports(winograd.withEpilogue(Activation.RELU, Residual.ADD), Size.F2),
                "a residual added");
        assertFalse(WinogradConvolution.supports(Conv2d.Spec.of(Shape.of(1, 20, 16, 16), 16, 3, 1, 1)
                .withLayouts(blocked, blocked), Size.F4), "channels not whole blocks");

        assertEquals(36L * 16 * 16 * 4, WinogradConvolution.filterBytes(winograd, Size.F4));
        assertEquals(16L * 16 * 16 * 4, WinogradConvolution.filterBytes(winograd, Size.F2));
        withWinogradProperty(null, () -> {
            try (CpuDevice limited = CpuDevice.create(1)) {
                assertEquals("winograd_4x3", implementation(limited, ResNet.LAYER2), "2.25 MiB");
                assertEquals("winograd_2x3", implementation(limited, ResNet.LAYER3),
                        "9 MiB with 4x4 tiles, 4 with 2x2");
                assertFalse(implementation(limited, ResNet.LAYER4).startsWith("winograd"), "16 MiB with 2x2 tiles");
            }
        });
        try (CpuDevice larger = CpuDevice.create(1, 9)) {
            assertEquals("winograd_4x3", implementation(larger, ResNet.LAYER3));
        }
        try (CpuDevice none = CpuDevice.create(1, 0)) {
            assertFalse(implementation(none, winograd).startsWith("winograd"));
        }
        withWinogradProperty("9", () -> {
            try (CpuDevice fewRuns = CpuDevice.forFewRuns(1)) {
                assertFalse(implementation(fewRuns, winograd).startsWith("winograd"), "whatever the property says");
                assertEquals("scalar", fewRuns.dgKernels().name(), "the kernels that need no warm-up");
                assertTrue(fewRuns.name().endsWith(", set up for few runs)"), fewRuns.name());
            }
        });
        assertThrows(IllegalArgumentException.class, () -> CpuDevice.forFewRuns(0));
        try (CpuDevice unlimited = CpuDevice.create(1, Long.MAX_VALUE)) {
            assertEquals("winograd_2x3", implementation(unlimited, ResNet.LAYER4), "no overflow into a negative limit");
        }
        try (CpuDevice limited = CpuDevice.create(1)) {
            assertEquals("winograd_2x3", implementation(limited, batch(ResNet.LAYER3, 2)), "4.5 MiB an image by 4x4");
            assertEquals("winograd_4x3", implementation(limited, batch(ResNet.LAYER3, 4)), "2.25 MiB an image");
            assertFalse(implementation(limited, batch(ResNet.LAYER4, 2)).startsWith("winograd"), "8 MiB an image");
            assertEquals("winograd_2x3", implementation(limited, batch(ResNet.LAYER4, 4)), "4 MiB an image by 2x2");
            assertEquals("winograd_2x3", implementation(limited, batch(ResNet.LAYER4, 16)),
                    "8 images of 4 tiles would share 36 MiB by 4x4, 16 MiB by 2x2");
            assertEquals("winograd_4x3", implementation(limited, batch(ResNet.LAYER4, 12)),
                    "12 images of 4 tiles share 36 MiB");
        }
        assertThrows(IllegalArgumentException.class, () -> CpuDevice.create(1, -1));
        withWinogradProperty("9", () -> {
            try (CpuDevice larger = CpuDevice.create(1)) {
                assertEquals("winograd_4x3", implementation(larger, ResNet.LAYER3), "the property read");
            }
        });
        for (String bad : new String[] {"-1", "four", ""}) {
            withWinogradProperty(bad, () -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuDevice.create(1));
                assertTrue(e.getMessage().contains(CpuDevice.WINOGRAD_PROPERTY), e.getMessage());
            });
        }
    }

    /** The stride-1 3x3 convolutions of ResNet-50's layer2, layer3 and layer4 (128, 256 and 512 channels). */
    private static final class ResNet {
        static final Conv2d.Spec LAYER2 = Conv2d.Spec.of(Shape.of(1, 128, 28, 28), 128, 3, 1, 1)
                .withLayouts(blocked, blocked);
        static final Conv2d.Spec LAYER3 = Conv2d.Spec.of(Shape.of(1, 256, 14, 14), 256, 3, 1, 1)
                .withLayouts(blocked, blocked);
        static final Conv2d.Spec LAYER4 = Conv2d.Spec.of(Shape.of(1, 512, 7, 7), 512, 3, 1, 1)
                .withLayouts(blocked, blocked);
    }

    @Test
    void imagesShareAProductWhileTheirOperandsFit() {
        // 1.2 MB of operands an image by 4x4 tiles at 14x14 with 256 channels: seven fit in 8 MiB.
        assertEquals(1, WinogradConvolution.imagesPerProduct(ResNet.LAYER3, Size.F4));
        assertEquals(4, WinogradConvolution.imagesPerProduct(batch(ResNet.LAYER3, 8), Size.F4), "a divisor of 8");
        assertEquals(6, WinogradConvolution.imagesPerProduct(batch(ResNet.LAYER3, 6), Size.F4));
        assertEquals(1, WinogradConvolution.imagesPerProduct(batch(ResNet.LAYER3, 11), Size.F4), "11 is prime");
        assertEquals(5, WinogradConvolution.imagesPerProduct(batch(ResNet.LAYER3, 5), Size.F4));
        assertEquals(4, WinogradConvolution.imagesPerProduct(batch(ResNet.LAYER3, 8), Size.F2), "1.6 MB an image");
        Conv2d.Spec layer1 = Conv2d.Spec.of(Shape.of(8, 64, 56, 56), 64, 3, 1, 1).withLayouts(blocked, blocked);
        assertEquals(1, WinogradConvolution.imagesPerProduct(layer1, Size.F2), "6.4 MB an image");
    }

    /** {@code spec}, a stride-1 3x3 convolution, on {@code images} images. */
    private static Conv2d.Spec batch(Conv2d.Spec spec, int images) {
        int[] dims = spec.input().dims();
        dims[0] = images;
        return Conv2d.Spec.of(Shape.of(dims), spec.outChannels(), 3, 1, 1)
                .withLayouts(spec.srcLayout(), spec.dstLayout());
    }

    /** The implementation {@code device} picks for {@code spec}, up to the first {@code +}. */
    private static String implementation(CpuDevice device, Conv2d.Spec spec) {
        try (Conv2d conv = device.conv2d(spec, ConvWeights.withoutBias(new float[(int) spec.weightCount()]))) {
            return conv.implementation().split("\\+")[0];
        }
    }

    /** Runs {@code body} with {@link CpuDevice#WINOGRAD_PROPERTY} set to {@code value} ({@code null}: unset). */
    private static void withWinogradProperty(String value, Runnable body) {
        String before = System.getProperty(CpuDevice.WINOGRAD_PROPERTY);
        set(value);
        try {
            body.run();
        } finally {
            set(before);
        }
    }

    private static void set(String value) {
        if (value == null) {
            System.clearProperty(CpuDevice.WINOGRAD_PROPERTY);
        } else {
            System.setProperty(CpuDevice.WINOGRAD_PROPERTY, value);
        }
    }

    @Test
    void transformedFiltersAreSharedBetweenBatchSizes() {
        try (CpuDevice own = CpuDevice.create(1)) {
            float[] w = Reference.random(21, 32L * 16 * 9);
            Conv2d.Spec batch1 = Conv2d.Spec.of(Shape.of(1, 16, 16, 13), 32, 3, 1, 1).withLayouts(blocked, blocked);
            Conv2d.Spec batch4 = Conv2d.Spec.of(Shape.of(4, 16, 16, 13), 32, 3, 1, 1).withLayouts(blocked, blocked);
            try (Conv2d first = own.conv2d(batch1, ConvWeights.withoutBias(w));
                 Conv2d second = own.conv2d(batch4, ConvWeights.withoutBias(w.clone()))) {
                assertEquals(1, own.weights().buffers(), "one placed buffer of transformed filters");
                float[] x = Reference.random(23, batch4.input().elements());
                try (Tensor src = Tensor.of(batch4.input(), blocked, x);
                     Tensor dst = own.allocate(batch4.output(), DType.F32, blocked)) {
                    second.run(src, dst);
                    double error = Reference.relativeError(dst.toFloatArray(),
                            Reference.conv2d(x, batch4.input(), w, null, 32, 3, 3, 1, 1, 1, 1));
                    assertTrue(error <= TOLERANCE, "relative error " + error);
                }
            }
            assertEquals(0, own.weights().buffers(), "freed with the last op");
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"F4, NONE", "F2, NONE", "F4, ACCUMULATE", "F2, ACCUMULATE"})
    void aRunAllocatesNothingOnceWarm(Size size, Residual residual) {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        Conv2d.Spec spec = Conv2d.Spec.of(Shape.of(2, 32, 28, 28), 32, 3, 1, 1).withLayouts(blocked, blocked)
                .withEpilogue(Activation.RELU, residual);
        ConvWeights weights = ConvWeights.withoutBias(Reference.random(5, spec.weightCount()));
        try (Conv2d conv = new WinogradConvolution(device, spec, weights, size);
             Tensor src = device.allocate(spec.input(), DType.F32, blocked);
             Tensor dst = device.allocate(spec.output(), DType.F32, blocked)) {
            long allocated = KernelChecks.allocatedOnceWarm(threads, () -> conv.run(src, dst), 200, 50);
            assertEquals(0, allocated, "bytes allocated by 50 runs");
        }
    }

    @Test
    void badTensorsAreRefusedBeforeAnyNativeCall() {
        Conv2d.Spec spec = Conv2d.Spec.of(Shape.of(1, 16, 16, 16), 16, 3, 1, 1).withLayouts(blocked, blocked);
        try (Conv2d conv = device.conv2d(spec, ConvWeights.withoutBias(new float[16 * 16 * 9]));
             Tensor wrong = device.allocate(Shape.of(1, 16, 16, 17), DType.F32, blocked);
             Tensor src = device.allocate(spec.input(), DType.F32, blocked);
             Tensor dst = device.allocate(spec.output(), DType.F32, blocked)) {
            assertThrows(IllegalArgumentException.class, () -> conv.run(wrong, dst));
            assertThrows(IllegalArgumentException.class, () -> conv.run(src, wrong));
            assertThrows(IllegalArgumentException.class, () -> conv.run(src, src));
            assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst, dst));
        }
        assertThrows(IllegalArgumentException.class,
                () -> device.conv2d(spec, ConvWeights.withoutBias(new float[16 * 16 * 9 - 1])));
    }
}
