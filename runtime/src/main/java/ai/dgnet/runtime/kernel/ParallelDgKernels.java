package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serial {@link DgKernels} with each large {@link #weightedSum} split into chunks over a {@link Team} of threads,
 * so that the aggregation between two convolutions uses the cores the convolutions use instead of one. The pooling
 * and the router stay on the calling thread: a router is a few thousand multiply-adds, and the pooling, one read of
 * each node's output, takes about a fifth of the sums' time (ResNet-50 at 224, batch 1) and could only be split by
 * channel ranges, which the kernels do not take.
 *
 * <p>Chunks are claimed, not assigned: each thread of the team takes the next unclaimed chunk from a counter until
 * none is left, and there are several chunks per thread. A thread that starts late (its core still busy with
 * something else) then finds the work done by the others instead of holding them up with a fixed share. Chunk
 * boundaries are multiples of {@value #GRAIN} elements: whole vectors of any species and whole cache lines of either
 * storage type, so no two threads write one cache line and every chunk but the last runs without a scalar tail.
 * Splitting changes no result: each element is the serial kernel's sum, whichever thread computes it.
 *
 * <p>Nothing is allocated per call: the call's arguments sit in fields that a thread reads after claiming a chunk,
 * and each thread shifts the source offsets into its own array, grown only when a call has more sources than any
 * before it. One call is split at a time: a call that finds the team busy with another thread's call runs on its
 * own thread, which is also right when several sessions already keep the cores busy.
 */
public final class ParallelDgKernels implements DgKernels {
    /** Chunk boundaries are multiples of this many elements. */
    static final int GRAIN = 64;
    /**
     * Sums shorter than two chunks of this many elements run on the calling thread. Measured on 2 cores right after
     * a convolution, two sources: 64 K floats took 21-24 µs split or not, 128 K floats 44 µs serially and 27-29 µs
     * split, 800 K floats 0.28-0.35 ms serially and 0.12-0.14 ms split.
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

    private final DgKernels serial;
    private final Team team;
    private final long minChunk;
    private final int grain;
    /** What each thread of the team runs: made once, so a call allocates no lambda. */
    private final Runnable participant = this::participate;
    /** Set while one call is split; other callers run theirs serially. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Hands each thread of a call its own index into {@link #shifted}. */
    private final AtomicInteger tickets = new AtomicInteger();
    /** Chunks of the current call not yet claimed; a claimer takes chunk {@code remaining - 1}. */
    private final AtomicInteger remaining = new AtomicInteger();
    /** Per thread of a call: the source offsets shifted to the chunk it runs. */
    private final long[][] shifted;
    private volatile Throwable failure;

    // The call being split: written before remaining is set, so visible to whoever claims one of its chunks.
    private MemorySegment dst;
    private long dstOffset;
    private long length;
    private DType dtype;
    private MemorySegment[] sources;
    private long[] sourceOffsets;
    private float[] weights;
    private int count;
    private long chunk;

    /** Splits {@code serial}'s weighted sums over {@code team}. */
    public ParallelDgKernels(DgKernels serial, Team team) {
        this(serial, team, MIN_CHUNK, GRAIN);
    }

    /** With chunk sizes for tests, which split sums far below the size where that pays. */
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
        this.shifted = new long[team.size()][0];
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] out) {
        serial.channelMeans(x, shape, layout, dtype, n, out);
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        serial.router(pooled, channels, weight, bias, rows, out);
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        // Checked here, on the caller's thread, so that a bad argument throws as from the serial kernels and no
        // other thread ever meets one.
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        long chunk = roundUp(Math.max(minChunk, ceilDiv(length, (long) CHUNKS_PER_THREAD * shifted.length)), grain);
        int chunks = (int) ceilDiv(length, chunk);
        if (chunks < 2 || shifted.length == 1 || !busy.compareAndSet(false, true)) {
            serial.weightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
            return;
        }
        try {
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
            failure = null;
            tickets.set(0);
            remaining.set(chunks);
            team.runOnAll(participant);
            // A team that ran fewer threads than it said leaves chunks: they are this thread's.
            participate();
            this.dst = null;
            this.sources = null;
            Throwable failed = failure;
            if (failed instanceof RuntimeException e) {
                throw e;
            }
            if (failed instanceof Error e) {
                throw e;
            }
        } finally {
            busy.set(false);
        }
    }

    @Override
    public String name() {
        return serial.name() + ", sums split over " + shifted.length + " threads";
    }

    /**
     * One thread's part of a call: chunks until none is left. Never throws; a failure is kept for the caller. A
     * thread takes a ticket (its scratch array) only once it has a chunk, and a thread only returns with none left,
     * so the calling thread's own turn after the team's finds no chunk unless no thread of the team ran.
     */
    private void participate() {
        try {
            int self = -1;
            for (int k = claim(); k >= 0; k = claim()) {
                if (self < 0) {
                    self = tickets.getAndIncrement();
                }
                long from = k * chunk;
                long[] offsets = shifted[self];
                for (int i = 0; i < count; i++) {
                    offsets[i] = sourceOffsets[i] + from;
                }
                serial.weightedSum(dst, dstOffset + from, Math.min(chunk, length - from), dtype, sources, offsets,
                        weights, count);
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

    private static long roundUp(long elements, long multiple) {
        return ceilDiv(elements, multiple) * multiple;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
