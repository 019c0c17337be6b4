package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import com.sun.management.ThreadMXBean;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vector kernels against their scalar twin and both against plain double-precision loops over the logical
 * values, on random data of awkward sizes, stored as f32 and as bf16. For bf16 the random values are first rounded
 * to bf16, so the double reference sees exactly what the kernels read. The vector side uses the preferred species;
 * run with {@code JDK_JAVA_OPTIONS=-XX:MaxVectorSize=16} (or 32) to cover 128-bit (256-bit) vectors on a wider
 * machine.
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
        for (DType dtype : DType.values()) {
            for (Layout layout : IMAGE_LAYOUTS) {
                for (int channels : channelCounts) {
                    for (int[] size : sizes) {
                        // 2048 channels come at 7 x 7 in every network here; at 56 x 56 they would only slow the
                        // suite.
                        if (channels * size[0] * size[1] <= 1 << 22) {
                            cases.add(Arguments.of(dtype, layout, channels, size[0], size[1]));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} C={2} {3}x{4}")
    @MethodSource("images")
    void channelMeansInEveryLayoutIgnorePadding(DType dtype, Layout layout, int channels, int height, int width) {
        Shape shape = Shape.of(BATCH, channels, height, width);
        float[] values = stored(dtype, uniform(channels * 1000L + height, shape.elements(), -1, 1));
        assertChannelMeans(shape, layout, dtype, values);
    }

    static Stream<Arguments> imageLayoutsAndTypes() {
        return Stream.of(DType.values()).flatMap(dtype -> IMAGE_LAYOUTS.stream().map(l -> Arguments.of(dtype, l)));
    }

    /**
     * A common offset makes every partial sum large, the case where one f32 accumulator over the whole plane
     * loses digits; the error bound used elsewhere would hide that, so this holds the kernels to 1e-6 relative.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("imageLayoutsAndTypes")
    void channelMeansStayAccurateAt112x112(DType dtype, Layout layout) {
        Shape shape = Shape.of(1, 17, 112, 112);
        // In bf16 these are 100, 100.5 and 101 only, but the sums are as long.
        float[] values = stored(dtype, uniform(112, shape.elements(), 100, 101));
        double[] expected = means(values, shape, 0);
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            float[] actual = channelMeans(kernels, shape, layout, dtype, values, 0);
            for (int c = 0; c < shape.dim(1); c++) {
                double error = Math.abs(actual[c] - expected[c]) / expected[c];
                assertTrue(error <= 1e-6, kernels.name() + " " + dtype + " " + layout + " channel " + c
                        + ": relative error " + error);
            }
        }
    }

    /**
     * Values near the largest float, whose sums double holds and an f32 accumulator does not: a channel of 3e38
     * everywhere has the mean 3e38, not infinity, and one of 3e38 in its upper half and -3e38 in its lower half the
     * mean 0, not the NaN of infinities of both signs. A router reading NaN or infinite means scores differently from
     * one reading the scalar kernel's.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("imageLayoutsAndTypes")
    void channelMeansOfValuesPastF32sSumRangeMatchDouble(DType dtype, Layout layout) {
        // Channels of whole vectors and a remainder, in every layout.
        Shape shape = Shape.of(2, 35, 16, 16);
        int plane = 16 * 16;
        float large = stored(dtype, 3e38f);
        float[] values = new float[(int) shape.elements()];
        for (int i = 0; i < values.length; i++) {
            int kind = i / plane % shape.dim(1) % 3;
            values[i] = kind == 0 ? large : kind == 1 ? (i % plane < plane / 2 ? large : -large) : 1;
        }
        float[] expected = {large, 0, 1};
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            float[] means = channelMeans(kernels, shape, layout, dtype, values, 1);
            for (int c = 0; c < shape.dim(1); c++) {
                assertEquals(expected[c % 3], means[c], kernels.name() + " " + dtype + " " + layout + " channel " + c);
            }
        }
    }

    /**
     * A channel range (the share one thread pools when an instance is split) gives the range's means and leaves
     * the rest of {@code out} alone: ranges starting on a block, ending inside one or on one, and empty.
     */
    @ParameterizedTest(name = "{0} {1} C={2} {3}x{4}")
    @MethodSource("images")
    void channelMeansOfARangeWriteOnlyThatRange(DType dtype, Layout layout, int channels, int height, int width) {
        Shape shape = Shape.of(BATCH, channels, height, width);
        float[] values = stored(dtype, uniform(channels * 1000L + height + 1, shape.elements(), -1, 1));
        int block = layout.channelBlock();
        int second = Math.min(channels, 16);
        second -= second % block;
        int[][] ranges = {{0, channels - channels / 3}, {second, channels - second}, {second, (channels - second) / 2},
                {channels - channels % block, channels % block}, {0, 0}};
        int n = BATCH - 1;
        double[] expected = means(values, shape, n);
        double[] magnitude = means(abs(values), shape, n);
        try (Tensor x = Tensor.allocate(shape, dtype, layout)) {
            x.copyFrom(values);
            poisonPadding(x);
            for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
                for (int[] range : ranges) {
                    float[] out = new float[channels + 1];
                    Arrays.fill(out, -3f);
                    kernels.channelMeans(x.segment(), shape, layout, dtype, n, range[0], range[1], out);
                    for (int c = 0; c <= channels; c++) {
                        String where = kernels.name() + " " + dtype + " " + layout + " " + shape + " channels ["
                                + range[0] + ", " + (range[0] + range[1]) + ") c=" + c;
                        if (c >= range[0] && c < range[0] + range[1]) {
                            assertClose(expected[c], out[c], out[c], tolerance(height * width, magnitude[c]), where);
                        } else {
                            assertEquals(-3f, out[c], where);
                        }
                    }
                }
            }
        }
    }

    /** {@code values} must be representable in {@code dtype}: see {@link #stored}. */
    /**
     * Against the product written out in Java: one f32 multiply, rounded to bf16 where the tensor holds bf16, in
     * instance 1 only; the other instances and the (NaN) padding are left as they were.
     */
    @ParameterizedTest(name = "{0} {1} C={2} {3}x{4}")
    @MethodSource("images")
    void scaleChannelsMultipliesOneInstancesChannels(DType dtype, Layout layout, int channels, int height,
                                                     int width) {
        Shape shape = Shape.of(BATCH, channels, height, width);
        float[] values = stored(dtype, uniform(channels * 7L + width, shape.elements(), -4, 4));
        float[] scale = uniform(channels, channels, 0, 1);
        int pixels = height * width;
        float[] expected = values.clone();
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                int i = (channels + c) * pixels + p;
                expected[i] = stored(dtype, values[i] * scale[c]);
            }
        }
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            try (Tensor x = Tensor.allocate(shape, dtype, layout)) {
                x.copyFrom(values);
                poisonPadding(x);
                kernels.scaleChannels(x.segment(), shape, layout, dtype, 1, scale);
                float[] actual = x.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                        fail(kernels.name() + " " + dtype + " " + layout + " " + shape + ": element " + i + " is "
                                + actual[i] + ", expected " + expected[i]);
                    }
                }
                assertEquals(paddingElements(shape, layout), countPaddingNaNs(x),
                        kernels.name() + " " + dtype + " " + layout + ": the padding is left as it was");
            }
        }
    }

    private static long paddingElements(Shape shape, Layout layout) {
        return (long) shape.dim(0) * (layout.paddedChannels(shape.dim(1)) - shape.dim(1)) * shape.dim(2)
                * shape.dim(3);
    }

    private static long countPaddingNaNs(Tensor x) {
        Shape shape = x.shape();
        Layout layout = x.layout();
        long nans = 0;
        for (int n = 0; n < shape.dim(0); n++) {
            for (int c = shape.dim(1); c < layout.paddedChannels(shape.dim(1)); c++) {
                for (int h = 0; h < shape.dim(2); h++) {
                    for (int w = 0; w < shape.dim(3); w++) {
                        nans += Float.isNaN(ScalarDgKernels.get(x.segment(), x.dtype(),
                                layout.offset(shape, n, c, h, w))) ? 1 : 0;
                    }
                }
            }
        }
        return nans;
    }

    private static void assertChannelMeans(Shape shape, Layout layout, DType dtype, float[] values) {
        int pixels = shape.dim(2) * shape.dim(3);
        for (int n = 0; n < shape.dim(0); n++) {
            double[] expected = means(values, shape, n);
            double[] magnitude = means(abs(values), shape, n);
            float[] scalar = channelMeans(SCALAR, shape, layout, dtype, values, n);
            float[] vector = channelMeans(VECTOR, shape, layout, dtype, values, n);
            for (int c = 0; c < shape.dim(1); c++) {
                assertClose(expected[c], scalar[c], vector[c], tolerance(pixels, magnitude[c]),
                        dtype + " " + layout + " " + shape + " n=" + n + " c=" + c);
            }
        }
    }

    /** The kernel's means of instance {@code n}, read from a tensor whose padding channels hold NaN. */
    private static float[] channelMeans(DgKernels kernels, Shape shape, Layout layout, DType dtype, float[] values,
                                        int n) {
        try (Tensor x = Tensor.allocate(shape, dtype, layout)) {
            x.copyFrom(values);
            poisonPadding(x);
            float[] out = new float[shape.dim(1)];
            kernels.channelMeans(x.segment(), shape, layout, dtype, n, out);
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
                        ScalarDgKernels.set(x.segment(), x.dtype(), layout.offset(shape, n, c, h, w), Float.NaN);
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

    /**
     * Terms near the largest float, whose sum double holds and f32 does not: lane 0 of the vector loop adds up to
     * +infinity and lane 1 to -infinity, a NaN logit, where the exact one is 1e38 and its sigmoid 1. A NaN score
     * drops the edge that the scalar kernel, and the spec, keep at any threshold under 1.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void routerOfTermsPastF32sRangeMatchesDouble(DgKernels kernels) {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        int channels = 2 * lanes;
        float[] pooled = new float[channels];
        float[] weight = new float[channels];
        for (int c = 0; c < channels; c++) {
            pooled[c] = c % lanes == 1 ? 2.5e38f : 3e38f;
            weight[c] = c % lanes == 0 ? 1 : c % lanes == 1 ? -1 : 0;
        }
        float[] out = new float[1];
        kernels.router(pooled, channels, weight, new float[] {0}, 1, out);
        assertEquals(1f, out[0], kernels.name());
    }

    static Stream<Arguments> sums() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (long length : new long[] {1, 4, 6, 13, 15, 16, 17, 255, 4098}) {
                for (int count : new int[] {0, 1, 2, 3, 7}) {
                    cases.add(Arguments.of(dtype, length, count));
                }
            }
        }
        return cases.stream();
    }

    /**
     * Sources at different offsets in segments of their own, as instance slices of node outputs are, and a
     * destination slice between guard elements that must stay as they were.
     *
     * <p>Besides the bound against double, each implementation's result must be exactly its own f32 sum, taken in
     * its own order, stored as {@code dtype} (for bf16: {@link BFloat16#fromFloat} of it): the scalar kernels sum in
     * double and round once to f32; the vector kernels chain {@link VectorDgKernels#fma} in f32, in vectors and
     * tail alike. The two f32 sums differ by a few f32 units, so their bf16 roundings cannot be required equal: a
     * rounding boundary can fall between them. They are held to one bf16 step apart instead.
     */
    @ParameterizedTest(name = "{0} length={1} count={2}")
    @MethodSource("sums")
    void weightedSumMatchesDoubleAndStaysInItsSlice(DType dtype, long length, int count) {
        long dstOffset = 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] sources = new MemorySegment[count];
            long[] offsets = new long[count];
            float[] weights = uniform(length * 10 + count, count, 0.5, 1);
            for (int i = 0; i < count; i++) {
                offsets[i] = 3L * i + 1;
                sources[i] = segment(arena, dtype, uniform(length * 100 + i, offsets[i] + length + 2, -1, 1));
            }
            MemorySegment[] results = new MemorySegment[2];
            List<DgKernels> implementations = List.of(SCALAR, VECTOR);
            for (int k = 0; k < 2; k++) {
                DgKernels kernels = implementations.get(k);
                MemorySegment dst = arena.allocate(dtype.byteSize() * (dstOffset + length + 3));
                dst.fill((byte) 0x7f);
                int guard = bits(dst, dtype, 0);
                kernels.weightedSum(dst, dstOffset, length, dtype, sources, offsets, weights, count);
                results[k] = dst;
                for (long e = 0; e < dst.byteSize() / dtype.byteSize(); e++) {
                    String where = kernels.name() + " " + dtype + " length=" + length + " count=" + count
                            + " element " + e;
                    if (e < dstOffset || e >= dstOffset + length) {
                        assertEquals(guard, bits(dst, dtype, e), where + " is outside dst's slice");
                        continue;
                    }
                    double expected = 0;
                    double magnitude = 0;
                    float fused = 0;
                    for (int i = 0; i < count; i++) {
                        float source = ScalarDgKernels.get(sources[i], dtype, offsets[i] + e - dstOffset);
                        double term = (double) weights[i] * source;
                        expected += term;
                        magnitude += Math.abs(term);
                        fused = VectorDgKernels.fma(source, weights[i], fused);
                    }
                    float actual = ScalarDgKernels.get(dst, dtype, e);
                    double error = Math.abs(actual - expected);
                    // Rounding to bf16 adds at most half a bf16 unit: 2^-8 of the value, 2^-9 of the next power of 2.
                    double rounding = dtype == DType.BF16 ? 0x1p-8 * (Math.abs(expected) + magnitude * 1e-6) : 0;
                    assertTrue(error <= tolerance(count, magnitude) + rounding, where + ": expected " + expected
                            + ", got " + actual);
                    float ownSum = kernels == SCALAR ? (float) expected : fused;
                    assertEquals(encode(dtype, ownSum), bits(dst, dtype, e), where + ": not its f32 sum " + ownSum
                            + " stored as " + dtype);
                }
            }
            if (dtype == DType.BF16) {
                for (long e = dstOffset; e < dstOffset + length; e++) {
                    short scalar = results[0].getAtIndex(JAVA_SHORT, e);
                    short vector = results[1].getAtIndex(JAVA_SHORT, e);
                    assertTrue(Math.abs(bf16Step(scalar) - bf16Step(vector)) <= 1, "length=" + length + " count="
                            + count + " element " + e + ": scalar gave " + BFloat16.toFloat(scalar) + ", vector "
                            + BFloat16.toFloat(vector));
                }
            }
        }
    }

    /**
     * Every bf16 rounding case through the kernels: one source of ones, weighted by an f32 of each upper half
     * with the lower halves that decide a rounding (0, just above 0, just under a half, a tie, just over, just
     * under one). The f32 sum is then the weight itself ({@code 0 + 1 * w}, which makes -0 into +0), and its bf16
     * must be {@link BFloat16#fromFloat}'s bit for bit: ties to even, carries into the exponent, overflow to
     * infinity, subnormals. A NaN weight gives a NaN sum; Java does not promise to keep a NaN's payload through
     * arithmetic, so there only a quiet NaN is required. The length puts elements in vectors and in the tail.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void weightedSumRoundsToBf16AsBFloat16Does(DgKernels kernels) {
        int length = 16 + 3;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ones = arena.allocate(JAVA_SHORT, length);
            for (int e = 0; e < length; e++) {
                ones.setAtIndex(JAVA_SHORT, e, BFloat16.fromFloat(1));
            }
            MemorySegment dst = arena.allocate(JAVA_SHORT, length);
            MemorySegment[] sources = {ones};
            long[] offsets = {0};
            float[] weights = new float[1];
            for (int upper = 0; upper <= 0xFFFF; upper++) {
                for (int lower : new int[] {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF}) {
                    weights[0] = Float.intBitsToFloat(upper << 16 | lower);
                    kernels.weightedSum(dst, 0, length, DType.BF16, sources, offsets, weights, 1);
                    float sum = 0 + weights[0];
                    for (int e = 0; e < length; e++) {
                        short actual = dst.getAtIndex(JAVA_SHORT, e);
                        if (Float.isNaN(sum)) {
                            if (!isQuietNaN(actual)) {
                                fail(kernels.name() + ": weight 0x" + Integer.toHexString(upper << 16 | lower)
                                        + " gave 0x" + Integer.toHexString(actual & 0xFFFF) + " at " + e
                                        + ", not a quiet NaN");
                            }
                        } else if (actual != BFloat16.fromFloat(sum)) {
                            fail(kernels.name() + ": weight 0x" + Integer.toHexString(upper << 16 | lower) + " gave 0x"
                                    + Integer.toHexString(actual & 0xFFFF) + " at " + e + ", BFloat16 gives 0x"
                                    + Integer.toHexString(BFloat16.fromFloat(sum) & 0xFFFF));
                        }
                    }
                }
            }
        }
    }

    /** NaN and infinite bf16 sources make quiet NaNs where they meet, and leave their neighbours alone. */
    @ParameterizedTest
    @MethodSource("implementations")
    void weightedSumKeepsNaNsInBf16(DgKernels kernels) {
        int length = 3 * 16 + 5;
        short[] special = {0x7FC0, (short) 0xFFC1, 0x7F81, 0x7F80, (short) 0xFF80};
        try (Arena arena = Arena.ofConfined()) {
            float[] left = new float[length];
            float[] right = new float[length];
            for (int e = 0; e < length; e++) {
                left[e] = e;
                right[e] = -2 * e;
            }
            MemorySegment a = segment(arena, DType.BF16, left);
            MemorySegment b = segment(arena, DType.BF16, right);
            // NaNs (quiet, negative, signalling) in a at elements 1, 17, 33; +inf in a against -inf in b at 40.
            a.setAtIndex(JAVA_SHORT, 1, special[0]);
            a.setAtIndex(JAVA_SHORT, 17, special[1]);
            a.setAtIndex(JAVA_SHORT, 33, special[2]);
            a.setAtIndex(JAVA_SHORT, length - 1, special[2]);
            a.setAtIndex(JAVA_SHORT, 40, special[3]);
            b.setAtIndex(JAVA_SHORT, 40, special[4]);
            MemorySegment dst = arena.allocate(JAVA_SHORT, length);
            kernels.weightedSum(dst, 0, length, DType.BF16, new MemorySegment[] {a, b}, new long[] {0, 0},
                    new float[] {1, 0.5f}, 2);
            for (int e = 0; e < length; e++) {
                short actual = dst.getAtIndex(JAVA_SHORT, e);
                String where = kernels.name() + " element " + e + ": 0x" + Integer.toHexString(actual & 0xFFFF);
                if (e == 1 || e == 17 || e == 33 || e == 40 || e == length - 1) {
                    assertTrue(isQuietNaN(actual), where + " is not a quiet NaN");
                } else {
                    assertEquals(0, BFloat16.toFloat(actual), where);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void weightedSumOfNoSourcesWritesZerosAndReadsNothing(DType dtype) {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(JAVA_FLOAT, 64);
        }
        MemorySegment[] unreadable = {MemorySegment.NULL, closed};
        long[] offsets = {Long.MAX_VALUE, -1};
        float[] weights = {Float.NaN, Float.NaN};
        for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(dtype.byteSize() * 40L);
                dst.fill((byte) 0x7f);
                int guard = bits(dst, dtype, 39);
                kernels.weightedSum(dst, 0, 37, dtype, unreadable, offsets, weights, 0);
                kernels.weightedSum(dst, 0, 0, dtype, new MemorySegment[0], new long[0], new float[0], 0);
                for (int e = 0; e < 40; e++) {
                    // +0 in both types is all zero bits.
                    assertEquals(e < 37 ? 0 : guard, bits(dst, dtype, e), kernels.name() + " " + dtype + " element "
                            + e);
                }
            }
        }
    }

    /** Callers keep arrays sized for the most edges; what lies past {@code count} is stale and must not be read. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void weightedSumReadsOnlyTheFirstCountEntries(DType dtype) {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(JAVA_FLOAT, 64);
        }
        try (Arena arena = Arena.ofConfined()) {
            float[] values = new float[20];
            for (int e = 0; e < 20; e++) {
                values[e] = e;
            }
            MemorySegment source = segment(arena, dtype, values);
            for (DgKernels kernels : List.of(SCALAR, VECTOR)) {
                MemorySegment dst = arena.allocate(dtype.byteSize() * 20L);
                kernels.weightedSum(dst, 0, 20, dtype, new MemorySegment[] {source, closed, MemorySegment.NULL},
                        new long[] {0, -1, Long.MAX_VALUE}, new float[] {0.5f, Float.NaN, Float.NaN}, 1);
                for (int e = 0; e < 20; e++) {
                    assertEquals(0.5f * e, ScalarDgKernels.get(dst, dtype, e), kernels.name() + " " + dtype
                            + " element " + e);
                }
            }
        }
    }

    /** Values a float may take that are not finite: quiet and signalling NaNs of either sign, and both infinities. */
    private static final float[] NON_FINITE = {Float.NaN, Float.intBitsToFloat(0x7F80_0001),
            Float.intBitsToFloat(0xFFC0_0000), Float.intBitsToFloat(0xFFFF_FFFF), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
    /** Finite values next to them: the largest of either sign, the smallest subnormal, -0. */
    private static final float[] EDGES = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f};

    /**
     * Each non-finite value alone, at every position of ranges of no vector, of whole vectors and of vectors and a
     * tail, that start inside a vector, among finite values up to the largest floats: found there, by both kernels,
     * and a non-finite value after it is not. Non-finite values just outside the range are never read.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void firstNonFiniteFindsTheFirstNaNOrInfinityWhereverItIs(DgKernels kernels) {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        long offset = 3;
        try (Arena arena = Arena.ofConfined()) {
            for (int length : new int[] {0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes, 4 * lanes + 3}) {
                MemorySegment x = arena.allocate(JAVA_FLOAT, offset + length + 1);
                x.setAtIndex(JAVA_FLOAT, offset - 1, Float.NaN);
                x.setAtIndex(JAVA_FLOAT, offset + length, Float.NaN);
                for (int e = 0; e < length; e++) {
                    x.setAtIndex(JAVA_FLOAT, offset + e, EDGES[e % EDGES.length]);
                }
                assertEquals(-1, kernels.firstNonFinite(x, offset, length), kernels.name() + " length " + length
                        + ": all finite");
                for (float bad : NON_FINITE) {
                    for (int at = 0; at < length; at++) {
                        x.setAtIndex(JAVA_FLOAT, offset + at, bad);
                        if (at + 1 < length) {
                            x.setAtIndex(JAVA_FLOAT, offset + length - 1, Float.POSITIVE_INFINITY);
                        }
                        assertEquals(offset + at, kernels.firstNonFinite(x, offset, length), kernels.name()
                                + " length " + length + ": " + bad + " at " + at);
                        x.setAtIndex(JAVA_FLOAT, offset + at, EDGES[at % EDGES.length]);
                        x.setAtIndex(JAVA_FLOAT, offset + length - 1, EDGES[(length - 1) % EDGES.length]);
                    }
                }
            }
        }
    }

    /** On random data with non-finite values planted at random, both kernels find what a plain loop finds first. */
    @Test
    void firstNonFiniteMatchesAPlainLoopOnRandomData() {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 200; round++) {
                int length = random.nextInt(1, 3000);
                long offset = random.nextInt(0, 20);
                float[] values = uniform(round, offset + length, -1e30, 1e30);
                for (int planted = random.nextInt(0, 4); planted > 0; planted--) {
                    values[random.nextInt(values.length)] = NON_FINITE[random.nextInt(NON_FINITE.length)];
                }
                long expected = -1;
                for (long e = offset; e < offset + length && expected < 0; e++) {
                    if (Float.isNaN(values[(int) e]) || Float.isInfinite(values[(int) e])) {
                        expected = e;
                    }
                }
                MemorySegment x = segment(arena, DType.F32, values);
                assertEquals(expected, SCALAR.firstNonFinite(x, offset, length), "round " + round);
                assertEquals(expected, VECTOR.firstNonFinite(x, offset, length), "round " + round);
            }
        }
    }

    /**
     * Once compiled, the kernels allocate nothing, whatever the type and layout: the Vector API's vectors must all
     * be scalar-replaced. {@link #callAll} calls every kernel from one method, as a stage's loop does, so C2 may
     * inline them all into it and run out of inlining budget part way; that is the case that once boxed vectors
     * (see {@link VectorDgKernels}). Not a timing; it needs C2.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void steadyStateAllocatesNothing(DgKernels kernels) {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        // 19 channels: NHWC leaves a scalar remainder, blocked layouts a padded block; 53 elements: vectors and a tail.
        Shape shape = Shape.of(2, 19, 5, 6);
        float[] values = uniform(19, shape.elements(), -1, 1);
        List<Tensor> tensors = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : DType.values()) {
                for (Layout layout : IMAGE_LAYOUTS) {
                    Tensor x = Tensor.allocate(shape, dtype, layout);
                    x.copyFrom(values);
                    tensors.add(x);
                }
            }
            int length = 3 * 16 + 5;
            MemorySegment[][] sources = new MemorySegment[2][];
            MemorySegment[] dst = new MemorySegment[2];
            for (DType dtype : DType.values()) {
                float[] sourceValues = uniform(dtype.ordinal(), length, -1, 1);
                sources[dtype.ordinal()] = new MemorySegment[] {segment(arena, dtype, sourceValues),
                        segment(arena, dtype, sourceValues), segment(arena, dtype, sourceValues)};
                dst[dtype.ordinal()] = arena.allocate(dtype.byteSize() * (long) length);
            }
            // One non-finite value in a vector of any species, one in the tail after the next one's vectors.
            float[] checkedValues = uniform(3, length, -1, 1);
            checkedValues[17] = Float.POSITIVE_INFINITY;
            checkedValues[length - 1] = Float.NaN;
            MemorySegment checked = segment(arena, DType.F32, checkedValues);
            assertEquals(List.of(DType.F32, DType.BF16), List.of(DType.values()), "callAll's order");
            Tensor[] images = tensors.toArray(new Tensor[0]);
            long[] offsets = new long[3];
            float[] weights = {0.25f, 0.5f, 0.75f};
            float[] out = new float[shape.dim(1)];
            long allocated = -1;
            // Compilation runs in the background: warm up until a round allocates nothing, or give up.
            for (int round = 0; round < 40 && allocated != 0; round++) {
                for (int call = 0; call < 2000; call++) {
                    callAll(kernels, images, out, dst, sources, offsets, weights, length, checked);
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int call = 0; call < 1000; call++) {
                    callAll(kernels, images, out, dst, sources, offsets, weights, length, checked);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            if (allocated != 0) {
                fail(kernels.name() + ": 1000 rounds of calls allocated " + allocated + " bytes; one call each: "
                        + allocatedByEach(threads, kernels, images, out, dst, sources, offsets, weights, length,
                        checked));
            }
        } finally {
            tensors.forEach(Tensor::close);
        }
    }

    /** What one more call of each kernel in {@link #callAll} allocates, to say which one failed. */
    private static String allocatedByEach(ThreadMXBean threads, DgKernels kernels, Tensor[] tensors, float[] out,
                                          MemorySegment[] dst, MemorySegment[][] sources, long[] offsets,
                                          float[] weights, int length, MemorySegment checked) {
        StringBuilder report = new StringBuilder();
        for (Tensor x : tensors) {
            long before = threads.getCurrentThreadAllocatedBytes();
            kernels.channelMeans(x.segment(), x.shape(), x.layout(), x.dtype(), 1, out);
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            report.append("channelMeans ").append(x).append(": ").append(bytes).append(", ");
            before = threads.getCurrentThreadAllocatedBytes();
            kernels.scaleChannels(x.segment(), x.shape(), x.layout(), x.dtype(), 1, out);
            bytes = threads.getCurrentThreadAllocatedBytes() - before;
            report.append("scaleChannels ").append(x).append(": ").append(bytes).append(", ");
        }
        for (int d = 0; d < 2; d++) {
            DType dtype = DType.values()[d];
            long before = threads.getCurrentThreadAllocatedBytes();
            kernels.weightedSum(dst[d], 0, length, dtype, sources[d], offsets, weights, 3);
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            report.append("weightedSum ").append(dtype).append(": ").append(bytes).append(", ");
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        checkAll(kernels, dst, checked, length);
        return report.append("firstNonFinite: ").append(threads.getCurrentThreadAllocatedBytes() - before).toString();
    }

    /** Indexed loops only: {@code DType.values()} or an iterator here would be the test's own allocation. */
    private static void callAll(DgKernels kernels, Tensor[] tensors, float[] out, MemorySegment[] dst,
                                MemorySegment[][] sources, long[] offsets, float[] weights, int length,
                                MemorySegment checked) {
        for (int t = 0; t < tensors.length; t++) {
            Tensor x = tensors[t];
            kernels.channelMeans(x.segment(), x.shape(), x.layout(), x.dtype(), 1, out);
            // By the means just taken: every factor in [-1, 1], so repeated calls shrink the values, never overflow.
            kernels.scaleChannels(x.segment(), x.shape(), x.layout(), x.dtype(), 1, out);
        }
        // A node whose edges were all dropped for an instance sums nothing: zeros.
        kernels.weightedSum(dst[0], 0, length, DType.F32, sources[0], offsets, weights, 0);
        kernels.weightedSum(dst[1], 0, length, DType.BF16, sources[1], offsets, weights, 0);
        kernels.weightedSum(dst[0], 0, length, DType.F32, sources[0], offsets, weights, 3);
        kernels.weightedSum(dst[1], 0, length, DType.BF16, sources[1], offsets, weights, 3);
        checkAll(kernels, dst, checked, length);
    }

    /** {@code firstNonFinite} over finite sums, and finding a value in a vector and one in a tail. */
    private static void checkAll(DgKernels kernels, MemorySegment[] dst, MemorySegment checked, int length) {
        assertEquals(-1, kernels.firstNonFinite(dst[0], 0, length));
        assertEquals(17, kernels.firstNonFinite(checked, 0, length));
        assertEquals(length - 1, kernels.firstNonFinite(checked, 18, length - 18));
    }

    static Stream<DgKernels> implementations() {
        return Stream.of(SCALAR, VECTOR);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void channelMeansAndScaleChannelsRejectBadArguments(DgKernels kernels) {
        Shape shape = Shape.of(2, 3, 4, 5);
        try (Tensor x = Tensor.of(shape, Layout.NCHW16C, new float[120])) {
            MemorySegment segment = x.segment();
            assertRejected("out has room for 2 channel means, need 3",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, DType.F32, 0, new float[2]));
            assertRejected("instance 2 is outside the batch of 2",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, DType.F32, 2, new float[3]));
            assertRejected("need an image layout (NCHW, NHWC, NCHW8C, NCHW16C), got NC",
                    () -> kernels.channelMeans(segment, Shape.of(2, 3), Layout.NC, DType.F32, 0, new float[3]));
            assertRejected("layout NCHW is for rank-4 tensors, got shape [2, 3]",
                    () -> kernels.channelMeans(segment, Shape.of(2, 3), Layout.NCHW, DType.F32, 0, new float[3]));
            assertRejected("an f32 [2, 3, 4, 5] NCHW16C tensor takes 2560 bytes, x has 480",
                    () -> kernels.channelMeans(segment.asSlice(0, 480), shape, Layout.NCHW16C, DType.F32, 0, new float[3]));
            // bf16 takes half the bytes: the first half of this f32 tensor is big enough, less is not.
            kernels.channelMeans(segment.asSlice(0, 1280), shape, Layout.NCHW16C, DType.BF16, 0, new float[3]);
            assertRejected("a bf16 [2, 3, 4, 5] NCHW16C tensor takes 1280 bytes, x has 1278",
                    () -> kernels.channelMeans(segment.asSlice(0, 1278), shape, Layout.NCHW16C, DType.BF16, 0,
                            new float[3]));
            assertRejected("need an image layout (NCHW, NHWC, NCHW8C, NCHW16C), got NC",
                    () -> kernels.channelMeans(segment, Shape.of(2, 3), Layout.NC, DType.BF16, 0, new float[3]));
            assertThrows(NullPointerException.class,
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, null, 0, new float[3]));
            assertRejected("channels [2, 4) asked for, the tensor has 3",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW, DType.F32, 0, 2, 2, new float[4]));
            assertRejected("channels [0, -1) asked for, the tensor has 3",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW, DType.F32, 0, 0, -1, new float[4]));
            assertRejected("in NCHW16C the first channel must start a block of 16, got 1",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW16C, DType.F32, 0, 1, 2, new float[3]));
            assertRejected("out has room for 2 channel means, need 3",
                    () -> kernels.channelMeans(segment, shape, Layout.NCHW, DType.F32, 0, 1, 2, new float[2]));

            // scaleChannels checks the image as channelMeans does; one case shows it does.
            assertRejected("scaled channels need an image layout (NCHW, NHWC, NCHW8C, NCHW16C), got NC",
                    () -> kernels.scaleChannels(segment, Shape.of(2, 3), Layout.NC, DType.F32, 0, new float[3]));
            assertRejected("scale holds 2 factors, need 3",
                    () -> kernels.scaleChannels(segment, shape, Layout.NCHW16C, DType.F32, 0, new float[2]));
            assertThrows(NullPointerException.class,
                    () -> kernels.scaleChannels(segment, shape, Layout.NCHW16C, DType.F32, 0, null));
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
                    () -> kernels.weightedSum(dst, 4, 10, DType.F32, sources, offsets, weights, 1));
            assertRejected("sources[1] holds 10 floats, elements [4, 12) were asked for",
                    () -> kernels.weightedSum(dst, 0, 8, DType.F32, sources, offsets, weights, 2));
            assertRejected("count is 3, but there are 2 sources, 2 offsets and 2 weights",
                    () -> kernels.weightedSum(dst, 0, 8, DType.F32, sources, offsets, weights, 3));
            assertRejected("count must not be negative, got -1",
                    () -> kernels.weightedSum(dst, 0, 8, DType.F32, sources, offsets, weights, -1));
            assertRejected("length must not be negative, got -8",
                    () -> kernels.weightedSum(dst, 0, -8, DType.F32, sources, offsets, weights, 1));
            assertThrows(NullPointerException.class,
                    () -> kernels.weightedSum(dst, 0, 8, null, sources, offsets, weights, 1));
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void firstNonFiniteRejectsBadArguments(DgKernels kernels) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(JAVA_FLOAT, 10);
            assertRejected("x holds 10 floats, elements [4, 14) were asked for",
                    () -> kernels.firstNonFinite(x, 4, 10));
            assertRejected("x holds 10 floats, elements [-1, 9) were asked for",
                    () -> kernels.firstNonFinite(x, -1, 10));
            assertRejected("length must not be negative, got -1", () -> kernels.firstNonFinite(x, 0, -1));
            assertThrows(NullPointerException.class, () -> kernels.firstNonFinite(null, 0, 1));
        }
    }

    /** Offsets and lengths count bf16 elements, which take half the bytes of floats. */
    @ParameterizedTest
    @MethodSource("implementations")
    void weightedSumChecksBf16RangesInBf16Elements(DgKernels kernels) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(JAVA_SHORT, 10);
            MemorySegment[] sources = {arena.allocate(JAVA_SHORT, 10), arena.allocate(JAVA_FLOAT, 10)};
            long[] offsets = {0, 4};
            float[] weights = {1, 1};
            assertRejected("dst holds 10 bf16 values, elements [4, 14) were asked for",
                    () -> kernels.weightedSum(dst, 4, 10, DType.BF16, sources, offsets, weights, 1));
            assertRejected("sources[0] holds 10 bf16 values, elements [0, 11) were asked for",
                    () -> kernels.weightedSum(arena.allocate(JAVA_SHORT, 11), 0, 11, DType.BF16, sources, offsets,
                            weights, 2));
            // Ten floats' bytes hold twenty bf16 values: elements [4, 14) of sources[1] are there.
            kernels.weightedSum(dst, 0, 10, DType.BF16, sources, offsets, weights, 2);
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

    /**
     * The vector kernels sum a vector's lanes in lane order, bit for bit: an order of their own, which the
     * interpreter and C2 both keep, where {@code reduceLanes(ADD)} leaves it to the implementation (a session's
     * logits changed once C2 took over). One vector of channels for the router, and a plane of one vector for the
     * channel means, so that what is summed across lanes is exactly the products, or the values.
     */
    @Test
    void lanesAreSummedInLaneOrder() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom random = new SplittableRandom(5);
        float[] pooled = new float[lanes];
        float[] weight = new float[lanes];
        float[] bias = {0.25f};
        float[] out = new float[1];
        float[] mean = new float[1];
        Shape plane = Shape.of(1, 1, 1, lanes);
        try (Tensor x = Tensor.allocate(plane, DType.F32, Layout.NCHW)) {
            for (int trial = 0; trial < 20_000; trial++) {
                float products = 0;
                float values = 0;
                for (int i = 0; i < lanes; i++) {
                    pooled[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-3, 4)));
                    weight[i] = (float) random.nextDouble(-1, 1);
                    products += weight[i] * pooled[i];
                    x.segment().setAtIndex(JAVA_FLOAT, i, pooled[i]);
                    values += pooled[i];
                }
                VECTOR.router(pooled, lanes, weight, bias, 1, out);
                VECTOR.channelMeans(x.segment(), plane, Layout.NCHW, DType.F32, 0, mean);
                float router = ScalarDgKernels.sigmoid((double) bias[0] + products);
                if (Float.floatToRawIntBits(out[0]) != Float.floatToRawIntBits(router)
                        || Float.floatToRawIntBits(mean[0]) != Float.floatToRawIntBits(values / lanes)) {
                    fail("trial " + trial + ": router " + out[0] + " and mean " + mean[0] + ", in lane order "
                            + router + " and " + values / lanes + ", for " + Arrays.toString(pooled));
                }
            }
        }
    }

    private static void assertClose(double expected, float scalar, float vector, double tolerance, String where) {
        if (Math.abs(scalar - expected) > tolerance || Math.abs(vector - expected) > tolerance
                || Math.abs(vector - scalar) > tolerance) {
            fail(where + ": expected " + expected + ", scalar gave " + scalar + ", vector " + vector
                    + " (tolerance " + tolerance + ")");
        }
    }

    /** {@code values} as {@code dtype} stores them: rounded to bf16 and back for bf16, as they are for f32. */
    private static float[] stored(DType dtype, float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = stored(dtype, values[i]);
        }
        return values;
    }

    /** {@code value} as {@code dtype} stores it. */
    private static float stored(DType dtype, float value) {
        return dtype == DType.BF16 ? BFloat16.toFloat(BFloat16.fromFloat(value)) : value;
    }

    /** A new segment holding {@code values} as {@code dtype}. */
    private static MemorySegment segment(Arena arena, DType dtype, float[] values) {
        MemorySegment segment = arena.allocate((long) dtype.byteSize() * values.length);
        for (int i = 0; i < values.length; i++) {
            ScalarDgKernels.set(segment, dtype, i, values[i]);
        }
        return segment;
    }

    /** The raw bits of element {@code index}: the f32's, or the bf16's in the low 16. */
    private static int bits(MemorySegment segment, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits(segment.getAtIndex(JAVA_FLOAT, index));
            case BF16 -> segment.getAtIndex(JAVA_SHORT, index) & 0xFFFF;
        };
    }

    /** The bits {@code value} is stored as, as {@link #bits} reads them. */
    private static int encode(DType dtype, float value) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits(value);
            case BF16 -> BFloat16.fromFloat(value) & 0xFFFF;
        };
    }

    /**
     * The position of a bf16 value among all bf16 values in order, so that neighbours differ by 1 (both zeros are
     * 0). Only for values that are not NaN.
     */
    private static int bf16Step(short bits) {
        int magnitude = bits & 0x7FFF;
        return bits < 0 ? -magnitude : magnitude;
    }

    private static boolean isQuietNaN(short bits) {
        return (bits & 0x7F80) == 0x7F80 && (bits & 0x0040) != 0;
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
