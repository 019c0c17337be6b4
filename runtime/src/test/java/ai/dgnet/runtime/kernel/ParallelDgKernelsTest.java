package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.DType;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The split weighted sum and pooling against the unsplit ones: over a team of Java threads, with chunks far smaller
 * than the production ones so that short and odd lengths split too, every element and every mean must be bit for bit
 * what the serial kernel writes (the scalar twin, and the vector kernels), and nothing outside the destination's
 * slice (or the channel range asked for) may change.
 */
class ParallelDgKernelsTest {
    private static final DgKernels SCALAR = new ScalarDgKernels();
    private static final DgKernels VECTOR = new VectorDgKernels();

    /** A team that says it has threads but runs the task on none: the caller must do every chunk. */
    private record Absent(int size, AtomicInteger calls) implements ChunkedTeam.Team {
        @Override
        public void runOnAll(Runnable task) {
            calls.incrementAndGet();
        }
    }

    static Stream<Arguments> splits() {
        List<Arguments> cases = new ArrayList<>();
        long[] lengths = {1, 2, 3, 5, 63, 64, 65, 127, 1000, 4099};
        int[][] chunkings = {{1, 1}, {1, 3}, {7, 64}};
        for (DType dtype : DType.values()) {
            for (long length : lengths) {
                for (int[] chunking : chunkings) {
                    for (int threads : new int[] {2, 3, 8}) {
                        cases.add(Arguments.of(dtype, length, chunking[0], chunking[1], threads));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} length={1} minChunk={2} grain={3} threads={4}")
    @MethodSource("splits")
    void splitSumIsTheSerialSumBitForBit(DType dtype, long length, int minChunk, int grain, int threads) {
        for (int count : new int[] {0, 1, 2, 5}) {
            for (DgKernels serial : List.of(SCALAR, VECTOR)) {
                JavaThreads team = new JavaThreads(threads);
                assertSplitMatches(new ParallelDgKernels(serial, new ChunkedTeam(team), minChunk, grain), serial, dtype,
                        length, count);
                if (count > 0 && length >= 2L * minChunk && length >= 2L * grain) {
                    assertEquals(threads, team.seen().size(), "length " + length + " was not split");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void chunksNoThreadRanAreTheCallers(DType dtype) {
        AtomicInteger calls = new AtomicInteger();
        DgKernels split = new ParallelDgKernels(SCALAR, new ChunkedTeam(new Absent(4, calls)), 5, 1);
        assertSplitMatches(split, SCALAR, dtype, 101, 3);
        assertEquals(1, calls.get(), "the team was asked once");
    }

    /** Each instance of a node's output, in every layout, as the stage executor sums them (padding included). */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void instancesOfEveryLayoutSumAsSerially(Layout layout) {
        DgKernels split = new ParallelDgKernels(SCALAR, new ChunkedTeam(new JavaThreads(2)), 100, 16);
        KernelChecks.assertInstanceSumsMatch(split, SCALAR, Shape.of(2, 19, 9, 7), layout);
    }

    /**
     * Each instance's pooling split into channel ranges (whole blocks), full and partial ranges, against the
     * serial kernel; the entries of {@code out} outside the range keep their guard value.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void splitPoolingIsTheSerialPoolingBitForBit(Layout layout) {
        for (DType dtype : DType.values()) {
            for (int channels : new int[] {1, 16, 19, 70}) {
                Shape shape = Shape.of(2, channels, 9, 7);
                try (Tensor x = Tensor.allocate(shape, dtype, layout)) {
                    x.copyFrom(uniform(channels, shape.elements()));
                    int block = layout.channelBlock();
                    int[][] ranges = {{0, channels}, {0, channels / 2}, {block, Math.max(0, channels - 2 * block)}};
                    for (DgKernels serial : List.of(SCALAR, VECTOR)) {
                        JavaThreads team = new JavaThreads(3);
                        DgKernels split = new ParallelDgKernels(serial, new ChunkedTeam(team), 20, 1);
                        for (int[] range : ranges) {
                            if (range[0] > channels - range[1]) {
                                continue;
                            }
                            for (int n = 0; n < shape.dim(0); n++) {
                                float[] expected = new float[channels + 2];
                                float[] actual = new float[channels + 2];
                                Arrays.fill(expected, -7f);
                                Arrays.fill(actual, -7f);
                                serial.channelMeans(x.segment(), shape, layout, dtype, n, range[0], range[1], expected);
                                split.channelMeans(x.segment(), shape, layout, dtype, n, range[0], range[1], actual);
                                assertEquals(Arrays.toString(expected), Arrays.toString(actual),
                                        split.name() + " " + dtype + " " + layout + " C=" + channels + " channels ["
                                                + range[0] + ", " + (range[0] + range[1]) + ") n=" + n);
                            }
                        }
                        boolean splits = layout != Layout.NHWC && layout.paddedChannels(channels) > block;
                        assertEquals(splits, team.seen().size() > 1, dtype + " " + layout + " C=" + channels
                                + ": split over threads");
                    }
                }
            }
        }
    }

    static Stream<Arguments> batchSplits() {
        List<Arguments> cases = new ArrayList<>();
        for (int instances : new int[] {1, 2, 3, 8}) {
            for (long length : new long[] {1, 63, 64, 65, 1000}) {
                for (int[] chunking : new int[][] {{1, 1}, {7, 64}, {100, 16}}) {
                    cases.add(Arguments.of(instances, length, chunking[0], chunking[1]));
                }
            }
        }
        return cases.stream();
    }

    /**
     * The weighted sums of a whole batch, each instance with its own number of sources (none included), against the
     * serial kernel instance by instance: the same bytes everywhere, the guards around the batch untouched.
     */
    @ParameterizedTest(name = "instances={0} length={1} minChunk={2} grain={3}")
    @MethodSource("batchSplits")
    void splitBatchSumsAreTheSerialSumsBitForBit(int instances, long length, int minChunk, int grain) {
        long pad = 3;
        for (DType dtype : DType.values()) {
            for (DgKernels serial : List.of(SCALAR, VECTOR)) {
                JavaThreads team = new JavaThreads(3);
                DgKernels split = new ParallelDgKernels(serial, new ChunkedTeam(team), minChunk, grain);
                try (Arena arena = Arena.ofShared()) {
                    SplittableRandom random = new SplittableRandom(instances * 1000L + length);
                    MemorySegment[][] sources = new MemorySegment[instances][];
                    long[][] offsets = new long[instances][];
                    float[][] weights = new float[instances][];
                    int[] counts = new int[instances];
                    for (int n = 0; n < instances; n++) {
                        counts[n] = (n + 1) % 4;
                        // One entry more than counted: entries from the count on must be ignored.
                        sources[n] = new MemorySegment[counts[n] + 1];
                        offsets[n] = new long[counts[n] + 1];
                        weights[n] = new float[counts[n] + 1];
                        for (int i = 0; i <= counts[n]; i++) {
                            offsets[n][i] = i + n;
                            weights[n][i] = (float) random.nextDouble(-2, 2);
                            sources[n][i] = segment(arena, dtype, uniform(random.nextLong(), length + i + n));
                        }
                    }
                    long bytes = dtype.byteSize() * (instances * length + pad);
                    MemorySegment expected = arena.allocate(bytes);
                    MemorySegment actual = arena.allocate(bytes);
                    expected.fill((byte) 0x5A);
                    actual.fill((byte) 0x5A);
                    for (int n = 0; n < instances; n++) {
                        serial.weightedSum(expected, n * length, length, dtype, sources[n], offsets[n], weights[n],
                                counts[n]);
                    }
                    split.weightedSums(actual, length, dtype, instances, sources, offsets, weights, counts);
                    long mismatch = expected.mismatch(actual);
                    assertEquals(-1L, mismatch, split.name() + " " + dtype + ": first different byte " + mismatch);
                }
                if (instances * length >= 2L * minChunk && (instances > 1 || length >= 2L * grain)) {
                    assertEquals(3, team.seen().size(), dtype + ": the batch was not split");
                }
            }
        }
    }

    /** The poolings and the scalings of a whole batch, in every layout, against the serial kernel's, bit for bit. */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void splitBatchPoolingAndScalingAreTheSerialOnesBitForBit(Layout layout) {
        for (DType dtype : DType.values()) {
            for (int batch : new int[] {1, 2, 5}) {
                Shape shape = Shape.of(batch, 19, 4, 3);
                for (DgKernels serial : List.of(SCALAR, VECTOR)) {
                    JavaThreads team = new JavaThreads(3);
                    DgKernels split = new ParallelDgKernels(serial, new ChunkedTeam(team), 20, 1);
                    try (Tensor x = Tensor.allocate(shape, dtype, layout);
                         Tensor expectedScaled = Tensor.allocate(shape, dtype, layout);
                         Tensor actualScaled = Tensor.allocate(shape, dtype, layout)) {
                        float[] values = uniform(batch, shape.elements());
                        x.copyFrom(values);
                        expectedScaled.copyFrom(values);
                        actualScaled.copyFrom(values);
                        float[][] expected = new float[batch][20];
                        float[][] actual = new float[batch][20];
                        for (int n = 0; n < batch; n++) {
                            Arrays.fill(expected[n], -7f);
                            Arrays.fill(actual[n], -7f);
                            serial.channelMeans(x.segment(), shape, layout, dtype, n, expected[n]);
                        }
                        split.channelMeans(x.segment(), shape, layout, dtype, actual);
                        assertEquals(Arrays.deepToString(expected), Arrays.deepToString(actual),
                                split.name() + " " + dtype + " " + layout + " batch " + batch);

                        float[][] scale = new float[batch][];
                        for (int n = 0; n < batch; n++) {
                            scale[n] = uniform(100 + n, 19);
                            serial.scaleChannels(expectedScaled.segment(), shape, layout, dtype, n, scale[n]);
                        }
                        split.scaleChannels(actualScaled.segment(), shape, layout, dtype, scale);
                        assertEquals(-1L, expectedScaled.segment().mismatch(actualScaled.segment()),
                                split.name() + " " + dtype + " " + layout + " batch " + batch + ": scaled");
                    }
                    boolean splits = batch > 1 || layout != Layout.NHWC;
                    assertEquals(splits, team.seen().size() > 1,
                            dtype + " " + layout + " batch " + batch + ": split over threads");
                }
            }
        }
    }

    @Test
    void badArgumentsThrowOnTheCallerBeforeTheTeamIsAsked() {
        AtomicInteger calls = new AtomicInteger();
        DgKernels split = new ParallelDgKernels(VECTOR, new ChunkedTeam(new Absent(2, calls)), 1, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(JAVA_FLOAT, 10);
            MemorySegment[] sources = {arena.allocate(JAVA_FLOAT, 10), arena.allocate(JAVA_FLOAT, 10)};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> split.weightedSum(dst, 4, 10, DType.F32, sources, new long[2], new float[2], 1));
            assertTrue(e.getMessage().contains("dst holds 10 floats, elements [4, 14) were asked for"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> split.weightedSum(dst, 0, 8, DType.F32, sources, new long[2], new float[2], 3));
            e = assertThrows(IllegalArgumentException.class, () -> split.channelMeans(dst, Shape.of(1, 10, 1, 1),
                    Layout.NCHW, DType.F32, 0, 4, 7, new float[11]));
            assertTrue(e.getMessage().contains("channels [4, 11) asked for, the tensor has 10"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> split.weightedSums(dst, 5, DType.F32, 2,
                    new MemorySegment[][] {sources, sources}, new long[2][2], new float[2][2], new int[1]));
            assertTrue(e.getMessage().contains("counts holds 1 entries, need one per instance: 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> split.weightedSums(dst, 6, DType.F32, 2,
                    new MemorySegment[][] {sources, sources}, new long[2][2], new float[2][2], new int[] {1, 1}));
            assertTrue(e.getMessage().contains("dst holds 10 floats, elements [6, 12) were asked for"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> split.channelMeans(dst, Shape.of(2, 5, 1, 1),
                    Layout.NCHW, DType.F32, new float[1][5]));
            assertTrue(e.getMessage().contains("out holds 1 entries, need one per instance: 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> split.scaleChannels(dst, Shape.of(2, 5, 1, 1),
                    Layout.NCHW, DType.F32, new float[][] {new float[5], new float[4]}));
            assertTrue(e.getMessage().contains("scale holds 4 factors, need 5"), e.getMessage());
        }
        assertEquals(0, calls.get(), "the team was asked");
    }

    /**
     * A caller's arrays may be longer than the batch (kept for a larger one), with stale entries past it: only the
     * batch's are read, as the serial kernels read them, and the team stays free for the next call.
     */
    @Test
    void entriesPastTheBatchAreNotRead() {
        AtomicInteger calls = new AtomicInteger();
        DgKernels split = new ParallelDgKernels(SCALAR, new ChunkedTeam(new Absent(2, calls)), 1, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(JAVA_FLOAT, 8);
            MemorySegment expected = arena.allocate(JAVA_FLOAT, 8);
            MemorySegment source = arena.allocate(JAVA_FLOAT, 8);
            for (int i = 0; i < 8; i++) {
                source.setAtIndex(JAVA_FLOAT, i, i + 0.5f);
            }
            MemorySegment[][] sources = {{source}, {source}, null};
            long[][] offsets = {{0}, {4}, null};
            float[][] weights = {{2f}, {-1f}, null};
            int[] counts = {1, 1, Integer.MAX_VALUE};
            for (int round = 0; round < 2; round++) {
                split.weightedSums(dst, 4, DType.F32, 2, sources, offsets, weights, counts);
            }
            SCALAR.weightedSums(expected, 4, DType.F32, 2, sources, offsets, weights, counts);
            assertArrayEquals(expected.toArray(JAVA_FLOAT), dst.toArray(JAVA_FLOAT));
        }
        assertEquals(2, calls.get(), "each call split over the team");
    }

    @Test
    void aFailureOnAnotherThreadReachesTheCaller() {
        IllegalStateException thrown = new IllegalStateException("kernel failed");
        DgKernels failing = new DgKernels() {
            @Override
            public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first,
                                     int count, float[] out) {
                throw thrown;
            }

            @Override
            public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
                throw thrown;
            }

            @Override
            public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n,
                                      float[] scale) {
                throw thrown;
            }

            @Override
            public long firstNonFinite(MemorySegment x, long offset, long length) {
                throw thrown;
            }

            @Override
            public String name() {
                return "failing";
            }

            @Override
            public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype,
                                    MemorySegment[] sources, long[] sourceOffsets, float[] weights, int count) {
                throw thrown;
            }
        };
        DgKernels split = new ParallelDgKernels(failing, new ChunkedTeam(new JavaThreads(3)), 1, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(JAVA_FLOAT, 64);
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> split.weightedSum(dst, 0, 64,
                    DType.F32, new MemorySegment[] {dst}, new long[1], new float[1], 0)));
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> split.channelMeans(dst,
                    Shape.of(1, 64, 1, 1), Layout.NCHW, DType.F32, 0, new float[64])));
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> split.scaleChannels(dst,
                    Shape.of(1, 64, 1, 1), Layout.NCHW, DType.F32, 0, new float[64])));
        }
    }

