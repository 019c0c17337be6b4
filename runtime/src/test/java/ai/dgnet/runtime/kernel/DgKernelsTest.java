package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vector kernels against their scalar twin and both against plain double-precision loops over the logical
 * values, on random data of awkward sizes. The vector side uses the preferred species; run with
 * {@code JDK_JAVA_OPTIONS=-XX:MaxVectorSize=16} (or 32) to cover 128-bit (256-bit) vectors on a wider machine.
 */
class DgKernelsTest {
    private static final DgKernels SCALAR = new ScalarDgKernels();
    private static final DgKernels VECTOR = new VectorDgKernels();
    private static final int BATCH = 3;
    private static final List<Layout> IMAGE_LAYOUTS = List.of(Layout.NCHW, Layout.NHWC, Layout.NCHW8C,
            Layout.NCHW16C);

    static Stream<Arguments> images() {
        int[] channelCounts = {1, 3, 13, 16, 17, 32, 33, 100, 2048};
        int[][] sizes = {{1, 1}, {7, 7}, {13, 11}, {56, 56}};
        List<Arguments> cases = new ArrayList<>();
        for (Layout layout : IMAGE_LAYOUTS) {
            for (int channels : channelCounts) {
                for (int[] size : sizes) {
                    // 2048 channels come at 7 x 7 in every network here; at 56 x 56 they would only slow the suite.
                    if (channels * size[0] * size[1] <= 1 << 22) {
                        cases.add(Arguments.of(layout, channels, size[0], size[1]));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} C={1} {2}x{3}")
    @MethodSource("images")
    void channelMeansInEveryLayoutIgnorePadding(Layout layout, int channels, int height, int width) {
        Shape shape = Shape.of(BATCH, channels, height, width);
        float[] values = uniform(channels * 1000L + height, shape.elements(), -1, 1);
        assertChannelMeans(shape, layout, values);
    }

    /**
     * A common offset makes every partial sum large, the case where one f32 accumulator over the whole plane
     * loses digits; the error bound used elsewhere would hide that, so this holds the kernels to 1e-6 relative.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void channelMeansStayAccurateAt112x112(Layout layout) {
        Shape shape = Shape.of(1, 17, 112, 112);
        float[] values = uniform(112, shape.elements(), 100, 101);
        double[] expected = means(values, shape, 0);
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            float[] actual = channelMeans(kernels, shape, layout, values, 0);
            for (int c = 0; c < shape.dim(1); c++) {
                double error = Math.abs(actual[c] - expected[c]) / expected[c];
                assertTrue(error <= 1e-6, kernels.name() + " " + layout + " channel " + c + ": relative error "
                        + error);
            }
        }
    }

    private static void assertChannelMeans(Shape shape, Layout layout, float[] values) {
        int pixels = shape.dim(2) * shape.dim(3);
        for (int n = 0; n < shape.dim(0); n++) {
            double[] expected = means(values, shape, n);
            double[] magnitude = means(abs(values), shape, n);
            float[] scalar = channelMeans(SCALAR, shape, layout, values, n);
            float[] vector = channelMeans(VECTOR, shape, layout, values, n);
            for (int c = 0; c < shape.dim(1); c++) {
                assertClose(expected[c], scalar[c], vector[c], tolerance(pixels, magnitude[c]),
                        layout + " " + shape + " n=" + n + " c=" + c);
            }
        }
    }

    /** The kernel's means of instance {@code n}, read from a tensor whose padding channels hold NaN. */
    private static float[] channelMeans(DgKernels kernels, Shape shape, Layout layout, float[] values, int n) {
        try (Tensor x = Tensor.of(shape, layout, values)) {
            poisonPadding(x);
            float[] out = new float[shape.dim(1)];
            kernels.channelMeans(x.segment(), shape, layout, n, out);
            return out;
        }
    }

    private static void poisonPadding(Tensor x) {
        Shape shape = x.shape();
        Layout layout = x.layout();
        for (int n = 0; n < shape.dim(0); n++) {
            for (int c = shape.dim(1); c < layout.paddedChannels(shape.dim(1)); c++) {
                for (int h = 0; h < shape.dim(2); h++) {
                    for (int w = 0; w < shape.dim(3); w++) {
                        x.segment().setAtIndex(JAVA_FLOAT, layout.offset(shape, n, c, h, w), Float.NaN);
                    }
                }
            }
        }
    }

    private static double[] means(float[] values, Shape shape, int n) {
        int channels = shape.dim(1);
        int pixels = shape.dim(2) * shape.dim(3);
        double[] means = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int p = 0; p < pixels; p++) {
                sum += values[(n * channels + c) * pixels + p];
            }
            means[c] = sum / pixels;
        }
        return means;
    }

    static Stream<Arguments> routers() {
        List<Arguments> cases = new ArrayList<>();
        for (int channels : new int[] {1, 3, 13, 16, 17, 32, 33, 100, 2048}) {
            for (int rows : new int[] {1, 3, 23}) {
                cases.add(Arguments.of(channels, rows));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "C={0} rows={1}")
    @MethodSource("routers")
    void routerMatchesDouble(int channels, int rows) {
        long seed = channels * 100L + rows;
        // Scaled as the spec's deterministic router weights are; means of ReLU outputs are non-negative.
        float[] weight = uniform(seed, (long) rows * channels, -4 * Math.sqrt(3.0 / channels),
                4 * Math.sqrt(3.0 / channels));
        float[] bias = uniform(seed + 1, rows, -1, 1);
        float[] pooled = uniform(seed + 2, channels, 0, 2);
        float[] scalar = new float[rows];
        float[] vector = new float[rows];
        SCALAR.router(pooled, channels, weight, bias, rows, scalar);
        VECTOR.router(pooled, channels, weight, bias, rows, vector);
        for (int k = 0; k < rows; k++) {
            double logit = bias[k];
            double magnitude = Math.abs(bias[k]);
            for (int c = 0; c < channels; c++) {
                logit += (double) weight[k * channels + c] * pooled[c];
                magnitude += Math.abs((double) weight[k * channels + c] * pooled[c]);
            }
            // The sigmoid's slope is at most 1/4, so the logit's tolerance covers the output.
            assertClose(1 / (1 + Math.exp(-logit)), scalar[k], vector[k], tolerance(channels + 1, magnitude),
                    "C=" + channels + " row " + k);
        }
    }

    static Stream<Arguments> sums() {
        List<Arguments> cases = new ArrayList<>();
        for (long length : new long[] {1, 4, 6, 13, 15, 16, 17, 255, 4098}) {
            for (int count : new int[] {0, 1, 2, 3, 7}) {
                cases.add(Arguments.of(length, count));
            }
        }
        return cases.stream();
    }

    /**
     * Sources at different offsets in segments of their own, as instance slices of node outputs are, and a
     * destination slice between guard elements that must stay as they were.
     */
    @ParameterizedTest(name = "length={0} count={1}")
    @MethodSource("sums")
    void weightedSumMatchesDoubleAndStaysInItsSlice(long length, int count) {
        long dstOffset = 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] sources = new MemorySegment[count];
            long[] offsets = new long[count];
            float[] weights = uniform(length * 10 + count, count, 0.5, 1);
            for (int i = 0; i < count; i++) {
                offsets[i] = 3L * i + 1;
                float[] values = uniform(length * 100 + i, offsets[i] + length + 2, -1, 1);
                sources[i] = arena.allocate(JAVA_FLOAT, values.length);
                MemorySegment.copy(values, 0, sources[i], JAVA_FLOAT, 0, values.length);
            }
            for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
                MemorySegment dst = arena.allocate(JAVA_FLOAT, dstOffset + length + 3);
                dst.fill((byte) 0x7f);
                float guard = dst.getAtIndex(JAVA_FLOAT, 0);
                kernels.weightedSum(dst, dstOffset, length, sources, offsets, weights, count);
                for (long e = 0; e < dst.byteSize() / Float.BYTES; e++) {
                    float actual = dst.getAtIndex(JAVA_FLOAT, e);
                    String where = kernels.name() + " length=" + length + " count=" + count + " element " + e;
                    if (e < dstOffset || e >= dstOffset + length) {
                        assertEquals(guard, actual, where + " is outside dst's slice");
                        continue;
                    }
                    double expected = 0;
                    double magnitude = 0;
                    for (int i = 0; i < count; i++) {
                        double term = (double) weights[i] * sources[i].getAtIndex(JAVA_FLOAT,
                                offsets[i] + e - dstOffset);
                        expected += term;
                        magnitude += Math.abs(term);
                    }
                    double error = Math.abs(actual - expected);
                    assertTrue(error <= tolerance(count, magnitude), where + ": expected " + expected + ", got "
                            + actual);
                }
            }
        }
    }

    @Test
    void weightedSumOfNoSourcesWritesZerosAndReadsNothing() {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(JAVA_FLOAT, 64);
        }
        MemorySegment[] unreadable = {MemorySegment.NULL, closed};
        long[] offsets = {Long.MAX_VALUE, -1};
        float[] weights = {Float.NaN, Float.NaN};
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(JAVA_FLOAT, 40);
                dst.fill((byte) 0x7f);
                kernels.weightedSum(dst, 0, 37, unreadable, offsets, weights, 0);
                kernels.weightedSum(dst, 0, 0, new MemorySegment[0], new long[0], new float[0], 0);
                for (int e = 0; e < 37; e++) {
                    assertEquals(0.0f, dst.getAtIndex(JAVA_FLOAT, e), kernels.name() + " element " + e);
                }
            }
        }
    }

    /** Callers keep arrays sized for the most edges; what lies past {@code count} is stale and must not be read. */
    @Test
    void weightedSumReadsOnlyTheFirstCountEntries() {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(JAVA_FLOAT, 64);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(JAVA_FLOAT, 20);
            for (int e = 0; e < 20; e++) {
                source.setAtIndex(JAVA_FLOAT, e, e);
            }
            for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
                MemorySegment dst = arena.allocate(JAVA_FLOAT, 20);
                kernels.weightedSum(dst, 0, 20, new MemorySegment[] {source, closed, MemorySegment.NULL},
                        new long[] {0, -1, Long.MAX_VALUE}, new float[] {0.5f, Float.NaN, Float.NaN}, 1);
                for (int e = 0; e < 20; e++) {
                    assertEquals(0.5f * e, dst.getAtIndex(JAVA_FLOAT, e), kernels.name() + " element " + e);
                }
            }
        }
    }

    static Stream<DgKernels> implementations() {
        return Stream.of(SCALAR, VECTOR);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void channelMeansRejectsBadArguments(DgKernels kernels) {
        Shape shape = Shape.of(2, 3, 4, 5);
        try (Tensor x = Tensor.of(shape, Layout.NCHW16C, new float[120])) {
            MemorySegment segment = x.segment();
            assertRejected("out has room for 2 channel means, need 3",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, 0, new float[2]));
            assertRejected("instance 2 is outside the batch of 2",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, 2, new float[3]));
            assertRejected("need an image layout (NCHW, NHWC, NCHW8C, NCHW16C), got NC",
                    () -> kernels.channelMeans(segment, Shape.of(2, 3), Layout.NC, 0, new float[3]));
            assertRejected("layout NCHW is for rank-4 tensors, got shape [2, 3]",
                    () -> kernels.channelMeans(segment, Shape.of(2, 3), Layout.NCHW, 0, new float[3]));
            assertRejected("an f32 [2, 3, 4, 5] NCHW16C tensor takes 2560 bytes, x has 480",
                    () -> kernels.channelMeans(segment.asSlice(0, 480), shape, Layout.NCHW16C, 0, new float[3]));
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void routerRejectsBadArguments(DgKernels kernels) {
        float[] pooled = new float[4];
        assertRejected("weight holds 7 values, expected [2, 4] = 8",
                () -> kernels.router(pooled, 4, new float[7], new float[2], 2, new float[2]));
        assertRejected("bias holds 3 values, expected 2",
                () -> kernels.router(pooled, 4, new float[8], new float[3], 2, new float[2]));
        assertRejected("out has room for 1 values, need 2",
                () -> kernels.router(pooled, 4, new float[8], new float[2], 2, new float[1]));
        assertRejected("pooled holds 4 values, need 5",
                () -> kernels.router(pooled, 5, new float[10], new float[2], 2, new float[2]));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void weightedSumRejectsBadArguments(DgKernels kernels) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(JAVA_FLOAT, 10);
            MemorySegment[] sources = {arena.allocate(JAVA_FLOAT, 10), arena.allocate(JAVA_FLOAT, 10)};
            long[] offsets = {0, 4};
            float[] weights = {1, 1};
            assertRejected("dst holds 10 floats, elements [4, 14) were asked for",
                    () -> kernels.weightedSum(dst, 4, 10, sources, offsets, weights, 1));
            assertRejected("sources[1] holds 10 floats, elements [4, 12) were asked for",
                    () -> kernels.weightedSum(dst, 0, 8, sources, offsets, weights, 2));
            assertRejected("count is 3, but there are 2 sources, 2 offsets and 2 weights",
                    () -> kernels.weightedSum(dst, 0, 8, sources, offsets, weights, 3));
            assertRejected("count must not be negative, got -1",
                    () -> kernels.weightedSum(dst, 0, 8, sources, offsets, weights, -1));
            assertRejected("length must not be negative, got -8",
                    () -> kernels.weightedSum(dst, 0, -8, sources, offsets, weights, 1));
        }
    }

    private static void assertRejected(String message, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(message), "expected a message with '" + message + "', got '"
                + e.getMessage() + "'");
    }

    /**
     * How far a float result may stray from the exact one: a few units of roundoff on the sum of the terms'
     * magnitudes, growing with the square root of the number of terms as independent rounding errors do. The one
     * in {@code 1 + sqrt} is the final rounding to float.
     */
    private static double tolerance(long terms, double magnitude) {
        return 4 * Math.ulp(1f) * (1 + Math.sqrt(terms)) * magnitude;
    }

    private static void assertClose(double expected, float scalar, float vector, double tolerance, String where) {
        if (Math.abs(scalar - expected) > tolerance || Math.abs(vector - expected) > tolerance
                || Math.abs(vector - scalar) > tolerance) {
            fail(where + ": expected " + expected + ", scalar gave " + scalar + ", vector " + vector
                    + " (tolerance " + tolerance + ")");
        }
    }

    private static float[] uniform(long seed, long count, double low, double high) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(low, high);
        }
        return values;
    }

    private static float[] abs(float[] values) {
        float[] abs = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            abs[i] = Math.abs(values[i]);
        }
        return abs;
    }
}
