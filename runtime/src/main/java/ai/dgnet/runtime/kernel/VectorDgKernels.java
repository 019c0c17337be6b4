package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import com.sun.management.HotSpotDiagnosticMXBean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;

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
 * <p>bf16 tensors go through the same loops: {@link #load} widens {@code LANES} bf16 values (half the bytes of a
 * float vector) to f32, and {@link #store} rounds f32 lanes back to bf16, so everything between computes in f32
 * exactly as for f32 storage. A bf16 sum of {@link #weightedSum} is bit for bit
 * {@code BFloat16.fromFloat} of the f32 sum, and the scalar tail computes that f32 sum with the same fused
 * multiply-adds as the vector lanes, so an element's result does not depend on whether a vector or the tail
 * wrote it.
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
    private static final VectorSpecies<Short> BF16S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));
    /** Tensors are written through {@code JAVA_FLOAT}, which is native order. */
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /**
     * Whether {@code fma} is one instruction. Without hardware FMA the Vector API computes it lane by lane with
     * {@link Math#fma}, which is BigDecimal arithmetic: far slower than the multiply and add used instead.
     */
    private static final boolean FAST_FMA = hotSpotFlag("UseFMA");

    /** The preferred species' size; the provider turns this implementation down under 128 bits. */
    static int bitSize() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] out) {
        ScalarDgKernels.checkChannelMeans(x, shape, layout, dtype, n, out);
        int channels = shape.dim(1);
        int height = shape.dim(2);
        int width = shape.dim(3);
        switch (layout) {
            case NCHW -> {
                long pixels = (long) height * width;
                for (int c = 0; c < channels; c++) {
                    out[c] = planeSum(x, dtype, layout.offset(shape, n, c, 0, 0), pixels) / pixels;
                }
            }
            case NHWC -> interleavedMeans(x, dtype, layout.offset(shape, n, 0, 0, 0), channels, channels, height,
                    width, out, 0);
            case NCHW8C, NCHW16C -> {
                int block = layout.channelBlock();
                for (int first = 0; first < channels; first += block) {
                    interleavedMeans(x, dtype, layout.offset(shape, n, first, 0, 0), block,
                            Math.min(block, channels - first), height, width, out, first);
                }
            }
            case NC -> throw new AssertionError("rejected by the argument check");
        }
    }

    /** The sum of {@code count} contiguous elements from element {@code start}. */
    private static float planeSum(MemorySegment x, DType dtype, long start, long count) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        long i = 0;
        // Four independent chains keep the adder busy (one chain waits out the add latency every step) and
        // split the plane four ways for accuracy.
        for (long bound = count - count % (4L * LANES); i < bound; i += 4L * LANES) {
            acc0 = acc0.add(load(x, dtype, start + i));
            acc1 = acc1.add(load(x, dtype, start + i + LANES));
            acc2 = acc2.add(load(x, dtype, start + i + 2L * LANES));
            acc3 = acc3.add(load(x, dtype, start + i + 3L * LANES));
        }
        for (long bound = SPECIES.loopBound(count); i < bound; i += LANES) {
            acc0 = acc0.add(load(x, dtype, start + i));
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < count; i++) {
            sum += ScalarDgKernels.get(x, dtype, start + i);
        }
        return sum;
    }

    /**
     * Means of the channels of one pixel-interleaved group, where each pixel stores {@code stored} consecutive
     * channels starting {@code stored} elements after the previous pixel's: all channels of an {@code NHWC}
     * image, or one block of a blocked layout. Only the first {@code real} channels are written, to
     * {@code out[first ..]}; the rest of a block is padding, read along in a vector and dropped.
     */
    private static void interleavedMeans(MemorySegment x, DType dtype, long start, int stored, int real, int height,
                                         int width, float[] out, int first) {
        long pixels = (long) height * width;
        int c = 0;
        for (; c < real && c + LANES <= stored; c += LANES) {
            FloatVector total = FloatVector.zero(SPECIES);
            long pixel = start + c;
            for (int h = 0; h < height; h++) {
                FloatVector row = FloatVector.zero(SPECIES);
                for (int w = 0; w < width; w++, pixel += stored) {
                    row = row.add(load(x, dtype, pixel));
                }
                total = total.add(row);
            }
            total.div((float) pixels).intoArray(out, first + c, SPECIES.indexInRange(c, real));
        }
        // Channels left over when a vector does not divide the group: an NHWC channel count that is not a
        // multiple of the lanes, or 8-channel blocks under 16 lanes. The CPU device picks nChw8c only without
        // AVX-512, where vectors hold 8 floats and fit the block exactly, so that second case is rare.
        for (; c < real; c++) {
            double sum = 0;
            long pixel = start + c;
            for (long p = 0; p < pixels; p++, pixel += stored) {
                sum += ScalarDgKernels.get(x, dtype, pixel);
            }
            out[first + c] = (float) (sum / pixels);
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
                acc = fma(FloatVector.fromArray(SPECIES, weight, row + c), FloatVector.fromArray(SPECIES, pooled, c),
                        acc);
            }
            double logit = (double) bias[k] + acc.reduceLanes(VectorOperators.ADD);
            for (; c < channels; c++) {
                logit += (double) weight[row + c] * pooled[c];
            }
            out[k] = ScalarDgKernels.sigmoid(logit);
        }
    }

    @Override
    public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                            long[] sourceOffsets, float[] weights, int count) {
        ScalarDgKernels.checkWeightedSum(dst, dstOffset, length, dtype, sources, sourceOffsets, weights, count);
        // Element-major, so dst is written once and each source read once however many edges there are.
        long e = 0;
        for (long bound = SPECIES.loopBound(length); e < bound; e += LANES) {
            FloatVector sum = FloatVector.zero(SPECIES);
            for (int i = 0; i < count; i++) {
                sum = fma(load(sources[i], dtype, sourceOffsets[i] + e), FloatVector.broadcast(SPECIES, weights[i]),
                        sum);
            }
            store(sum, dst, dtype, dstOffset + e);
        }
        for (; e < length; e++) {
            float sum = 0;
            for (int i = 0; i < count; i++) {
                sum = fma(ScalarDgKernels.get(sources[i], dtype, sourceOffsets[i] + e), weights[i], sum);
            }
            ScalarDgKernels.set(dst, dtype, dstOffset + e, sum);
        }
    }

    @Override
    public String name() {
        return "vector " + SPECIES.vectorBitSize() + "-bit" + (FAST_FMA ? "" : " (no FMA)");
    }

    /** The {@code LANES} elements from element {@code index} of {@code segment}, which holds {@code dtype}. */
    private static FloatVector load(MemorySegment segment, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> FloatVector.fromMemorySegment(SPECIES, segment, index * Float.BYTES, ORDER);
            // A bf16 value is the upper half of its f32: widen each to an int, move it up and read the bits as f32.
            case BF16 -> ((IntVector) ShortVector.fromMemorySegment(BF16S, segment, index * Short.BYTES, ORDER)
                    .convertShape(VectorOperators.S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
        };
    }

    /** Stores {@code values} as {@code LANES} {@code dtype} elements from element {@code index} of {@code segment}. */
    private static void store(FloatVector values, MemorySegment segment, DType dtype, long index) {
        switch (dtype) {
            case F32 -> values.intoMemorySegment(segment, index * Float.BYTES, ORDER);
            case BF16 -> toBf16(values).intoMemorySegment(segment, index * Short.BYTES, ORDER);
        }
    }

    /** {@code BFloat16.fromFloat} of each lane. */
    static ShortVector toBf16(FloatVector values) {
        IntVector bits = values.reinterpretAsInts();
        IntVector upper = bits.lanewise(VectorOperators.LSHR, 16);
        // Round to nearest, ties to even: adding 0x7FFF carries into the upper half exactly when the lower half is
        // over one half, and the kept half's lowest bit (1 when odd) tips a tie over. A carry out of the largest
        // finite value makes infinity, as it should.
        IntVector rounded = bits.add(upper.and(1).add(0x7FFF)).lanewise(VectorOperators.LSHR, 16);
        // The carry would turn a NaN with a large payload into infinity or flip its sign, so NaNs keep their upper
        // half with the quiet bit set instead (a signalling NaN's payload may sit only in the lower half).
        VectorMask<Integer> nan = bits.and(0x7FFF_FFFF).compare(VectorOperators.GT, 0x7F80_0000);
        IntVector halves = rounded.blend(upper.or(0x40), nan);
        // Each lane now fits in 16 bits; narrowing keeps the low 16.
        return (ShortVector) halves.convertShape(VectorOperators.I2S, BF16S, 0);
    }

    /** {@code a * b + c}. */
    private static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FAST_FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /**
     * {@code a * b + c} rounded as a lane of {@link #fma(FloatVector, FloatVector, FloatVector)} rounds it: once
     * with hardware FMA, else after the multiply and after the add.
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
