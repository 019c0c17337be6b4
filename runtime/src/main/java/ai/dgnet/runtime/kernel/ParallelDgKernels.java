package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;

/**
 * Serial {@link DgKernels} with each large {@link #weightedSum} and {@link #channelMeans} split into chunks over a
 * {@link ChunkedTeam}, so that the aggregation, the routers' pooling and squeeze-and-excitation's scaling between two
 * convolutions use the cores the convolutions use instead of one. The calls over a whole batch split into instances
 * and, where an instance is large, into element ranges of a sum or channel ranges (whole blocks) of a pooling; a call
 * on one instance splits into such ranges only. The routers themselves stay on the calling thread: each is a few
 * thousand multiply-adds.
 *
 * <p>There are several chunks per thread, so that a thread that starts late leaves work the others take. Chunk
 * boundaries inside an instance's sum are multiples of {@value #GRAIN} elements: whole vectors of any species and
 * whole cache lines of either storage type, so no two threads write one cache line there and every such chunk but
 * the last runs without a scalar tail. A pooling chunk is whole channel blocks (planes in {@code NCHW}); an
 * {@code NHWC} pooling splits into whole instances only (its shares would be ranges of channels of every pixel: not
 * measured). Splitting changes no result: each element and each mean is the serial kernel's, whichever thread
 * computes it.
 *
 * <p>Nothing is allocated per call: the call's arguments sit in fields that a thread reads after claiming a chunk,
 * and each thread shifts the source offsets into its own array, grown only when a call has more sources than any
 * before it.
 */
