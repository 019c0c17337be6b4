package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The loops of a DG stage that oneDNN has no primitive for (spec section 2): the router of node {@code i},
 * {@code r_i = sigmoid(W_i · GAP(x_i) + b_i)}, split into its pooling and its small fully connected layer, and
 * the aggregation {@code a_j = sum_i A[i][j] * x_i} over one instance's kept edges.
 *
 * <p>Get an implementation from {@link DgKernelsProvider#get()}, or a device's from
 * {@link ai.dgnet.runtime.Device#dgKernels()} (on the CPU device: {@link TimedDgKernels}, around
 * {@link ParallelDgKernels} where it has several threads).
 * One instance serves every thread. They write only into what the caller passes, so a stage plans its buffers once
 * and runs without allocating. Every method checks its arguments first and throws {@link IllegalArgumentException}
 * (or {@link NullPointerException} for a missing array or segment) saying what it expected and what came;
 * scratch arrays ({@code out}, {@code pooled}) may be longer than needed, parameters ({@code weight},
 * {@code bias}) must have exactly their size.
 *
 * <p>Tensors may be stored as {@link DType#F32} or {@link DType#BF16} (the bf16 precision mode, where oneDNN's
 * convolutions run on bf16 activations). Either way the kernels compute in f32: bf16 values widen to f32 exactly,
 * and a bf16 result is its f32 value rounded to nearest even as {@link ai.dgnet.runtime.BFloat16#fromFloat} does.
 * The methods without a {@code DType} are the f32 ones.
 */
public interface DgKernels {

    /**
     * Writes the mean over height and width of each channel of instance {@code n} ({@code GAP(x_i)} of the spec)
     * into {@code out[0 .. C)}, reading the tensor in its own layout and element type. The sums are kept in f32
     * (or better) whatever the storage, so a bf16 tensor's means are as accurate as an f32 tensor's of the same
     * values.
     *
     * @param x      the whole tensor's memory, as {@code Tensor.segment()} gives it; padding channels of blocked
     *               layouts are never used
     * @param shape  the logical {@code [N, C, H, W]}
     * @param layout {@code NCHW}, {@code NHWC}, {@code NCHW8C} or {@code NCHW16C}
     * @param dtype  how {@code x} stores its elements: {@code F32} or {@code BF16}
     * @param n      the instance, {@code 0 <= n < N}
     * @param out    at least {@code C} floats
     */
    default void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] out) {
        channelMeans(x, shape, layout, dtype, n, 0, Objects.requireNonNull(shape, "shape").dim(1), out);
    }

    /**
     * {@link #channelMeans(MemorySegment, Shape, Layout, DType, int, float[])} for channels
     * {@code [first, first + count)} only, written to {@code out[first .. first + count)}: one thread's share when
     * an instance's pooling is split over threads. In the blocked layouts {@code first} must be a multiple of the
     * channel block, so that no two shares read one block.
     *
     * @param out at least {@code first + count} floats; the other entries are left as they are
     */
    void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                      float[] out);

    /**
     * {@link #channelMeans(MemorySegment, Shape, Layout, DType, int, float[])} for every instance of the batch:
     * instance {@code n}'s means into {@code out[n]}. A device with several threads splits the batch over them,
     * which one instance's pooling alone (a few tens of kilobytes in a network's late stages) does not pay for.
     *
     * @param out at least {@code N} arrays of at least {@code C} floats
     */
    default void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] out) {
        ScalarDgKernels.checkChannelMeans(x, shape, layout, dtype, out);
        for (int n = 0; n < shape.dim(0); n++) {
            channelMeans(x, shape, layout, dtype, n, out[n]);
        }
    }

    /**
     * Writes {@code out[k] = sigmoid(bias[k] + sum_c weight[k * channels + c] * pooled[c])} for
     * {@code k < rows}, the sigmoid taken in double as {@code 1 / (1 + exp(-x))}.
     *
     * @param pooled   at least {@code channels} floats: the channel means of the node's output
     * @param weight   exactly {@code rows * channels} floats, row-major {@code [rows, channels]}
     * @param bias     exactly {@code rows} floats
     * @param out      at least {@code rows} floats
     */
    void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out);

    /**
     * Writes {@code dst[dstOffset + e] = sum_{i < count} weights[i] * sources[i][sourceOffsets[i] + e]} for
     * {@code e < length}: {@code dst} and the sources hold {@code dtype} elements, and offsets and length count
     * elements, not bytes. The sum is computed in f32 (or better) and written as {@code dtype}; a bf16 result is
     * the f32 sum rounded as {@link ai.dgnet.runtime.BFloat16#fromFloat} rounds it (nearest even; NaN stays a
     * NaN). With {@code count == 0} it writes zeros (bf16 zero is {@code 0x0000}) and reads no source. Entries of
     * the arrays from {@code count} on are ignored, so callers can reuse arrays sized for the most edges.
     * {@code dst} must not overlap the sources.
     */
    void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                     long[] sourceOffsets, float[] weights, int count);

    /**
     * {@link #weightedSum} for {@code instances} instances of {@code length} elements each, one after another in
     * {@code dst}: instance {@code n} writes {@code dst[n * length + e]} from its own {@code counts[n]} sources,
     * offsets and weights ({@code sources[n]}, {@code sourceOffsets[n]}, {@code weights[n]}). A device with several
     * threads splits the whole call over them.
     */
    default void weightedSums(MemorySegment dst, long length, DType dtype, int instances, MemorySegment[][] sources,
                              long[][] sourceOffsets, float[][] weights, int[] counts) {
        ScalarDgKernels.checkWeightedSums(dst, length, dtype, instances, sources, sourceOffsets, weights, counts);
        for (int n = 0; n < instances; n++) {
            weightedSum(dst, n * length, length, dtype, sources[n], sourceOffsets[n], weights[n], counts[n]);
        }
    }

    /**
     * Multiplies every pixel of channel {@code c} of instance {@code n} by {@code scale[c]}, in place, for every
     * channel: squeeze-and-excitation's last step, beside its pooling ({@link #channelMeans}) and its second layer
     * ({@link #router}). Each product is one f32 multiply, stored as {@code dtype} (a bf16 product rounded as
     * {@link ai.dgnet.runtime.BFloat16#fromFloat} rounds it). Padding channels of blocked layouts are left as they
     * are.
     *
     * @param scale at least {@code C} floats
     */
    void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale);

    /**
     * {@link #scaleChannels(MemorySegment, Shape, Layout, DType, int, float[])} for every instance of the batch,
     * instance {@code n} by {@code scale[n]}; a device with several threads splits the batch over them.
     *
     * @param scale at least {@code N} arrays of at least {@code C} floats
     */
    default void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
        ScalarDgKernels.checkScaleChannels(x, shape, layout, dtype, scale);
        for (int n = 0; n < shape.dim(0); n++) {
            scaleChannels(x, shape, layout, dtype, n, scale[n]);
        }
    }

    /**
     * The index in {@code x} of the first f32 element of {@code x[offset .. offset + length)} that is a NaN or an
     * infinity, or -1 where every one is finite: a session's check of its input, where such a value would not come out
     * as NaN logits but as ordinary-looking ones (the routers keep no edge whose score is NaN, so its instance gets a
     * cut-off path's constant answer). Reads only that range, on the calling thread.
     */
    long firstNonFinite(MemorySegment x, long offset, long length);

    /** A short name for logs and benchmark labels, such as {@code "scalar"} or {@code "vector 512-bit"}. */
    String name();
}
