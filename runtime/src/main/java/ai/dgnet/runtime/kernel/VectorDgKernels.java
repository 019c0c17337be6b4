package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import com.sun.management.HotSpotDiagnosticMXBean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * The kernels on the Vector API ({@code jdk.incubator.vector}). Outside the tests only {@link DgKernelsProvider}
 * names this class, and only by reflection after finding the module, so a JVM without
 * {@code --add-modules=jdk.incubator.vector} never loads it.
 *
 * <p>One species, the platform's preferred one, for every loop: on AVX-512 a vector is 16 floats, exactly one
 * {@code nChw16c} block of one pixel. Run the tests with {@code -XX:MaxVectorSize=16} or {@code 32} to get the
 * 128- and 256-bit species on the same machine.
 *
 * <p>Accuracy of the channel means, which the tests hold against double: where a vector holds channels
 * ({@code NHWC} and the blocked layouts), each lane sums one image row into a fresh f32 accumulator and the row
 * sums into a second one, so no f32 accumulator takes more than {@code max(H, W)} terms (112 at 112 x 112),
 * instead of {@code H * W}. Where a vector holds pixels ({@code NCHW}), four accumulators over the plane give each
 * lane at most {@code H * W / (4 * lanes)} terms (196 at 112 x 112 with 16 lanes, 784 with 4).
 *
 * <p>bf16 storage: a load reads {@code LANES} bf16 values (a short vector of half the float vector's bits), widens
 * them to ints and shifts them into the upper half, which makes them the exact f32 values; the ints become float
 * lanes through a per-thread scratch ({@link #SCRATCH}), where the weighted sum widens a tile at a time and runs the
 * f32 loop on it, and the means a vector at a time. A store rounds the f32 lanes to bf16 on their bits and narrows
 * them to shorts. Everything between computes in f32 as for f32 storage,
 * so the accuracy above holds for bf16 tensors too. A bf16 result of {@link #weightedSum} is bit for bit
 * {@code BFloat16.fromFloat} of its f32 sum, and the scalar tail computes that sum with the same (fused or not)
 * multiply-adds as the vector lanes, so an element's result does not depend on whether a vector or the tail wrote
 * it.
 *
 * <p>Why each loop exists once per storage type, with loads, stores and FMAs written out rather than in helpers:
 * a vector that crosses a call C2 did not inline is boxed, an allocation per call. The JDK's vector methods are
 * {@code @ForceInline} and inline late when a compilation runs out of inlining budget; ours cannot be. A helper
 * that returned a vector was inlined when the kernel compiled on its own, yet once a caller inlined the kernel
 * (as a stage's loop does with {@code channelMeans}, {@code router} and {@code weightedSum} side by side) the
 * budget ran out and the helper stayed a call: the tests saw 6 to 12 KB per round of calls, in about one run in
 * ten. So no method here passes a vector to another of ours or returns one; where C2 stops inlining, only
 * segments and numbers cross. Splitting by type also keeps each compiled loop to one kind of load.
 *
 * <p>A vector's lanes are summed one by one in lane order, not by {@code reduceLanes(ADD)}: that leaves the order to
 * the implementation, and the interpreter's differs from C2's, so a session's results moved in the sixth digit once
 * the kernels were compiled.
 */
final class VectorDgKernels implements DgKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The bit patterns of {@link #SPECIES}'s floats: same shape, same lanes. */
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    /**
     * {@code LANES} bf16 values: half the bit size of {@link #SPECIES} ({@code ShortVector.SPECIES_256} under
     * 512-bit floats). There is no 32-bit shape, so 64-bit float vectors have none; the provider only uses those
     * when forced, and then this class fails to load and the provider falls back to the scalar kernels.
     */
    private static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class,
            VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));
    /** Tensors are written through {@code JAVA_FLOAT} and {@code JAVA_SHORT}, which are native order. */
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /**
     * Whether {@code fma} is one instruction. Without hardware FMA the Vector API computes it lane by lane with
     * {@link Math#fma}, which is BigDecimal arithmetic: far slower than the multiply and add used instead.
     */
    private static final boolean FAST_FMA = hotSpotFlag("UseFMA");
    /** Elements per tile of an f32 weighted sum: 4 KB of the destination, a whole number of vectors of any species. */
    private static final int SUM_TILE = 1024;
    /**
     * Per thread, two tiles of f32 in native memory, where bf16 values are widened to f32 for the f32 loops and where a
     * bf16 weighted sum adds up before it is rounded. The values cross from int to float lanes and back by a store of
     * one type and a load of the other rather than by {@code reinterpretAsFloats} and
     * {@code reinterpretAsInts}: until C2 compiles those, their fallback goes through a {@code byte[]} segment, which
     * leaves the Vector API's segment accesses, shared by every kernel here and in {@link WinogradTransforms}, having
     * seen heap segments as well as native ones. With both in their profile, C2 compiled some f32 kernels worse in a JVM
     * that had run bf16 kernels first: the f32 weighted sum 1.3 to 1.6 times slower, and the Winograd input transform
     * boxing a vector per tile (80 bytes per output pixel). The scratch keeps native segments alone in the profile.
     */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(2L * SUM_TILE * Float.BYTES, SPECIES.vectorByteSize()));

    /** The exponent bits of a float. */
    private static final int EXPONENT = 0x7F80_0000;

    /** Per thread, a row's channel sums for {@link #pixelMajorMeans}, grown to the most channels asked of it. */
    private static final ThreadLocal<float[]> ROW_SUMS = ThreadLocal.withInitial(() -> new float[0]);

    /** The preferred species' size; the provider turns this implementation down under 128 bits. */
    static int bitSize() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                             float[] out) {
        ScalarDgKernels.checkChannelMeans(x, shape, layout, dtype, n, first, count, out);
        int channels = shape.dim(1);
        int height = shape.dim(2);
        int width = shape.dim(3);
        int end = first + count;
        switch (layout) {
            case NCHW -> {
                long pixels = (long) height * width;
                for (int c = first; c < end; c++) {
                    out[c] = planeSum(x, dtype, layout.offset(shape, n, c, 0, 0), pixels) / pixels;
                }
            }
            case NHWC -> {
                long start = layout.offset(shape, n, first, 0, 0);
                int vectors = SPECIES.loopBound(count);
                pixelMajorMeans(x, dtype, start, channels, vectors, height, width, out, first);
                for (int c = vectors; c < count; c++) {
                    out[first + c] = stridedMean(x, dtype, start + c, channels, (long) height * width);
                }
            }
            case NCHW8C, NCHW16C -> {
                int block = layout.channelBlock();
                for (int b = first; b < end; b += block) {
                    blockMeans(x, dtype, layout.offset(shape, n, b, 0, 0), block, Math.min(block, end - b), height,
                            width, out, b);
                }
            }
            case NC -> throw new AssertionError("rejected by the argument check");
        }
        // An f32 accumulator overflows where the scalar kernel's double sum does not (values near the largest
        // float): an infinite mean where the exact one is finite, or a NaN where infinities of both signs meet. Such
        // a channel is summed again in double, so that its router scores as with the scalar kernel's mean.
        long pixels = (long) height * width;
        int stride = ScalarDgKernels.pixelStride(layout, channels);
        for (int c = first; c < end; c++) {
            if (!Float.isFinite(out[c])) {
                out[c] = stridedMean(x, dtype, layout.offset(shape, n, c, 0, 0), stride, pixels);
            }
        }
    }

    /** The sum of {@code count} contiguous elements from element {@code start}. */
    private static float planeSum(MemorySegment x, DType dtype, long start, long count) {
        long vectors = SPECIES.loopBound(count);
        float sum = switch (dtype) {
            case F32 -> planeSumF32(x, start, vectors);
            case BF16 -> planeSumBf16(x, start, vectors);
        };
        for (long i = vectors; i < count; i++) {
            sum += ScalarDgKernels.get(x, dtype, start + i);
        }
        return sum;
    }

    /** The sum of {@code count} contiguous floats from element {@code start}; {@code count} is whole vectors. */
    private static float planeSumF32(MemorySegment x, long start, long count) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        long step = (long) LANES * Float.BYTES;
        long at = start * Float.BYTES;
        long end = (start + count) * Float.BYTES;
        // Four independent chains keep the adder busy (one chain waits out the add latency every step) and
        // split the plane four ways for accuracy.
        for (long bound = end - (count % (4L * LANES)) * Float.BYTES; at < bound; at += 4 * step) {
            acc0 = acc0.add(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER));
            acc1 = acc1.add(FloatVector.fromMemorySegment(SPECIES, x, at + step, ORDER));
            acc2 = acc2.add(FloatVector.fromMemorySegment(SPECIES, x, at + 2 * step, ORDER));
            acc3 = acc3.add(FloatVector.fromMemorySegment(SPECIES, x, at + 3 * step, ORDER));
        }
        for (; at < end; at += step) {
            acc0 = acc0.add(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER));
        }
        FloatVector sum = acc0.add(acc1).add(acc2.add(acc3));
        float total = 0;
        for (int i = 0; i < LANES; i++) {
            total += sum.lane(i);
        }
        return total;
    }

    /**
     * {@link #planeSumF32} over bf16 values. Each vector's ints become floats through a slot of the scratch, a slot per
     * accumulator so that the four loads wait on no common store. The four widenings are written out: calling
     * {@link #widenBf16} for them made this loop 2.4 times slower, and widening a tile first and summing it as f32, as
     * the weighted sum does, about twice as slow (also in the blocked means).
     */
    private static float planeSumBf16(MemorySegment x, long start, long count) {
        MemorySegment scratch = SCRATCH.get();
        long slot = SPECIES.vectorByteSize();
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        long step = (long) LANES * Short.BYTES;
        long at = start * Short.BYTES;
        long end = (start + count) * Short.BYTES;
        for (long bound = end - (count % (4L * LANES)) * Short.BYTES; at < bound; at += 4 * step) {
            ShortVector.fromMemorySegment(HALVES, x, at, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 0, ORDER);
            ShortVector.fromMemorySegment(HALVES, x, at + step, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, slot, ORDER);
            ShortVector.fromMemorySegment(HALVES, x, at + 2 * step, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 2 * slot, ORDER);
            ShortVector.fromMemorySegment(HALVES, x, at + 3 * step, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 3 * slot, ORDER);
            acc0 = acc0.add(FloatVector.fromMemorySegment(SPECIES, scratch, 0, ORDER));
            acc1 = acc1.add(FloatVector.fromMemorySegment(SPECIES, scratch, slot, ORDER));
            acc2 = acc2.add(FloatVector.fromMemorySegment(SPECIES, scratch, 2 * slot, ORDER));
            acc3 = acc3.add(FloatVector.fromMemorySegment(SPECIES, scratch, 3 * slot, ORDER));
        }
        for (; at < end; at += step) {
            ShortVector.fromMemorySegment(HALVES, x, at, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 0, ORDER);
            acc0 = acc0.add(FloatVector.fromMemorySegment(SPECIES, scratch, 0, ORDER));
        }
        FloatVector sum = acc0.add(acc1).add(acc2.add(acc3));
        float total = 0;
        for (int i = 0; i < LANES; i++) {
            total += sum.lane(i);
        }
        return total;
    }

    /**
     * Means of the channels of one block of a blocked layout, whose pixels store {@code block} consecutive channels
     * each, from element {@code start}: only the first {@code real} are written, to {@code out[first ..]}, the rest (a
     * block's padding) dropped.
     */
    private static void blockMeans(MemorySegment x, DType dtype, long start, int block, int real, int height,
                                   int width, float[] out, int first) {
        int c = 0;
        for (; c < real && c + LANES <= block; c += LANES) {
            switch (dtype) {
                case F32 -> interleavedMeansF32(x, start + c, block, height, width, out, first + c, real - c);
                case BF16 -> interleavedMeansBf16(x, start + c, block, height, width, out, first + c, real - c);
            }
        }
        // Channels left over when a vector does not fit the block: 8-channel blocks under 16 lanes. The CPU device
        // picks nChw8c only without AVX-512, where vectors hold 8 floats and fit the block exactly, so that is rare.
        for (; c < real; c++) {
            out[first + c] = stridedMean(x, dtype, start + c, block, (long) height * width);
        }
    }

    /** The mean of {@code pixels} elements {@code stride} apart from element {@code start}, summed in double. */
    private static float stridedMean(MemorySegment x, DType dtype, long start, int stride, long pixels) {
        double sum = 0;
        long pixel = start;
        for (long p = 0; p < pixels; p++, pixel += stride) {
            sum += ScalarDgKernels.get(x, dtype, pixel);
        }
        return (float) (sum / pixels);
    }

    /**
     * The means of the first {@code count} channels (whole vectors) of an {@code NHWC} image whose pixels store
     * {@code stored} channels each, from element {@code start}, written to {@code out[first ..]}: pixel by pixel,
     * each pixel's channels added to a row's sums, and each row's sums to the totals in {@code out}, so that the image
     * is read once, in order. The sums are those of {@link #interleavedMeansF32}, in the same order. Taken a vector of
     * channels at a time down the whole image, as the blocked layouts are, every cache line of the image was fetched
     * once per vector it holds: 2.5 to 4 times slower in f32 (JMH, 256 x 56 x 56 and 2048 x 7 x 7).
     */
    private static void pixelMajorMeans(MemorySegment x, DType dtype, long start, int stored, int count, int height,
                                        int width, float[] out, int first) {
        float[] row = ROW_SUMS.get();
        if (row.length < count) {
            row = new float[count];
            ROW_SUMS.set(row);
        }
        Arrays.fill(out, first, first + count, 0f);
        long pixel = start;
        for (int h = 0; h < height; h++) {
            Arrays.fill(row, 0, count, 0f);
            for (int w = 0; w < width; w++, pixel += stored) {
                switch (dtype) {
                    case F32 -> addPixelF32(x, pixel, row, count);
                    case BF16 -> addPixelBf16(x, pixel, row, count);
                }
            }
            for (int c = 0; c < count; c += LANES) {
                FloatVector.fromArray(SPECIES, out, first + c).add(FloatVector.fromArray(SPECIES, row, c))
                        .intoArray(out, first + c);
            }
        }
        float pixels = (float) ((long) height * width);
        for (int c = 0; c < count; c += LANES) {
            FloatVector.fromArray(SPECIES, out, first + c).div(pixels).intoArray(out, first + c);
        }
    }

    /** Adds {@code count} f32 channels (whole vectors) from element {@code pixel} to {@code sums}. */
    private static void addPixelF32(MemorySegment x, long pixel, float[] sums, int count) {
        long at = pixel * Float.BYTES;
        for (int c = 0; c < count; c += LANES) {
            FloatVector.fromArray(SPECIES, sums, c)
                    .add(FloatVector.fromMemorySegment(SPECIES, x, at + (long) c * Float.BYTES, ORDER))
                    .intoArray(sums, c);
        }
    }

    /** {@link #addPixelF32} over bf16 values, each vector widened through the scratch. */
    private static void addPixelBf16(MemorySegment x, long pixel, float[] sums, int count) {
        MemorySegment scratch = SCRATCH.get();
        long at = pixel * Short.BYTES;
        for (int c = 0; c < count; c += LANES) {
            ShortVector.fromMemorySegment(HALVES, x, at + (long) c * Short.BYTES, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 0, ORDER);
            FloatVector.fromArray(SPECIES, sums, c).add(FloatVector.fromMemorySegment(SPECIES, scratch, 0, ORDER))
                    .intoArray(sums, c);
        }
    }

    /**
     * The means of the {@code LANES} channels whose first pixel is f32 element {@code start}, written to
     * {@code out[at ..]}, at most {@code limit} of them.
     */
    private static void interleavedMeansF32(MemorySegment x, long start, int stored, int height, int width,
                                            float[] out, int at, int limit) {
        FloatVector total = FloatVector.zero(SPECIES);
        long pixel = start * Float.BYTES;
        long step = (long) stored * Float.BYTES;
        for (int h = 0; h < height; h++) {
            FloatVector row = FloatVector.zero(SPECIES);
            for (int w = 0; w < width; w++, pixel += step) {
                row = row.add(FloatVector.fromMemorySegment(SPECIES, x, pixel, ORDER));
            }
            total = total.add(row);
        }
        total.div((float) ((long) height * width)).intoArray(out, at, SPECIES.indexInRange(0, limit));
    }

    /** {@link #interleavedMeansF32} over bf16 values, each vector's ints made floats through the scratch. */
    private static void interleavedMeansBf16(MemorySegment x, long start, int stored, int height, int width,
                                             float[] out, int at, int limit) {
        MemorySegment scratch = SCRATCH.get();
        FloatVector total = FloatVector.zero(SPECIES);
        long pixel = start * Short.BYTES;
        long step = (long) stored * Short.BYTES;
        for (int h = 0; h < height; h++) {
            FloatVector row = FloatVector.zero(SPECIES);
            for (int w = 0; w < width; w++, pixel += step) {
                ShortVector.fromMemorySegment(HALVES, x, pixel, ORDER)
                        .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, 0, ORDER);
                row = row.add(FloatVector.fromMemorySegment(SPECIES, scratch, 0, ORDER));
            }
            total = total.add(row);
        }
        total.div((float) ((long) height * width)).intoArray(out, at, SPECIES.indexInRange(0, limit));
    }

    /**
     * Widens {@code vectors} vectors of bf16 values to f32 into the start of {@code scratch}, one after another:
     * vector {@code k} from byte {@code at + k * step} of {@code x}. Stored as the ints that are the floats' bits, and
     * loaded later as floats.
     */
    private static void widenBf16(MemorySegment x, long at, long step, long vectors, MemorySegment scratch) {
        long slot = SPECIES.vectorByteSize();
        for (long k = 0; k < vectors; k++) {
            ShortVector.fromMemorySegment(HALVES, x, at + k * step, ORDER)
                    .convertShape(S2I, INTS, 0).lanewise(LSHL, 16).intoMemorySegment(scratch, k * slot, ORDER);
        }
    }

    @Override
    public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
        ScalarDgKernels.checkRouter(pooled, channels, weight, bias, rows, out);
        // A router is at most a few ten thousand multiply-adds per node and instance, next to convolutions of
        // millions: one accumulator per row keeps the loop plain.
        int bound = SPECIES.loopBound(channels);
        for (int k = 0; k < rows; k++) {
            int row = k * channels;
            FloatVector acc = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < bound; c += LANES) {
                FloatVector w = FloatVector.fromArray(SPECIES, weight, row + c);
                FloatVector p = FloatVector.fromArray(SPECIES, pooled, c);
                acc = FAST_FMA ? w.fma(p, acc) : w.mul(p).add(acc);
            }
            float sum = 0;
            for (int i = 0; i < LANES; i++) {
                sum += acc.lane(i);
            }
            double logit = (double) bias[k] + sum;
            for (; c < channels; c++) {
                logit += (double) weight[row + c] * pooled[c];
            }
            if (!Double.isFinite(logit)) {
                // The f32 lanes overflowed, or met an infinity or a NaN: the row again in double, as the scalar
                // kernel sums it, so that a large finite logit is not taken for an infinite one (or a NaN, which
                // drops the edge) and both kernels keep the same edges.
                logit = bias[k];
                for (c = 0; c < channels; c++) {
                    logit += (double) weight[row + c] * pooled[c];
                }
            }
            out[k] = ScalarDgKernels.sigmoid(logit);
        }
    }

    @Override
    public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
        ScalarDgKernels.checkScaleChannels(x, shape, layout, dtype, n, scale);
        // 8-channel blocks under wider vectors are rare (see blockMeans): they take the plain loop.
        if (layout.isBlocked() && layout.channelBlock() != LANES) {
            ScalarDgKernels.scaleChannelsChecked(x, shape, layout, dtype, n, scale);
            return;
        }
        if (dtype == DType.BF16) {
            scaleChannelsBf16(x, shape, layout, n, scale);
            return;
        }
        int channels = shape.dim(1);
        long pixels = (long) shape.dim(2) * shape.dim(3);
        switch (layout) {
            case NCHW -> {
                for (int c = 0; c < channels; c++) {
                    long start = layout.offset(shape, n, c, 0, 0) * Float.BYTES;
                    FloatVector s = FloatVector.broadcast(SPECIES, scale[c]);
                    long vectors = SPECIES.loopBound(pixels);
                    for (long p = 0; p < vectors; p += LANES) {
                        long at = start + p * Float.BYTES;
                        FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).mul(s).intoMemorySegment(x, at, ORDER);
                    }
                    for (long p = vectors; p < pixels; p++) {
                        long at = start + p * Float.BYTES;
                        x.set(JAVA_FLOAT, at, x.get(JAVA_FLOAT, at) * scale[c]);
                    }
                }
            }
            case NHWC -> {
                int vectors = SPECIES.loopBound(channels);
                long start = layout.offset(shape, n, 0, 0, 0) * Float.BYTES;
                for (long p = 0; p < pixels; p++) {
                    long pixel = start + p * channels * Float.BYTES;
                    int c = 0;
                    for (; c < vectors; c += LANES) {
                        long at = pixel + (long) c * Float.BYTES;
                        FloatVector.fromMemorySegment(SPECIES, x, at, ORDER)
                                .mul(FloatVector.fromArray(SPECIES, scale, c))
                                .intoMemorySegment(x, at, ORDER);
                    }
                    for (; c < channels; c++) {
                        long at = pixel + (long) c * Float.BYTES;
                        x.set(JAVA_FLOAT, at, x.get(JAVA_FLOAT, at) * scale[c]);
                    }
                }
            }
            case NCHW8C, NCHW16C -> {
                for (int b = 0; b < channels; b += LANES) {
                    // Padding lanes are multiplied by one, so they stay as they are.
                    VectorMask<Float> real = SPECIES.indexInRange(b, channels);
                    FloatVector s = FloatVector.broadcast(SPECIES, 1f)
                            .blend(FloatVector.fromArray(SPECIES, scale, b, real), real);
                    long start = layout.offset(shape, n, b, 0, 0) * Float.BYTES;
                    for (long p = 0; p < pixels; p++) {
                        long at = start + p * LANES * Float.BYTES;
                        FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).mul(s).intoMemorySegment(x, at, ORDER);
                    }
                }
            }
            case NC -> throw new AssertionError("rejected by the argument check");
        }
    }

    /**
     * {@link #scaleChannels} of bf16 values, a run of whole vectors at a time (a channel's plane in NCHW, a pixel's
     * channels in NHWC, a block's pixels in the blocked layouts): widened to f32 in the scratch, multiplied there as
     * the f32 loops multiply, and rounded back as {@code BFloat16.fromFloat} rounds ({@link #narrowToBf16}). What is
     * left after a run's last whole vector takes the plain loop. Element by element in the plain loop, DG-RegNetY's
     * squeeze-and-excitation scaling took about a sixth of a bf16 inference.
     */
    private static void scaleChannelsBf16(MemorySegment x, Shape shape, Layout layout, int n, float[] scale) {
        MemorySegment scratch = SCRATCH.get();
        int channels = shape.dim(1);
        long pixels = (long) shape.dim(2) * shape.dim(3);
        switch (layout) {
            case NCHW -> {
                long whole = SPECIES.loopBound(pixels);
                for (int c = 0; c < channels; c++) {
                    long start = layout.offset(shape, n, c, 0, 0);
                    scaleRunBf16(x, start, whole, scale[c], scale, c, c, scratch);
                    for (long p = whole; p < pixels; p++) {
                        ScalarDgKernels.set(x, DType.BF16, start + p,
                                ScalarDgKernels.get(x, DType.BF16, start + p) * scale[c]);
                    }
                }
            }
            case NHWC -> {
                int whole = SPECIES.loopBound(channels);
                long start = layout.offset(shape, n, 0, 0, 0);
                for (long p = 0; p < pixels; p++) {
                    long pixel = start + p * channels;
                    for (int from = 0; from < whole; from += SUM_TILE) {
                        int count = Math.min(SUM_TILE, whole - from);
                        widenBf16(x, (pixel + from) * Short.BYTES, (long) LANES * Short.BYTES, count / LANES,
                                scratch);
                        for (int e = 0; e < count; e += LANES) {
                            FloatVector.fromMemorySegment(SPECIES, scratch, (long) e * Float.BYTES, ORDER)
                                    .mul(FloatVector.fromArray(SPECIES, scale, from + e))
                                    .intoMemorySegment(scratch, (long) e * Float.BYTES, ORDER);
                        }
                        narrowToBf16(scratch, 0, count, x, pixel + from);
                    }
                    for (int c = whole; c < channels; c++) {
                        ScalarDgKernels.set(x, DType.BF16, pixel + c,
                                ScalarDgKernels.get(x, DType.BF16, pixel + c) * scale[c]);
                    }
                }
            }
            case NCHW8C, NCHW16C -> {
                for (int b = 0; b < channels; b += LANES) {
                    // Padding lanes are multiplied by one, so they stay as they are.
                    scaleRunBf16(x, layout.offset(shape, n, b, 0, 0), pixels * LANES, 1f, scale, b, channels,
                            scratch);
                }
            }
            case NC -> throw new AssertionError("rejected by the argument check");
        }
    }

    /**
     * Multiplies {@code length} bf16 elements (whole vectors) from element {@code start} of {@code x} in place, lane
     * {@code i} of each vector by {@code scale[first + i]} where {@code first + i < limit} and by {@code base} in the
     * other lanes: a channel's plane of NCHW takes {@code base} in every lane ({@code limit == first}), a channel
     * block's pixels the block's factors and one for its padding. Through the scratch, as {@link #scaleChannelsBf16}
     * says.
     */
    private static void scaleRunBf16(MemorySegment x, long start, long length, float base, float[] scale, int first,
                                     int limit, MemorySegment scratch) {
        VectorMask<Float> given = SPECIES.indexInRange(first, limit);
        FloatVector s = FloatVector.broadcast(SPECIES, base).blend(FloatVector.fromArray(SPECIES, scale, first, given),
                given);
        for (long from = 0; from < length; from += SUM_TILE) {
            long count = Math.min(SUM_TILE, length - from);
            widenBf16(x, (start + from) * Short.BYTES, (long) LANES * Short.BYTES, count / LANES, scratch);
            for (long e = 0; e < count; e += LANES) {
                FloatVector.fromMemorySegment(SPECIES, scratch, e * Float.BYTES, ORDER).mul(s)
                        .intoMemorySegment(scratch, e * Float.BYTES, ORDER);
            }
            narrowToBf16(scratch, 0, count, x, start + from);
        }
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        if (count == 0) {
            // An instance whose edges were all dropped: zeros, which are all-zero bits in either type.
            dst.asSlice(dstOffset * dtype.byteSize(), length * dtype.byteSize()).fill((byte) 0);
            return;
        }
        long vectors = SPECIES.loopBound(length);
        switch (dtype) {
            case F32 -> weightedSumF32(dst, dstOffset, vectors, sources, sourceOffsets, weights, count);
            case BF16 -> weightedSumBf16(dst, dstOffset, vectors, sources, sourceOffsets, weights, count);
        }
        for (long e = vectors; e < length; e++) {
            float sum = 0;
            for (int i = 0; i < count; i++) {
                sum = fma(ScalarDgKernels.get(sources[i], dtype, sourceOffsets[i] + e), weights[i], sum);
            }
            ScalarDgKernels.set(dst, dtype, dstOffset + e, sum);
        }
    }

    /**
     * The first {@code length} elements, a whole number of vectors, of an f32 {@link #weightedSum}: tile by tile,
     * and in a tile source by source, each adding its share onto the tile of {@code dst}, which stays in L1 (the
     * sources do not overlap it). A loop over one source lets the JIT check that source's bounds once per tile rather
     * than once per vector, which made the sum about twice as fast on L2-sized maps ({@code KernelBenchmark}). Each
     * element still takes its sources ({@code count >= 1}) in order from zero, as the scalar kernel adds them.
     */
    private static void weightedSumF32(MemorySegment dst, long dstOffset, long length, MemorySegment[] sources,
                                       long[] sourceOffsets, float[] weights, int count) {
        for (long start = 0; start < length; start += SUM_TILE) {
            long end = Math.min(start + SUM_TILE, length);
            for (int i = 0; i < count; i++) {
                addScaledF32(dst, dstOffset, sources[i], sourceOffsets[i], weights[i], start, end, i == 0);
            }
        }
    }

    /**
     * {@code dst[e] = src[e] * weight + (first ? 0 : dst[e])} for the elements {@code [start, end)}, a whole number
     * of vectors, of each (offsets added). Two loops, not one whose addend a branch chooses: with the choice inside,
     * a sum of two or three sources took 20.8 and 31.6 µs on a 1x24x56x56 map against 11.0 and 16.2
     * ({@code KernelBenchmark}).
     */
    private static void addScaledF32(MemorySegment dst, long dstOffset, MemorySegment src, long srcOffset,
                                     float weight, long start, long end, boolean first) {
        FloatVector w = FloatVector.broadcast(SPECIES, weight);
        if (first) {
            // Added to zero as the scalar kernel starts its sums, so that a product of -0 comes out +0 there too.
            FloatVector zero = FloatVector.zero(SPECIES);
            for (long e = start; e < end; e += LANES) {
                FloatVector x = FloatVector.fromMemorySegment(SPECIES, src, (srcOffset + e) * Float.BYTES, ORDER);
                (FAST_FMA ? x.fma(w, zero) : x.mul(w).add(zero))
                        .intoMemorySegment(dst, (dstOffset + e) * Float.BYTES, ORDER);
            }
            return;
        }
        for (long e = start; e < end; e += LANES) {
            long at = (dstOffset + e) * Float.BYTES;
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, src, (srcOffset + e) * Float.BYTES, ORDER);
            FloatVector sum = FloatVector.fromMemorySegment(SPECIES, dst, at, ORDER);
            (FAST_FMA ? x.fma(w, sum) : x.mul(w).add(sum)).intoMemorySegment(dst, at, ORDER);
        }
    }

    /**
     * {@link #weightedSumF32} over bf16 values, rounding each f32 sum as {@code BFloat16.fromFloat} does: tile by
     * tile, each source widened to f32 in the scratch and added onto the tile's sums there, in the same order.
     */
    private static void weightedSumBf16(MemorySegment dst, long dstOffset, long length, MemorySegment[] sources,
                                        long[] sourceOffsets, float[] weights, int count) {
        MemorySegment scratch = SCRATCH.get();
        for (long start = 0; start < length; start += SUM_TILE) {
            long n = Math.min(SUM_TILE, length - start);
            for (int i = 0; i < count; i++) {
                widenBf16(sources[i], (sourceOffsets[i] + start) * Short.BYTES, (long) LANES * Short.BYTES,
                        n / LANES, scratch);
                addScaledF32(scratch, SUM_TILE, scratch, 0, weights[i], 0, n, i == 0);
            }
            narrowToBf16(scratch, SUM_TILE, n, dst, dstOffset + start);
        }
    }

    /**
     * Rounds {@code length} f32 values from element {@code from} of {@code scratch}, a whole number of vectors, to
     * bf16 at element {@code dstOffset} of {@code dst}, reading each vector's floats as their bits.
     */
    private static void narrowToBf16(MemorySegment scratch, long from, long length, MemorySegment dst,
                                     long dstOffset) {
        for (long e = 0; e < length; e += LANES) {
            IntVector bits = IntVector.fromMemorySegment(INTS, scratch, (from + e) * Float.BYTES, ORDER);
            IntVector upper = bits.lanewise(LSHR, 16);
            // Round to nearest, ties to even: adding 0x7FFF carries into the upper half exactly when the lower
            // half is over one half, and the kept half's lowest bit (1 when odd) tips a tie over. A carry out of the
            // largest finite value makes infinity, as it should.
            IntVector rounded = bits.add(upper.and(1).add(0x7FFF)).lanewise(LSHR, 16);
            // A NaN must not round: a carry would make it infinity or flip its sign, and a NaN whose payload is
            // all in the lower half would become infinity. It keeps its upper half with the quiet bit set instead.
            IntVector halves = rounded.blend(upper.or(0x40), bits.and(0x7FFF_FFFF).compare(GT, 0x7F80_0000));
            // Each lane now fits in 16 bits; narrowing keeps the low 16.
            halves.convertShape(I2S, HALVES, 0).intoMemorySegment(dst, (dstOffset + e) * Short.BYTES, ORDER);
        }
    }

    /**
     * On the floats' bits, loaded as ints: a float is a NaN or an infinity exactly where its exponent bits are all
     * ones. An and, a compare and a test per vector.
     */
    @Override
    public long firstNonFinite(MemorySegment x, long offset, long length) {
        ScalarDgKernels.checkFirstNonFinite(x, offset, length);
        long vectors = SPECIES.loopBound(length);
        for (long e = 0; e < vectors; e += LANES) {
            VectorMask<Integer> nonFinite = IntVector.fromMemorySegment(INTS, x, (offset + e) * Float.BYTES, ORDER)
                    .and(EXPONENT).compare(EQ, EXPONENT);
            if (nonFinite.anyTrue()) {
                return offset + e + nonFinite.firstTrue();
            }
        }
        return ScalarDgKernels.firstNonFiniteBetween(x, offset + vectors, offset + length);
    }

    @Override
    public String name() {
        return "vector " + SPECIES.vectorBitSize() + "-bit" + (FAST_FMA ? "" : " (no FMA)");
    }

    /**
     * {@code a * b + c} in f32, rounded as a lane of the vector loops rounds it: once where FMA is one instruction,
     * else after the multiply and after the add. Scalar only (see the class comment).
     */
    static float fma(float a, float b, float c) {
        return FAST_FMA ? Math.fma(a, b, c) : a * b + c;
    }

    /**
     * A boolean HotSpot flag, false where the VM cannot say (not HotSpot, or no {@code jdk.management} in a
     * trimmed runtime): false only costs the FMA, true where it is wrong would cost far more.
     */
    private static boolean hotSpotFlag(String name) {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue());
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