    /**
     * One device's kernels serve every session, and a session may run on any thread: while one caller's call is
     * split over the team, another caller's call of the same kernels must run on its own thread without touching
     * the first one's arguments.
     */
    @Test
    void callersOnSeveralThreadsAtOnceEachGetTheirOwnResult() throws InterruptedException {
        DgKernels split = new ParallelDgKernels(SCALAR, new ChunkedTeam(new JavaThreads(2)), 64, 16);
        List<Thread> callers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int caller = t;
            callers.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int round = 0; round < 200; round++) {
                        assertSplitMatches(split, SCALAR, DType.F32, 1000 + 97 * caller + round % 5, 1 + caller % 3);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void refusesToSplitWhatIsAlreadySplit() {
        DgKernels split = new ParallelDgKernels(SCALAR, new ChunkedTeam(new JavaThreads(2)));
        assertThrows(IllegalArgumentException.class,
                () -> new ParallelDgKernels(split, new ChunkedTeam(new JavaThreads(2))));
    }

    /**
     * Splits {@code length} elements of {@code count} sources at awkward offsets with {@code split} and with
     * {@code serial}, and requires the same bits inside the slice and the guard value around it.
     */
    private static void assertSplitMatches(DgKernels split, DgKernels serial, DType dtype, long length, int count) {
        long pad = 3;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] sources = new MemorySegment[count];
            long[] offsets = new long[count];
            float[] weights = new float[count];
            SplittableRandom random = new SplittableRandom(length * 31 + count);
            for (int i = 0; i < count; i++) {
                offsets[i] = i + 1;
                weights[i] = (float) random.nextDouble(-2, 2);
                sources[i] = segment(arena, dtype, uniform(random.nextLong(), length + offsets[i] + i));
            }
            MemorySegment expected = arena.allocate(dtype.byteSize() * (length + 2 * pad));
            MemorySegment actual = arena.allocate(dtype.byteSize() * (length + 2 * pad));
            expected.fill((byte) 0x5A);
            actual.fill((byte) 0x5A);
            serial.weightedSum(expected, pad, length, dtype, sources, offsets, weights, count);
            split.weightedSum(actual, pad, length, dtype, sources, offsets, weights, count);
            long mismatch = expected.mismatch(actual);
            assertEquals(-1L, mismatch, split.name() + " " + dtype + " length=" + length + " count=" + count
                    + ": first different byte " + mismatch);
        }
    }

    private static MemorySegment segment(Arena arena, DType dtype, float[] values) {
        MemorySegment segment = arena.allocate((long) dtype.byteSize() * values.length);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> segment.setAtIndex(JAVA_FLOAT, i, values[i]);
                case BF16 -> segment.setAtIndex(JAVA_SHORT, i, BFloat16.fromFloat(values[i]));
            }
        }
        return segment;
    }

    private static float[] uniform(long seed, long count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }
}
