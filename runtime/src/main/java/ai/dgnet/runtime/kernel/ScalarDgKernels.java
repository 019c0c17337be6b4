package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernels as plain loops: the fallback where the Vector API is missing or slow, and the oracle the vector
 * implementation is tested against. Sums are kept in double, which costs a scalar loop nothing (its speed is set
 * by the add latency either way) and makes this the accurate twin. A bf16 result is that double sum rounded to f32,
 * then to bf16.
 *
 * <p>The argument checks live here, as package-private statics, so that both implementations reject bad
 * arguments alike, with the same messages.
 */
final class ScalarDgKernels implements DgKernels {

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                             float[] out) {
        checkChannelMeans(x, shape, layout, dtype, n, first, count, out);
        long pixels = (long) shape.dim(2) * shape.dim(3);
        long stride = pixelStride(layout, shape.dim(1));
        for (int c = first; c < first + count; c++) {
            long start = layout.offset(shape, n, c, 0, 0);
            double sum = 0;
            for (long p = 0; p < pixels; p++) {
                sum += get(x, dtype, start + p * stride);
            }
            out[c] = (float) (sum / pixels);
        }
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        checkRouter(pooled, channels, weight, bias, rows, out);
        for (int k = 0; k < rows; k++) {
            double logit = bias[k];
            for (int c = 0; c < channels; c++) {
                logit += (double) weight[k * channels + c] * pooled[c];
            }
            out[k] = sigmoid(logit);
        }
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        for (long e = 0; e < length; e++) {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                sum += (double) weights[i] * get(sources[i], dtype, sourceOffsets[i] + e);
            }
            set(dst, dtype, dstOffset + e, (float) sum);
        }
    }

    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        checkScaleChannels(x, shape, layout, dtype, n, scale);
        scaleChannelsChecked(x, shape, layout, dtype, n, scale);
    }

    /** {@link #scaleChannels} after its argument check. */
    static void scaleChannelsChecked(MemorySegment x, Shape shape, Layout layout, DType dtype, int n,
                                     float[] scale) {
        long pixels = (long) shape.dim(2) * shape.dim(3);
        long stride = pixelStride(layout, shape.dim(1));
        for (int c = 0; c < shape.dim(1); c++) {
            long start = layout.offset(shape, n, c, 0, 0);
            for (long p = 0; p < pixels; p++) {
                long at = start + p * stride;
                set(x, dtype, at, get(x, dtype, at) * scale[c]);
            }
        }
    }

    @Override
    public long firstNonFinite(MemorySegment x, long offset, long length) {
        checkFirstNonFinite(x, offset, length);
        return firstNonFiniteBetween(x, offset, offset + length);
    }

    /** {@link #firstNonFinite} over the f32 elements {@code [from, to)}, after its argument check. */
    static long firstNonFiniteBetween(MemorySegment x, long from, long to) {
        for (long e = from; e < to; e++) {
            if (!Float.isFinite(x.getAtIndex(JAVA_FLOAT, e))) {
                return e;
            }
        }
        return -1;
    }

    @Override
    public String name() {
        return "scalar";
    }

    /** The spec's sigmoid, in double, rounded once to float. */
    static float sigmoid(double x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** Element {@code index} of {@code segment}, which stores {@code dtype} elements, as an f32 (exact for bf16). */
    static float get(MemorySegment segment, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(JAVA_FLOAT, index);
            case BF16 -> BFloat16.toFloat(segment.getAtIndex(JAVA_SHORT, index));
        };
    }

    /** Stores {@code value} as element {@code index} of {@code segment}, rounded to bf16 where it holds bf16. */
    static void set(MemorySegment segment, DType dtype, long index, float value) {
        switch (dtype) {
            case F32 -> segment.setAtIndex(JAVA_FLOAT, index, value);
            case BF16 -> segment.setAtIndex(JAVA_SHORT, index, BFloat16.fromFloat(value));
        }
    }

    /**
     * Elements between horizontally adjacent pixels of one channel. In all four image layouts that is also the
     * step from the end of one row to the start of the next, so a channel's pixels are one evenly spaced run.
     */
    static int pixelStride(Layout layout, int channels) {
        return switch (layout) {
            case NCHW -> 1;
            case NHWC -> channels;
            case NCHW8C, NCHW16C -> layout.channelBlock();
            case NC -> throw new IllegalArgumentException("NC tensors have no pixels");
        };
    }

    static void checkChannelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first,
                                  int count, float[] out) {
        Objects.requireNonNull(out, "out");
        checkImage(x, shape, layout, dtype, n, "channel means");
        int channels = shape.dim(1);
        if (first < 0 || count < 0 || first > channels - count) {
            throw new IllegalArgumentException("channels [" + first + ", " + ((long) first + count)
                    + ") asked for, the tensor has " + channels);
        }
        if (first % layout.channelBlock() != 0) {
            throw new IllegalArgumentException("in " + layout + " the first channel must start a block of "
                    + layout.channelBlock() + ", got " + first);
        }
        if (out.length < first + count) {
            throw new IllegalArgumentException("out has room for " + out.length + " channel means, need "
                    + (first + count));
        }
    }

    /** Checks a pooling of every instance of {@code shape} into {@code out[n]}. */
    static void checkChannelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] out) {
        int batch = Objects.requireNonNull(shape, "shape").dim(0);
        checkPerInstance(out, batch, "out");
        for (int n = 0; n < batch; n++) {
            checkChannelMeans(x, shape, layout, dtype, n, 0, shape.dim(1), out[n]);
        }
    }

    /** Checks a scaling of every instance of {@code shape} by {@code scale[n]}. */
    static void checkScaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
        int batch = Objects.requireNonNull(shape, "shape").dim(0);
        checkPerInstance(scale, batch, "scale");
        for (int n = 0; n < batch; n++) {
            checkScaleChannels(x, shape, layout, dtype, n, scale[n]);
        }
    }

    /** Checks weighted sums of {@code instances} instances of {@code length} elements, one after another in dst. */
    static void checkWeightedSums(MemorySegment dst, long length, DType dtype, int instances,
                                  MemorySegment[][] sources, long[][] sourceOffsets, float[][] weights,
                                  int[] counts) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must not be negative, got " + instances);
        }
        checkPerInstance(sources, instances, "sources");
        checkPerInstance(sourceOffsets, instances, "sourceOffsets");
        checkPerInstance(weights, instances, "weights");
        Objects.requireNonNull(counts, "counts");
        if (counts.length < instances) {
            throw new IllegalArgumentException("counts holds " + counts.length + " entries, need one per instance: "
                    + instances);
        }
        for (int n = 0; n < instances; n++) {
            checkWeightedSum(dst, n * length, length, dtype, sources[n], sourceOffsets[n], weights[n], counts[n]);
        }
    }

    /** Throws unless {@code perInstance} has an entry for each of {@code instances} instances. */
    private static void checkPerInstance(Object[] perInstance, int instances, String what) {
        Objects.requireNonNull(perInstance, what);
        if (perInstance.length < instances) {
            throw new IllegalArgumentException(what + " holds " + perInstance.length
                    + " entries, need one per instance: " + instances);
        }
    }

    static void checkScaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        Objects.requireNonNull(scale, "scale");
        checkImage(x, shape, layout, dtype, n, "scaled channels");
        if (scale.length < shape.dim(1)) {
            throw new IllegalArgumentException("scale holds " + scale.length + " factors, need " + shape.dim(1));
        }
    }

    /** Checks that {@code x} holds a whole {@code shape} image tensor of which {@code n} is an instance. */
    private static void checkImage(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, String what) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(dtype, "dtype");
        if (layout.rank() != 4) {
            throw new IllegalArgumentException(what + " need an image layout (NCHW, NHWC, NCHW8C, NCHW16C), got "
                    + layout);
        }
        layout.requireRank(shape);
        if (n < 0 || n >= shape.dim(0)) {
            throw new IllegalArgumentException("instance " + n + " is outside the batch of " + shape.dim(0));
        }
        long bytes = layout.storageElements(shape) * dtype.byteSize();
        if (x.byteSize() < bytes) {
            throw new IllegalArgumentException((dtype == DType.F32 ? "an " : "a ") + dtype.label() + " " + shape + " "
                    + layout + " tensor takes " + bytes + " bytes, x has " + x.byteSize());
        }
    }

    static void checkRouter(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        Objects.requireNonNull(pooled, "pooled");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(out, "out");
        if (channels < 0 || rows < 0) {
            throw new IllegalArgumentException("channels and rows must not be negative, got " + channels + " and "
                    + rows);
        }
        if (pooled.length < channels) {
            throw new IllegalArgumentException("pooled holds " + pooled.length + " values, need " + channels);
        }
        if (weight.length != (long) rows * channels) {
            throw new IllegalArgumentException("weight holds " + weight.length + " values, expected [" + rows + ", "
                    + channels + "] = " + (long) rows * channels);
        }
        if (bias.length != rows) {
            throw new IllegalArgumentException("bias holds " + bias.length + " values, expected " + rows);
        }
        if (out.length < rows) {
            throw new IllegalArgumentException("out has room for " + out.length + " values, need " + rows);
        }
    }

    static void checkWeightedSum(MemorySegment dst, long dstOffset, long length, DType dtype,
                                 MemorySegment[] sources, long[] sourceOffsets, float[] weights, int count) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(sourceOffsets, "sourceOffsets");
        Objects.requireNonNull(weights, "weights");
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        if (sources.length < count || sourceOffsets.length < count || weights.length < count) {
            throw new IllegalArgumentException("count is " + count + ", but there are " + sources.length
                    + " sources, " + sourceOffsets.length + " offsets and " + weights.length + " weights");
        }
        checkRange(dst, dstOffset, length, dtype, "dst", -1);
        for (int i = 0; i < count; i++) {
            checkRange(sources[i], sourceOffsets[i], length, dtype, "sources", i);
        }
    }

    static void checkFirstNonFinite(MemorySegment x, long offset, long length) {
        Objects.requireNonNull(x, "x");
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        checkRange(x, offset, length, DType.F32, "x", -1);
    }

    /** Throws unless {@code dtype} elements {@code [offset, offset + length)} lie in {@code segment}. */
    private static void checkRange(MemorySegment segment, long offset, long length, DType dtype, String what,
                                   int index) {
        if (segment == null) {
            throw new NullPointerException(name(what, index) + " is null");
        }
        long elements = segment.byteSize() / dtype.byteSize();
        if (offset < 0 || offset > elements - length) {
            throw new IllegalArgumentException(name(what, index) + " holds " + elements
                    + (dtype == DType.F32 ? " floats" : " bf16 values") + ", elements [" + offset + ", "
                    + (offset + length) + ") were asked for");
        }
    }

    private static String name(String what, int index) {
        return index < 0 ? what : what + "[" + index + "]";
    }
}
