package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;

/**
 * Serial {@link DgKernels} with each large {@link #weightedSum} and {@link #channelMeans} split into chunks over a
 * {@link ChunkedTeam}, so that the aggregation and the routers' pooling between two convolutions use the cores
 * the convolutions use instead of one. A sum splits into element ranges, a pooling into channel ranges of whole
 * blocks. The router itself stays on the calling thread: it is a few thousand multiply-adds.
 *
 * <p>There are several chunks per thread, so that a thread that starts late leaves work the others take. Chunk
 * boundaries of a sum are multiples of {@value #GRAIN} elements: whole vectors of any species and whole cache lines of
 * either storage type, so no two threads write one cache line and every chunk but the last runs without a scalar
 * tail. A pooling chunk is whole channel blocks (planes in {@code NCHW}); {@code NHWC} pooling runs on the calling
 * thread (its shares would be ranges of channels of every pixel: not measured). Splitting changes no result: each
 * element and each mean is the serial kernel's, whichever thread computes it.
 *
 * <p>Nothing is allocated per call: the call's arguments sit in fields that a thread reads after claiming a chunk,
 * and each thread shifts the source offsets into its own array, grown only when a call has more sources than any
 * before it.
 */
public final class ParallelDgKernels implements DgKernels {
    /** Chunk boundaries of a sum are multiples of this many elements. */
    static final int GRAIN = 64;
    /**
     * Calls with less than two chunks of this many elements (read, for a pooling) run on the calling thread.
     * Measured on 2 cores right after a convolution, two-source sums (with the vector sum's earlier element-by-element
     * loop): 64 K floats took 21-24 µs split or not, 128 K floats 44 µs serially and 27-29 µs split, 800 K floats
     * 0.28-0.35 ms serially and 0.12-0.14 ms split.
     */
    static final long MIN_CHUNK = 64 * 1024;
    /** Chunks per thread at most, so that a thread that starts late leaves work the others can take. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final DgKernels serial;
    private final ChunkedTeam team;
    private final long minChunk;
    private final int grain;
    /**
     * The arguments of the call being split, one holder per kind of call for every caller of these kernels: a caller
     * writes one only after claiming the team, and the team has it release them before it takes another call.
     */
    private final Sums sums;
    private final Means means = new Means();

    /** Splits {@code serial}'s weighted sums and poolings over {@code team}. */
    public ParallelDgKernels(DgKernels serial, ChunkedTeam team) {
        this(serial, team, MIN_CHUNK, GRAIN);
    }

    /** With chunk sizes for tests, which split calls far below the size where that pays. */
    ParallelDgKernels(DgKernels serial, ChunkedTeam team, long minChunk, int grain) {
        if (serial instanceof ParallelDgKernels) {
            throw new IllegalArgumentException("the kernels to split must be serial ones, got " + serial.name());
        }
        if (minChunk < 1 || grain < 1) {
            throw new IllegalArgumentException("minChunk and grain must be >= 1, got " + minChunk + " and " + grain);
        }
        this.serial = serial;
        this.team = team;
        this.minChunk = minChunk;
        this.grain = grain;
        this.sums = new Sums(team.size());
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                             float[] out) {
        // Checked here, on the caller's thread, so that a bad argument throws as from the serial kernels and no
        // other thread ever meets one.
        ScalarDgKernels.checkChannelMeans(x, shape, layout, dtype, n, first, count, out);
        long plane = (long) shape.dim(2) * shape.dim(3);
        int unit = layout.channelBlock();
        int share = (int) roundUp(Math.max(ceilDiv(minChunk, plane), ceilDiv(count, chunksPerCall())), unit);
        int chunks = (int) ceilDiv(count, share);
        if (layout == Layout.NHWC || !team.claim(chunks)) {
            serial.channelMeans(x, shape, layout, dtype, n, first, count, out);
            return;
        }
        means.set(x, shape, layout, dtype, n, first, count, out, share);
        team.runClaimed(means, chunks);
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        serial.router(pooled, channels, weight, bias, rows, out);
    }

    /** On the calling thread: squeeze-and-excitation scales maps of at most a few hundred kilobytes. */
    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        serial.scaleChannels(x, shape, layout, dtype, n, scale);
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        long chunk = roundUp(Math.max(minChunk, ceilDiv(length, chunksPerCall())), grain);
        int chunks = (int) ceilDiv(length, chunk);
        if (!team.claim(chunks)) {
            serial.weightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
            return;
        }
        sums.set(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count, chunk);
        team.runClaimed(sums, chunks);
    }

    @Override
    public String name() {
        return serial.name() + ", sums and pooling split over " + team.size() + " threads";
    }

    private long chunksPerCall() {
        return (long) CHUNKS_PER_THREAD * team.size();
    }

    /**
     * A weighted sum being split into element ranges. Each thread shifts the source offsets into its own array,
     * grown only when a call has more sources than any before it, so nothing is allocated per call.
     */
    private final class Sums implements ChunkedTeam.Chunks {
        private final long[][] shifted;
        private MemorySegment dst;
        private long dstOffset;
        private long length;
        private DType dtype;
        private MemorySegment[] sources;
        private long[] sourceOffsets;
        private float[] weights;
        private int count;
        private long chunk;

        Sums(int threads) {
            this.shifted = new long[threads][0];
        }

        void set(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                 long[] sourceOffsets, float[] weights, int count, long chunk) {
            for (int t = 0; t < shifted.length; t++) {
                if (shifted[t].length < count) {
                    shifted[t] = new long[count];
                }
            }
            this.dst = dst;
            this.dstOffset = dstOffset;
            this.length = length;
            this.dtype = dtype;
            this.sources = sources;
            this.sourceOffsets = sourceOffsets;
            this.weights = weights;
            this.count = count;
            this.chunk = chunk;
        }

        @Override
        public void run(int k, int thread) {
            long from = k * chunk;
            long[] offsets = shifted[thread];
            for (int i = 0; i < count; i++) {
                offsets[i] = sourceOffsets[i] + from;
            }
            serial.weightedSum(dst, dstOffset + from, Math.min(chunk, length - from), dtype, sources, offsets,
                    weights, count);
        }

        @Override
        public void release() {
            dst = null;
            sources = null;
            sourceOffsets = null;
            weights = null;
        }
    }

    /** A pooling being split into ranges of {@code share} channels (whole blocks) each. */
    private final class Means implements ChunkedTeam.Chunks {
        private MemorySegment x;
        private Shape shape;
        private Layout layout;
        private DType dtype;
        private int n;
        private int first;
        private int count;
        private float[] out;
        private int share;

        void set(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count, float[] out,
                 int share) {
            this.x = x;
            this.shape = shape;
            this.layout = layout;
            this.dtype = dtype;
            this.n = n;
            this.first = first;
            this.count = count;
            this.out = out;
            this.share = share;
        }

        @Override
        public void run(int k, int thread) {
            int from = k * share;
            serial.channelMeans(x, shape, layout, dtype, n, first + from, Math.min(share, count - from), out);
        }

        @Override
        public void release() {
            x = null;
            out = null;
        }
    }

    private static long roundUp(long value, long multiple) {
        return ceilDiv(value, multiple) * multiple;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
