package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.WinogradTransforms.Size;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Residual;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Seeded random convolutions and poolings of the shapes the networks allow, on devices of one and two threads, in
 * every layout, against the plain-Java references: channel counts that are not whole blocks, maps down to 1x1, odd
 * sizes that leave partial Winograd tiles, batches of 1 to 9. A blocked destination's padding, spoiled before the
 * run, must come out zero. (A source's padding must be zero, as oneDNN requires: its kernels read it.)
 */
class OpPropertiesTest {
    /** As for the convolutions' own tests: relative L2 error against double. */
    private static final double TOLERANCE = 1e-5;
    private static final List<Layout> LAYOUTS = List.of(Layout.NCHW, Layout.NHWC, Layout.NCHW8C, Layout.NCHW16C);
    @AutoClose
    private static final CpuDevice one = CpuDevice.create(1);
    @AutoClose
    private static final CpuDevice two = CpuDevice.create(2);

    static Stream<Integer> seeds() {
        return IntStream.range(0, 80).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void convolutionsMatchTheReference(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] channelChoices = {1, 3, 5, 8, 12, 16, 17, 24, 30, 32};
        int in = channelChoices[random.nextInt(channelChoices.length)];
        int kernel = new int[] {1, 3, 3, 3, 5, 7}[random.nextInt(6)];
        int stride = random.nextInt(1, 3);
        int dilation = kernel == 3 && random.nextInt(4) == 0 ? 2 : 1;
        int pad = kernel / 2 * dilation;
        int groups = 1;
        int out = channelChoices[random.nextInt(channelChoices.length)];
        if (random.nextInt(4) == 0) {
            groups = in;
            out = in;
        } else if (random.nextInt(4) == 0 && in % 4 == 0 && out % 4 == 0) {
            groups = 4;
        }
        Shape input = Shape.of(random.nextInt(1, 10), in, random.nextInt(1, 12), random.nextInt(1, 12));
        Layout layout = LAYOUTS.get(random.nextInt(LAYOUTS.size()));
        Activation activation = Activation.values()[random.nextInt(3)];
        Residual residual = Residual.values()[random.nextInt(Residual.values().length)];
        Conv2d.Spec spec;
        try {
            spec = new Conv2d.Spec(input, out, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups,
                    DType.F32, layout, layout, activation, residual);
        } catch (IllegalArgumentException e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        convolve(seed, spec, random.nextBoolean() ? one : two);
    }

    /**
     * 3x3 stride-1 convolutions where Winograd runs: blocked, whole blocks, and at least 16 tiles in a product, here
     * from tiny maps (1x1 to 3x3, one partial tile each) with enough images in the batch, and odd maps.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void winogradMatchesTheReference(int seed) {
        assumeTrue(DgKernelsProvider.vectorized(), "Winograd needs the Vector API kernels");
        SplittableRandom random = new SplittableRandom(seed);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        Layout layout = lanes == 16 ? Layout.NCHW16C : Layout.NCHW8C;
        assumeTrue(lanes == layout.channelBlock());
        Size size = Size.values()[random.nextInt(2)];
        int h = random.nextInt(1, 12);
        int w = random.nextInt(1, 12);
        int tiles = size.tiles(h) * size.tiles(w);
        int batch = random.nextInt(Math.ceilDiv(16, tiles), Math.ceilDiv(16, tiles) + 9);
        Shape input = Shape.of(batch, lanes * random.nextInt(1, 4), h, w);
        Activation activation = Activation.values()[random.nextInt(3)];
        Residual residual = Residual.values()[random.nextInt(Residual.values().length)];
        Conv2d.Spec spec = Conv2d.Spec.of(input, lanes * random.nextInt(1, 4), 3, 1, 1).withLayouts(layout, layout)
                .withEpilogue(activation, residual);
        assumeTrue(WinogradConvolution.supports(spec, size), spec + " by " + size);
        CpuDevice device = random.nextBoolean() ? one : two;
        float[] x = Reference.random(seed, input.elements());
        float[] wt = Reference.random(seed + 1000, spec.weightCount());
        float[] b = Reference.random(seed + 2000, spec.outChannels());
        try (Conv2d conv = new WinogradConvolution(device, spec, new ConvWeights(wt, b), size)) {
            check(seed, spec, conv, x, wt, b);
        }
    }

    /** The stride-2 3x3 convolutions run in NHWC between two reorders: padded channels, maps down to 1x1. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nhwcConvolutionsMatchTheReference(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] channelChoices = {1, 3, 8, 12, 16, 20, 33};
        Shape input = Shape.of(1, channelChoices[random.nextInt(channelChoices.length)], random.nextInt(1, 29),
                random.nextInt(1, 29));
        Conv2d.Spec spec = Conv2d.Spec.of(input, channelChoices[random.nextInt(channelChoices.length)], 3, 2, 1)
                .withLayouts(Layout.NCHW8C, Layout.NCHW8C)
                .withEpilogue(Activation.values()[random.nextInt(3)], Residual.NONE);
        CpuDevice device = random.nextBoolean() ? one : two;
        float[] x = Reference.random(seed, input.elements());
        float[] w = Reference.random(seed + 1000, spec.weightCount());
        float[] b = Reference.random(seed + 2000, spec.outChannels());
        try (Conv2d conv = new NhwcConvolution(device, spec, new ConvWeights(w, b))) {
            check(seed, spec, conv, x, w, b);
        }
    }

    private static void convolve(int seed, Conv2d.Spec spec, CpuDevice device) {
        float[] x = Reference.random(seed, spec.input().elements());
        float[] w = Reference.random(seed + 1000, spec.weightCount());
        float[] b = seed % 3 == 0 ? null : Reference.random(seed + 2000, spec.outChannels());
        try (Conv2d conv = device.conv2d(spec, new ConvWeights(w, b))) {
            check(seed, spec, conv, x, w, b);
        }
    }

    private static void check(int seed, Conv2d.Spec spec, Conv2d conv, float[] x, float[] w, float[] b) {
        Shape output = spec.output();
        float[] identity = Reference.random(seed + 3000, output.elements());
        double[] expected = Reference.conv2d(x, spec.input(), w, b, spec.outChannels(), spec.kernelH(),
                spec.kernelW(), spec.strideH(), spec.padH(), spec.dilationH(), spec.groups());
        if (spec.residual() != Residual.NONE) {
            expected = Reference.add(expected, identity);
        }
        expected = Reference.activation(expected, spec.activation());
        Layout layout = spec.dstLayout();
        try (Tensor src = Tensor.of(spec.input(), spec.srcLayout(), x);
             Tensor added = Tensor.of(output, layout, identity);
             Tensor dst = Tensor.of(output, layout, identity)) {
            if (layout.isBlocked() && spec.outChannels() % layout.channelBlock() != 0
                    && spec.residual() != Residual.ACCUMULATE) {
                Padding.fill(dst, Float.NaN);
            }
            if (spec.residual() == Residual.ADD) {
                conv.run(src, added, dst);
            } else {
                conv.run(src, dst);
            }
            String what = "seed " + seed + " " + spec.describe() + " " + layout + " pad " + spec.padH() + " via "
                    + conv.implementation();
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, what + ": relative error " + error);
            if (layout.isBlocked() && spec.outChannels() % layout.channelBlock() != 0) {
                int padding = (int) ((layout.paddedChannels(spec.outChannels()) - spec.outChannels())
                        * output.dim(0) * output.dim(2) * output.dim(3));
                assertEquals(padding, Padding.count(dst, 0f), what + ": padding floats left zero");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void poolingsMatchTheReference(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Layout layout = LAYOUTS.get(random.nextInt(LAYOUTS.size()));
        Shape input = Shape.of(random.nextInt(1, 10), random.nextInt(1, 40), random.nextInt(1, 12),
                random.nextInt(1, 12));
        CpuDevice device = random.nextBoolean() ? one : two;
        float[] x = Reference.random(seed, input.elements());
        Pool2d.Kind kind = Pool2d.Kind.values()[random.nextInt(3)];
        int kernel = random.nextInt(1, 4);
        int stride = random.nextInt(1, 3);
        int pad = random.nextInt(0, kernel / 2 + 1);
        if (input.dim(2) + 2 * pad >= kernel && input.dim(3) + 2 * pad >= kernel) {
            Pool2d.Spec spec = Pool2d.Spec.of(input, kind, kernel, stride, pad, layout);
            double[] expected = Reference.pool2d(x, input, kind == Pool2d.Kind.MAX,
                    kind == Pool2d.Kind.AVG_INCLUDE_PADDING, kernel, stride, pad);
            try (Pool2d pool = device.pool2d(spec);
                 Tensor src = Tensor.of(input, layout, x);
                 Tensor dst = device.allocate(spec.output(), DType.F32, layout)) {
                int padding = 0;
                if (layout.isBlocked() && input.dim(1) % layout.channelBlock() != 0) {
                    padding = Padding.fill(dst, Float.NaN);
                }
                pool.run(src, dst);
                String what = "seed " + seed + " " + spec.describe() + " " + layout + " pad " + pad;
                assertTrue(Reference.relativeError(dst.toFloatArray(), expected) <= TOLERANCE, what);
                if (layout.isBlocked() && input.dim(1) % layout.channelBlock() != 0) {
                    assertEquals(padding, Padding.count(dst, 0f), what + ": padding zero");
                }
            }
        }
        try (GlobalAvgPool pool = device.globalAvgPool(input, DType.F32, layout);
             Tensor src = Tensor.of(input, layout, x);
             Tensor dst = device.allocate(GlobalAvgPool.output(input), DType.F32, Layout.NC)) {
            pool.run(src, dst);
            assertTrue(Reference.relativeError(dst.toFloatArray(), Reference.globalAvgPool(x, input)) <= TOLERANCE,
                    "seed " + seed + " global pooling " + input + " " + layout);
        }
    }
}
