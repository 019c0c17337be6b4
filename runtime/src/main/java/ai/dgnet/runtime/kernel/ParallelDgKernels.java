package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serial {@link DgKernels} with each large {@link #weightedSum} and {@link #channelMeans} split into chunks over a
 * {@link Team} of threads, so that the aggregation and the routers' pooling between two convolutions use the cores
 * the convolutions use instead of one. A sum splits into element ranges, a pooling into channel ranges of whole
 * blocks. The router itself stays on the calling thread: it is a few thousand multiply-adds.
 *
 * <p>Chunks are claimed, not assigned: each thread of the team takes the next unclaimed chunk from a counter until
 * none is left, and there are several chunks per thread. A thread that starts late (its core still busy with
 * something else) then finds the work done by the others instead of holding them up with a fixed share. Chunk
 * boundaries of a sum are multiples of {@value #GRAIN} elements: whole vectors of any species and whole cache lines of
 * either storage type, so no two threads write one cache line and every chunk but the last runs without a scalar
 * tail. A pooling chunk is whole channel blocks (planes in {@code NCHW}); {@code NHWC} pooling is not split, as every
 * share would read every cache line. Splitting changes no result: each element and each mean is the serial
 * kernel's, whichever thread computes it.
 *
 * <p>Nothing is allocated per call: the call's arguments sit in fields that a thread reads after claiming a chunk,
 * and each thread shifts the source offsets into its own array, grown only when a call has more sources than any
 * before it. One call is split at a time: a call that finds the team busy with another thread's call runs on its
 * own thread, which is also right when several sessions already keep the cores busy.
 */
public final class ParallelDgKernels implements DgKernels {
    /** Chunk boundaries of a sum are multiples of this many elements. */
    static final int GRAIN = 64;
    /**
     * Calls with less than two chunks of this many elements (read, for a pooling) run on the calling thread.
     * Measured on 2 cores right after a convolution, two-source sums: 64 K floats took 21-24 µs split or not,
     * 128 K floats 44 µs serially and 27-29 µs split, 800 K floats 0.28-0.35 ms serially and 0.12-0.14 ms split.
     */
    static final long MIN_CHUNK = 64 * 1024;
    /** Chunks per thread at most, so that a thread that starts late leaves work the others can take. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** Threads that run a task together. {@link ParallelDgKernels} asks one team from one thread at a time. */
    public interface Team {
        /** The number of threads, the caller of {@link #runOnAll} included. */
        int size();

        /**
         * Runs {@code task} once on each of up to {@link #size()} threads at once, the calling thread among them,
         * and returns when every run has returned.
         */
        void runOnAll(Runnable task);
    }

    /** A call being split: chunk {@code k} of it, run by the thread holding ticket {@code thread}. */
    private interface Work {
        void run(int k, int thread);

        /** Drops the call's references. */
        void release();
    }

    private final DgKernels serial;
    private final Team team;
    private final long minChunk;
    private final int grain;
    /** What each thread of the team runs: made once, so a call allocates no lambda. */
    private final Runnable participant = this::participate;
    /** Set while one call is split; other callers run theirs serially. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Hands each thread of a call its own ticket, an index into {@link Sums#shifted}. */
    private final AtomicInteger tickets = new AtomicInteger();
    /** Chunks of the current call not yet claimed; a claimer takes chunk {@code remaining - 1}. */
    private final AtomicInteger remaining = new AtomicInteger();
    private final Sums sums;
    private final Means means = new Means();
    /** The call being split: written before remaining is set, so visible to whoever claims one of its chunks. */
    private Work work;
    private volatile Throwable failure;

    /** Splits {@code serial}'s weighted sums and poolings over {@code team}. */
    public ParallelDgKernels(DgKernels serial, Team team) {
        this(serial, team, MIN_CHUNK, GRAIN);
    }

    /** With chunk sizes for tests, which split calls far below the size where that pays. */
    ParallelDgKernels(DgKernels serial, Team team, long minChunk, int grain) {
        if (serial instanceof ParallelDgKernels) {
            throw new IllegalArgumentException("the kernels to split must be serial ones, got " + serial.name());
        }
        if (team.size() < 1 || minChunk < 1 || grain < 1) {
            throw new IllegalArgumentException("team size, minChunk and grain must be >= 1, got " + team.size()
                    + ", " + minChunk + " and " + grain);
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
        if (layout == Layout.NHWC || !claimTeam(chunks)) {
            serial.channelMeans(x, shape, layout, dtype, n, first, count, out);
            return;
        }
        try {
            means.set(x, shape, layout, dtype, n, first, count, out, share);
            split(means, chunks);
        } finally {
            release(means);
        }
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        serial.router(pooled, channels, weight, bias, rows, out);
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        long chunk = roundUp(Math.max(minChunk, ceilDiv(length, chunksPerCall())), grain);
        int chunks = (int) ceilDiv(length, chunk);
        if (!claimTeam(chunks)) {
            serial.weightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
            return;
        }
        try {
            sums.set(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count, chunk);
            split(sums, chunks);
        } finally {
            release(sums);
        }
    }

    @Override
    public String name() {
        return serial.name() + ", sums and pooling split over " + team.size() + " threads";
    }

    private long chunksPerCall() {
        return (long) CHUNKS_PER_THREAD * team.size();
    }

    /** Whether a call of {@code chunks} chunks is to be split, and if so the team is now this caller's. */
    private boolean claimTeam(int chunks) {
        return chunks >= 2 && team.size() > 1 && busy.compareAndSet(false, true);
    }

    /** Runs the {@code chunks} chunks of {@code call} on the team and the calling thread, which holds the team. */
    private void split(Work call, int chunks) {
        work = call;
        failure = null;
        tickets.set(0);
        remaining.set(chunks);
        team.runOnAll(participant);
        // A team that ran fewer threads than it said leaves chunks: they are this thread's.
        participate();
        Throwable failed = failure;
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
    }

    /** Ends a split call: drops its arguments, so the caller's arrays and segments are not kept, and frees the team. */
    private void release(Work call) {
        work = null;
        call.release();
        busy.set(false);
    }

    /**
     * One thread's part of a call: chunks until none is left. Never throws; a failure is kept for the caller. A
     * thread takes a ticket only once it has a chunk, and a thread only returns with none left, so the calling
     * thread's own turn after the team's finds no chunk unless no thread of the team ran.
     */
    private void participate() {
        try {
            int self = -1;
            for (int k = claim(); k >= 0; k = claim()) {
                if (self < 0) {
                    self = tickets.getAndIncrement();
                }
                work.run(k, self);
            }
        } catch (Throwable t) {
            failure = t;
            // The call has failed: nobody takes more of it.
            remaining.set(0);
        }
    }

    /** The index of an unclaimed chunk of the current call, now claimed by the caller of this, or -1. */
    private int claim() {
        while (true) {
            int left = remaining.get();
            if (left <= 0) {
                return -1;
            }
            if (remaining.compareAndSet(left, left - 1)) {
                return left - 1;
            }
        }
    }

    /**
     * A weighted sum being split into element ranges. Each thread shifts the source offsets into its own array,
     * grown only when a call has more sources than any before it, so nothing is allocated per call.
     */
    private final class Sums implements Work {
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
    private final class Means implements Work {
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