public final class ParallelDgKernels implements DgKernels {
    /** Chunk boundaries inside an instance's sum are multiples of this many elements. */
    static final int GRAIN = 64;
    /**
     * Calls that read or write at most this many elements run on the calling thread, and chunks are no smaller where
     * the call is larger. Measured on 2 cores right after a convolution, two-source sums (with the vector sum's
     * earlier element-by-element loop): 64 K floats took 21-24 µs split or not, 128 K floats 44 µs serially and
     * 27-29 µs split, 800 K floats 0.28-0.35 ms serially and 0.12-0.14 ms split.
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
    private final Scaling scaling = new Scaling();

    /** Splits {@code serial}'s weighted sums, poolings and scalings over {@code team}. */
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
        splitMeans(x, shape, layout, dtype, n, 1, first, count, null, out);
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] out) {
        ScalarDgKernels.checkChannelMeans(x, shape, layout, dtype, out);
        splitMeans(x, shape, layout, dtype, 0, shape.dim(0), 0, shape.dim(1), out, null);
    }

    /**
     * Pools channels {@code [first, first + count)} of instances {@code [firstInstance, firstInstance + instances)},
     * instance {@code n}'s means into {@code perInstance[n]}, or into {@code single} for one instance.
     */
    private void splitMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int firstInstance,
                            int instances, int first, int count, float[][] perInstance, float[] single) {
        long plane = (long) shape.dim(2) * shape.dim(3);
        long total = (long) instances * count * plane;
        long sharesPerInstance = ceilDiv(chunkCount(total), instances);
        int share = count;
        if (layout != Layout.NHWC && sharesPerInstance > 1) {
            share = (int) Math.min(roundUp(ceilDiv(count, sharesPerInstance), layout.channelBlock()), count);
        }
        int shares = total > minChunk ? (int) ceilDiv(count, share) : 0;
        int chunks = instances * shares;
        if (!team.claim(chunks)) {
            for (int n = firstInstance; n < firstInstance + instances; n++) {
                serial.channelMeans(x, shape, layout, dtype, n, first, count, single != null ? single : perInstance[n]);
            }
            return;
        }
        means.set(x, shape, layout, dtype, firstInstance, first, count, perInstance, single, share, shares);
        team.runClaimed(means, chunks);
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        serial.router(pooled, channels, weight, bias, rows, out);
    }

    /** On the calling thread: one instance's scaling is at most a few hundred kilobytes. */
    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        serial.scaleChannels(x, shape, layout, dtype, n, scale);
    }

    /** Split into whole instances. */
    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
        ScalarDgKernels.checkScaleChannels(x, shape, layout, dtype, scale);
        int batch = shape.dim(0);
        if (layout.storageElements(shape) <= minChunk || !team.claim(batch)) {
            for (int n = 0; n < batch; n++) {
                serial.scaleChannels(x, shape, layout, dtype, n, scale[n]);
            }
            return;
        }
        scaling.set(x, shape, layout, dtype, scale);
        team.runClaimed(scaling, batch);
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        long piece = pieceLength(1, length);
        int chunks = sumChunks(1, length, piece);
        if (!team.claim(chunks)) {
            serial.weightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
            return;
        }
        sums.setOne(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count, piece);
        team.runClaimed(sums, chunks);
    }

    @Override
    public void weightedSums(MemorySegment dst, long length, DType dtype, int instances, MemorySegment[][] sources,
                             long[][] sourceOffsets, float[][] weights, int[] counts) {
        ScalarDgKernels.checkWeightedSums(dst, length, dtype, instances, sources, sourceOffsets, weights, counts);
        long piece = pieceLength(instances, length);
        int chunks = sumChunks(instances, length, piece);
        if (!team.claim(chunks)) {
            for (int n = 0; n < instances; n++) {
                serial.weightedSum(dst, n * length, length, dtype, sources[n], sourceOffsets[n], weights[n],
                        counts[n]);
            }
            return;
        }
        sums.set(dst, 0, length, dtype, sources, sourceOffsets, weights, counts, instances, piece);
        team.runClaimed(sums, chunks);
    }

    /**
     * Chunks of a split sum of {@code instances} instances of {@code length} elements in pieces of {@code piece}; 0
     * for a sum to run serially.
     */
    private int sumChunks(int instances, long length, long piece) {
        if ((long) instances * length <= minChunk) {
            return 0;
        }
        return Math.toIntExact(instances * ceilDiv(length, piece));
    }

    /** The elements of an instance in one chunk of a split sum: the whole instance, or a multiple of the grain. */
    private long pieceLength(int instances, long length) {
        long piecesPerInstance = ceilDiv(chunkCount((long) instances * length), instances);
        return piecesPerInstance <= 1 ? length : roundUp(ceilDiv(length, piecesPerInstance), grain);
    }

    /**
     * How many equal chunks a call over {@code total} elements should be cut into: none at most {@link #minChunk};
     * else a multiple of the team's size, up to {@link #CHUNKS_PER_THREAD} per thread, of at least
     * {@link #minChunk} elements each where there are enough for every thread. Equal and a multiple of the team,
     * because each thread starts on its own share: a 14x14x1024 map cut into chunks of the minimum (three and a
     * small fourth) left one of two threads nearly twice the other's work. In two halves, its three-source sums took
     * 30-31 against 39-40 µs, and a 7x7x2048 map's 14-15 against 19 ({@code KernelBenchmark.Split}, 2 cores).
     */
    private long chunkCount(long total) {
        if (total <= minChunk) {
            return 0;
        }
        long threads = team.size();
        return Math.min(chunksPerCall(), Math.max(threads, total / minChunk / threads * threads));
    }

    /** On the calling thread: one read of a run's input, at memory speed, beside a whole network's work. */
    @Override
    public long firstNonFinite(MemorySegment x, long offset, long length) {
        return serial.firstNonFinite(x, offset, length);
    }

    @Override
    public String name() {
        return serial.name() + ", sums, pooling and scaling split over " + team.size() + " threads";
    }

    private long chunksPerCall() {
        return (long) CHUNKS_PER_THREAD * team.size();
    }

    /**
     * Weighted sums being split into pieces of {@code piece} elements of each instance. Each thread shifts the source
     * offsets into its own array, grown only when a call has more sources than any before it, so nothing is
     * allocated per call; a call on one instance passes its arrays through one-entry arrays kept here.
     */
    private final class Sums implements ChunkedTeam.Chunks {
        private final long[][] shifted;
        private final MemorySegment[][] oneSources = new MemorySegment[1][];
        private final long[][] oneOffsets = new long[1][];
        private final float[][] oneWeights = new float[1][];
        private final int[] oneCount = new int[1];
        private MemorySegment dst;
        private long dstOffset;
        private long length;
        private DType dtype;
        private MemorySegment[][] sources;
        private long[][] sourceOffsets;
        private float[][] weights;
        private int[] counts;
        private long piece;
        private int pieces;

        Sums(int threads) {
            this.shifted = new long[threads][0];
        }

        void setOne(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                    long[] sourceOffsets, float[] weights, int count, long piece) {
            oneSources[0] = sources;
            oneOffsets[0] = sourceOffsets;
            oneWeights[0] = weights;
            oneCount[0] = count;
            set(dst, dstOffset, length, dtype, oneSources, oneOffsets, oneWeights, oneCount, 1, piece);
        }

        /**
         * Instance {@code n < instances} of the call writes {@code dst} from {@code dstOffset + n * length} on; the
         * arrays may hold stale entries past the batch, which are not read.
         */
        void set(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[][] sources,
                 long[][] sourceOffsets, float[][] weights, int[] counts, int instances, long piece) {
            int most = 0;
            for (int n = 0; n < instances; n++) {
                most = Math.max(most, counts[n]);
            }
            for (int t = 0; t < shifted.length; t++) {
                if (shifted[t].length < most) {
                    shifted[t] = new long[most];
                }
            }
            this.dst = dst;
            this.dstOffset = dstOffset;
            this.length = length;
            this.dtype = dtype;
            this.sources = sources;
            this.sourceOffsets = sourceOffsets;
            this.weights = weights;
            this.counts = counts;
            this.piece = piece;
            this.pieces = (int) ceilDiv(length, piece);
        }

        @Override
        public void run(int k, int thread) {
            int n = k / pieces;
            long from = (k % pieces) * piece;
            long[] offsets = shifted[thread];
            int count = counts[n];
            for (int i = 0; i < count; i++) {
                offsets[i] = sourceOffsets[n][i] + from;
            }
            serial.weightedSum(dst, dstOffset + n * length + from, Math.min(piece, length - from), dtype, sources[n],
                    offsets, weights[n], count);
        }

        @Override
        public void release() {
            dst = null;
            sources = null;
            sourceOffsets = null;
            weights = null;
            counts = null;
            oneSources[0] = null;
            oneOffsets[0] = null;
            oneWeights[0] = null;
        }
    }

    /** Poolings being split into ranges of {@code share} channels (whole blocks) of each instance. */
    private final class Means implements ChunkedTeam.Chunks {
        private MemorySegment x;
        private Shape shape;
        private Layout layout;
        private DType dtype;
        private int firstInstance;
        private int first;
        private int count;
        private float[][] perInstance;
        private float[] single;
        private int share;
        private int shares;

        void set(MemorySegment x, Shape shape, Layout layout, DType dtype, int firstInstance, int first, int count,
                 float[][] perInstance, float[] single, int share, int shares) {
            this.x = x;
            this.shape = shape;
            this.layout = layout;
            this.dtype = dtype;
            this.firstInstance = firstInstance;
            this.first = first;
            this.count = count;
            this.perInstance = perInstance;
            this.single = single;
            this.share = share;
            this.shares = shares;
        }

        @Override
        public void run(int k, int thread) {
            int n = firstInstance + k / shares;
            int from = (k % shares) * share;
            serial.channelMeans(x, shape, layout, dtype, n, first + from, Math.min(share, count - from),
                    single != null ? single : perInstance[n]);
        }

        @Override
        public void release() {
            x = null;
            perInstance = null;
            single = null;
        }
    }

    /** Channel scalings being split into whole instances. */
    private final class Scaling implements ChunkedTeam.Chunks {
        private MemorySegment x;
        private Shape shape;
        private Layout layout;
        private DType dtype;
        private float[][] scale;

        void set(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
            this.x = x;
            this.shape = shape;
            this.layout = layout;
            this.dtype = dtype;
            this.scale = scale;
        }

        @Override
        public void run(int n, int thread) {
            serial.scaleChannels(x, shape, layout, dtype, n, scale[n]);
        }

        @Override
        public void release() {
            x = null;
            scale = null;
        }
    }

    private static long roundUp(long value, long multiple) {
        return ceilDiv(value, multiple) * multiple;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
