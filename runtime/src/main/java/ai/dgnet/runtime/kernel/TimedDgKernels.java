package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link DgKernels} that add the wall time of every call to one of two counters: routing ({@link #channelMeans} and
 * {@link #router}, for the DG routers and for squeeze-and-excitation's pooling, which takes a device's kernels too)
 * and aggregation ({@link #weightedSum}, {@link #weightedSums}). Beside the time inside oneDNN's primitives they
 * split a run into its convolutions, its DG work and the rest, which is how {@code dgnet bench} reports it. Two clock
 * reads per call: about fifty calls per DG-ResNet-50 run, poolings and sums being one call for the whole batch.
 */
public final class TimedDgKernels implements DgKernels {
    private final DgKernels kernels;
    private final LongAdder routing = new LongAdder();
    private final LongAdder aggregation = new LongAdder();

    public TimedDgKernels(DgKernels kernels) {
        if (kernels instanceof TimedDgKernels) {
            throw new IllegalArgumentException("the kernels are timed already: " + kernels.name());
        }
        this.kernels = kernels;
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                             float[] out) {
        long start = System.nanoTime();
        try {
            kernels.channelMeans(x, shape, layout, dtype, n, first, count, out);
        } finally {
            routing.add(System.nanoTime() - start);
        }
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] out) {
        long start = System.nanoTime();
        try {
            kernels.channelMeans(x, shape, layout, dtype, out);
        } finally {
            routing.add(System.nanoTime() - start);
        }
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        long start = System.nanoTime();
        try {
            kernels.router(pooled, channels, weight, bias, rows, out);
        } finally {
            routing.add(System.nanoTime() - start);
        }
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        long start = System.nanoTime();
        try {
            kernels.weightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        } finally {
            aggregation.add(System.nanoTime() - start);
        }
    }

    @Override
    public void weightedSums(MemorySegment dst, long length, DType dtype, int instances, MemorySegment[][] sources,
                             long[][] sourceOffsets, float[][] weights, int[] counts) {
        long start = System.nanoTime();
        try {
            kernels.weightedSums(dst, length, dtype, instances, sources, sourceOffsets, weights, counts);
        } finally {
            aggregation.add(System.nanoTime() - start);
        }
    }

    /** Not timed: channel scaling is neither routing nor aggregation. */
    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        kernels.scaleChannels(x, shape, layout, dtype, n, scale);
    }

    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
        kernels.scaleChannels(x, shape, layout, dtype, scale);
    }

    /** Not timed: an input's check is neither routing nor aggregation. */
    @Override
    public long firstNonFinite(MemorySegment x, long offset, long length) {
        return kernels.firstNonFinite(x, offset, length);
    }

    @Override
    public String name() {
        return kernels.name();
    }

    /** Wall time spent in {@link #channelMeans} and {@link #router} so far, over all threads. */
    public long routingNanos() {
        return routing.sum();
    }

    /** Wall time spent in {@link #weightedSum} so far, over all threads. */
    public long aggregationNanos() {
        return aggregation.sum();
    }
}
