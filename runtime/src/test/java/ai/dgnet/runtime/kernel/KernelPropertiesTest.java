package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random cases of every kernel, each implementation (scalar, vector, both split over two threads) against
 * plain double loops written here over the logical values: shapes of any channel count and small maps, batches of
 * 1 to 9, instances with 0 to many sources, weights of 0 and subnormals, and NaN and infinite values. Where the
 * exact result is NaN or infinite every implementation must give it; elsewhere the result is within a few units of
 * f32 roundoff of the sum of the terms' magnitudes (see {@link #tolerance}).
 */
class KernelPropertiesTest {
    private static final List<Layout> IMAGE_LAYOUTS = List.of(Layout.NCHW, Layout.NHWC, Layout.NCHW8C,
            Layout.NCHW16C);

    static List<DgKernels> implementations() {
        DgKernels scalar = new ScalarDgKernels();
        DgKernels vector = new VectorDgKernels();
        return List.of(scalar, vector,
                new ParallelDgKernels(scalar, new ChunkedTeam(new JavaThreads(2)), 3, 1),
                new ParallelDgKernels(vector, new ChunkedTeam(new JavaThreads(2)), 5, 8));
    }

    static Stream<Integer> seeds() {
        return IntStream.range(0, 200).boxed();
    }

    /**
     * A value: mostly uniform, sometimes 0 or a subnormal; where {@code special}, sometimes NaN or infinite, and where
     * also {@code huge}, of a magnitude up to the largest float, whose sums overflow f32 but not double.
     */
    private static float value(SplittableRandom random, boolean special, boolean huge) {
        int kind = random.nextInt(special ? 40 : 20);
        return switch (kind) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> Float.MIN_VALUE * random.nextInt(1, 100);
            case 20 -> Float.NaN;
            case 21 -> Float.POSITIVE_INFINITY;
            case 22 -> Float.NEGATIVE_INFINITY;
            case 23 -> huge ? (float) random.nextDouble(-Float.MAX_VALUE, Float.MAX_VALUE) : Float.NaN;
            default -> (float) random.nextDouble(-2, 2);
        };
    }

    private static Shape shape(SplittableRandom random) {
        int[] channelChoices = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 24, 31, 33, 40, 47, 64, 65};
        int channels = channelChoices[random.nextInt(channelChoices.length)];
        return Shape.of(random.nextInt(1, 10), channels, random.nextInt(1, 10), random.nextInt(1, 10));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void channelMeansAndScalingMatchDouble(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape shape = shape(random);
        Layout layout = IMAGE_LAYOUTS.get(random.nextInt(IMAGE_LAYOUTS.size()));
        DType dtype = random.nextBoolean() ? DType.F32 : DType.BF16;
        boolean special = random.nextInt(3) == 0;
        int batch = shape.dim(0);
        int channels = shape.dim(1);
        int pixels = shape.dim(2) * shape.dim(3);
        float[] values = new float[Math.toIntExact(shape.elements())];
        for (int i = 0; i < values.length; i++) {
            values[i] = stored(dtype, value(random, special, true));
        }
        float[][] scale = new float[batch][channels];
        for (float[] s : scale) {
            for (int c = 0; c < channels; c++) {
                s[c] = value(random, special, true);
            }
        }
        String what = "seed " + seed + " " + dtype + " " + layout + " " + shape;
        for (DgKernels kernels : implementations()) {
            try (Tensor x = Tensor.allocate(shape, dtype, layout)) {
                x.copyFrom(values);
                int poisoned = nanPadding(x, true);
                float[][] out = new float[batch][channels];
                kernels.channelMeans(x.segment(), shape, layout, dtype, out);
                for (int n = 0; n < batch; n++) {
                    for (int c = 0; c < channels; c++) {
                        double sum = 0;
                        double magnitude = 0;
                        for (int p = 0; p < pixels; p++) {
                            float v = values[(n * channels + c) * pixels + p];
                            sum += v;
                            magnitude += Math.abs(v);
                        }
                        assertNear(sum / pixels, out[n][c], tolerance(pixels, magnitude / pixels),
                                kernels.name() + ", " + what + " mean n=" + n + " c=" + c);
                    }
                }
                kernels.scaleChannels(x.segment(), shape, layout, dtype, scale);
                for (int n = 0; n < batch; n++) {
                    for (int c = 0; c < channels; c++) {
                        for (int h = 0; h < shape.dim(2); h++) {
                            for (int w = 0; w < shape.dim(3); w++) {
                                float v = values[((n * channels + c) * shape.dim(2) + h) * shape.dim(3) + w];
                                float expected = stored(dtype, v * scale[n][c]);
                                float actual = ScalarDgKernels.get(x.segment(), dtype,
                                        layout.offset(shape, n, c, h, w));
                                if (Float.isNaN(expected) ? !Float.isNaN(actual)
                                        : Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) {
                                    fail(kernels.name() + ", " + what + " scaled n=" + n + " c=" + c + " h=" + h
                                            + " w=" + w + ": " + v + " * " + scale[n][c] + " gave " + actual);
                                }
                            }
                        }
                    }
                }
                if (nanPadding(x, false) != poisoned) {
                    fail(kernels.name() + ", " + what + ": padding changed");
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void weightedSumsMatchDouble(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DType dtype = random.nextBoolean() ? DType.F32 : DType.BF16;
        boolean special = random.nextInt(3) == 0;
        int batch = random.nextInt(1, 10);
        long length = random.nextInt(1, 300);
        int most = random.nextInt(0, 6);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] nodes = new MemorySegment[most];
            float[][] nodeValues = new float[most][];
            for (int i = 0; i < most; i++) {
                nodeValues[i] = new float[(int) (batch * length)];
                nodes[i] = arena.allocate(dtype.byteSize() * batch * length);
                for (int e = 0; e < nodeValues[i].length; e++) {
                    nodeValues[i][e] = stored(dtype, value(random, special, false));
                    ScalarDgKernels.set(nodes[i], dtype, e, nodeValues[i][e]);
                }
            }
            MemorySegment[][] sources = new MemorySegment[batch][most + 1];
            long[][] offsets = new long[batch][most + 1];
            float[][] weights = new float[batch][most + 1];
            int[][] picked = new int[batch][most + 1];
            int[] counts = new int[batch];
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < most; i++) {
                    if (random.nextInt(3) != 0) {
                        int k = counts[n]++;
                        picked[n][k] = i;
                        sources[n][k] = nodes[i];
                        offsets[n][k] = n * length;
                        weights[n][k] = switch (random.nextInt(6)) {
                            case 0 -> 0f;
                            case 1 -> Float.MIN_VALUE;
                            case 2 -> 1f;
                            default -> (float) random.nextDouble(0, 1);
                        };
                    }
                }
                // Stale entries past the count, which must not be read.
                sources[n][counts[n]] = MemorySegment.NULL;
                weights[n][counts[n]] = Float.NaN;
            }
            for (DgKernels kernels : implementations()) {
                MemorySegment dst = arena.allocate(dtype.byteSize() * (batch * length + 1));
                dst.fill((byte) 0x55);
                kernels.weightedSums(dst, length, dtype, batch, sources, offsets, weights, counts);
                for (int n = 0; n < batch; n++) {
                    for (long e = 0; e < length; e++) {
                        double sum = 0;
                        double magnitude = 0;
                        for (int k = 0; k < counts[n]; k++) {
                            double term = (double) weights[n][k] * nodeValues[picked[n][k]][(int) (n * length + e)];
                            sum += term;
                            magnitude += Math.abs(term);
                        }
                        float actual = ScalarDgKernels.get(dst, dtype, n * length + e);
                        // Rounding to bf16: half a unit, 2^-9 of the next power of two, or half bf16's least subnormal.
                        double bf16 = dtype == DType.BF16 ? 0x1p-8 * Math.abs(sum) + 0x1p-133 : 0;
                        assertNear(sum, actual, tolerance(counts[n], magnitude) + bf16, kernels.name() + ", seed "
                                + seed + " " + dtype + " length " + length + " n=" + n + " e=" + e + " of "
                                + counts[n] + " sources");
                    }
                }
                if (ScalarDgKernels.get(dst, dtype, batch * length) != ScalarDgKernels.get(
                        arena.allocate(dtype.byteSize()).fill((byte) 0x55), dtype, 0)) {
                    fail(kernels.name() + ", seed " + seed + ": wrote past the batch");
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void routerMatchesDouble(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean special = random.nextInt(3) == 0;
        int channels = random.nextInt(0, 70);
        int rows = random.nextInt(1, 8);
        float[] pooled = new float[channels + random.nextInt(3)];
        for (int c = 0; c < pooled.length; c++) {
            pooled[c] = c < channels ? value(random, special, true) : Float.NaN;
        }
        float[] weight = new float[rows * channels];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = value(random, false, false) * 2;
        }
        float[] bias = new float[rows];
        for (int k = 0; k < rows; k++) {
            bias[k] = value(random, false, false);
        }
        for (DgKernels kernels : implementations()) {
            float[] out = new float[rows];
            kernels.router(pooled, channels, weight, bias, rows, out);
            for (int k = 0; k < rows; k++) {
                double logit = bias[k];
                double magnitude = Math.abs(bias[k]);
                for (int c = 0; c < channels; c++) {
                    double term = (double) weight[k * channels + c] * pooled[c];
                    logit += term;
                    magnitude += Math.abs(term);
                }
                // The sigmoid's slope is at most 1/4, so the logit's tolerance covers the output.
                assertNear(1 / (1 + Math.exp(-logit)), out[k], tolerance(channels + 1, magnitude),
                        kernels.name() + ", seed " + seed + " C=" + channels + " row " + k);
            }
        }
    }

    private static void assertNear(double expected, float actual, double tolerance, String where) {
        boolean ok = Double.isNaN(expected) ? Float.isNaN(actual)
                : Double.isInfinite(expected) ? actual == expected
                : Math.abs(actual - expected) <= tolerance || Double.isNaN(tolerance);
        if (!ok) {
            fail(where + ": expected " + expected + ", got " + actual + " (tolerance " + tolerance + ")");
        }
    }

    /**
     * A few units of roundoff on the sum of the terms' magnitudes, growing with the square root of the number of
     * terms, plus the final rounding to float; and among subnormals, where f32's unit is absolute, half the smallest
     * subnormal for each rounding.
     */
    private static double tolerance(long terms, double magnitude) {
        return 4 * Math.ulp(1f) * (1 + Math.sqrt(terms)) * magnitude + (terms + 1) * Float.MIN_VALUE;
    }

    private static float stored(DType dtype, float value) {
        return dtype == DType.BF16 ? BFloat16.toFloat(BFloat16.fromFloat(value)) : value;
    }

    /** Fills the padding channels of a blocked tensor with NaN (if {@code poison}); returns how many hold NaN. */
    private static int nanPadding(Tensor x, boolean poison) {
        Shape shape = x.shape();
        Layout layout = x.layout();
        int count = 0;
        for (int n = 0; n < shape.dim(0); n++) {
            for (int c = shape.dim(1); c < layout.paddedChannels(shape.dim(1)); c++) {
                for (int h = 0; h < shape.dim(2); h++) {
                    for (int w = 0; w < shape.dim(3); w++) {
                        long at = layout.offset(shape, n, c, h, w);
                        if (poison) {
                            ScalarDgKernels.set(x.segment(), x.dtype(), at, Float.NaN);
                        }
                        if (Float.isNaN(ScalarDgKernels.get(x.segment(), x.dtype(), at))) {
                            count++;
                        }
                    }
                }
            }
        }
        return count;
    }
}
