package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.op.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * The transforms of Winograd's minimal filtering F(m x m, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016), for outputs tiles of m = 2 or 4 ({@link Size}), which turn a 3x3 convolution of stride 1
 * into {@code (m + 2)^2} independent matrix products: one per point of an input tile, over the channels. Each input
 * tile {@code d} becomes {@code V = B^T d B}, each filter {@code g} becomes {@code U = G g G^T}, the products
 * {@code M = U V} are summed over input channels (the matrix products, which are not here), and
 * {@code Y = A^T M A} is the tile's m x m output. Against direct convolution that is 36 multiplies per 16 outputs
 * (F(4x4, 3x3)) or 16 per 4 (F(2x2, 3x3)) instead of 9 per output, for filters 4 or 1.8 times as large.
 *
 * <p>Activations are channel-blocked with one vector of the platform's preferred species per block, so every
 * operation here is on the 16 (AVX-512) channels of one pixel at once and reads like the scalar formula. Input tiles
 * start one pixel up and left of their output tile (padding 1); what lies outside the image reads as zero.
 *
 * <p>Layouts of the matrix-product operands for one image with {@code T} tiles and {@code P} points per tile: the
 * transformed input is {@code [T][P][inChannels]} and the products {@code [T][P][outChannels]}, both row-major f32,
 * so that a tile's points lie together (the matrix products read them as {@code [P][T][channels]} with strides);
 * tile {@code t} is row {@code t / tilesW}, column {@code t % tilesW} of tiles.
 *
 * <p>As in {@code VectorDgKernels}, no vector crosses a call between methods of this class (a vector C2 did not
 * inline with its caller is boxed): the one-dimensional transforms take and give segments and offsets.
 */
public final class WinogradTransforms {
    /**
     * The output tile, F(4x4, 3x3) or F(2x2, 3x3), in the order a device prefers them (the larger saving first), with
     * its matrices: {@code G} for the filters, and the lines of {@code B^T} and {@code A^T} as methods.
     */
    public enum Size {
        F4(4, new double[][] {
                {1.0 / 4, 0, 0},
                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                {0, 0, 1},
        }) {
            /** Six vectors {@code d} to {@code B^T d}. */
            @Override
            void inputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep) {
                FloatVector d0 = FloatVector.fromMemorySegment(SPECIES, src, from, ORDER);
                FloatVector d1 = FloatVector.fromMemorySegment(SPECIES, src, from + step, ORDER);
                FloatVector d2 = FloatVector.fromMemorySegment(SPECIES, src, from + 2 * step, ORDER);
                FloatVector d3 = FloatVector.fromMemorySegment(SPECIES, src, from + 3 * step, ORDER);
                FloatVector d4 = FloatVector.fromMemorySegment(SPECIES, src, from + 4 * step, ORDER);
                FloatVector d5 = FloatVector.fromMemorySegment(SPECIES, src, from + 5 * step, ORDER);
                // B^T's rows: [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0], [0 -2 -1 2 1 0], [0 2 -1 -2 1 0],
                // [0 4 0 -5 0 1].
                FloatVector d4Minus4D2 = d4.sub(d2.mul(4f));
                FloatVector d3Minus4D1 = d3.sub(d1.mul(4f));
                FloatVector d4MinusD2 = d4.sub(d2);
                FloatVector d3MinusD1 = d3.sub(d1);
                d0.mul(4f).sub(d2.mul(5f)).add(d4).intoMemorySegment(dst, to, ORDER);
                d4Minus4D2.add(d3Minus4D1).intoMemorySegment(dst, to + toStep, ORDER);
                d4Minus4D2.sub(d3Minus4D1).intoMemorySegment(dst, to + 2 * toStep, ORDER);
                d4MinusD2.add(d3MinusD1.mul(2f)).intoMemorySegment(dst, to + 3 * toStep, ORDER);
                d4MinusD2.sub(d3MinusD1.mul(2f)).intoMemorySegment(dst, to + 4 * toStep, ORDER);
                d1.mul(4f).sub(d3.mul(5f)).add(d5).intoMemorySegment(dst, to + 5 * toStep, ORDER);
            }

            /** Six vectors {@code m} to {@code A^T m}, four vectors. */
            @Override
            void outputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep) {
                FloatVector m0 = FloatVector.fromMemorySegment(SPECIES, src, from, ORDER);
                FloatVector m1 = FloatVector.fromMemorySegment(SPECIES, src, from + step, ORDER);
                FloatVector m2 = FloatVector.fromMemorySegment(SPECIES, src, from + 2 * step, ORDER);
                FloatVector m3 = FloatVector.fromMemorySegment(SPECIES, src, from + 3 * step, ORDER);
                FloatVector m4 = FloatVector.fromMemorySegment(SPECIES, src, from + 4 * step, ORDER);
                FloatVector m5 = FloatVector.fromMemorySegment(SPECIES, src, from + 5 * step, ORDER);
                // A^T's rows: [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1].
                FloatVector sum12 = m1.add(m2);
                FloatVector diff12 = m1.sub(m2);
                FloatVector sum34 = m3.add(m4);
                FloatVector diff34 = m3.sub(m4);
                m0.add(sum12).add(sum34).intoMemorySegment(dst, to, ORDER);
                diff12.add(diff34.mul(2f)).intoMemorySegment(dst, to + toStep, ORDER);
                sum12.add(sum34.mul(4f)).intoMemorySegment(dst, to + 2 * toStep, ORDER);
                diff12.add(diff34.mul(8f)).add(m5).intoMemorySegment(dst, to + 3 * toStep, ORDER);
            }
        },
        F2(2, new double[][] {
                {1, 0, 0},
                {0.5, 0.5, 0.5},
                {0.5, -0.5, 0.5},
                {0, 0, 1},
        }) {
            /** Four vectors {@code d} to {@code B^T d}. */
            @Override
            void inputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep) {
                FloatVector d0 = FloatVector.fromMemorySegment(SPECIES, src, from, ORDER);
                FloatVector d1 = FloatVector.fromMemorySegment(SPECIES, src, from + step, ORDER);
                FloatVector d2 = FloatVector.fromMemorySegment(SPECIES, src, from + 2 * step, ORDER);
                FloatVector d3 = FloatVector.fromMemorySegment(SPECIES, src, from + 3 * step, ORDER);
                // B^T's rows: [1 0 -1 0], [0 1 1 0], [0 -1 1 0], [0 1 0 -1].
                d0.sub(d2).intoMemorySegment(dst, to, ORDER);
                d1.add(d2).intoMemorySegment(dst, to + toStep, ORDER);
                d2.sub(d1).intoMemorySegment(dst, to + 2 * toStep, ORDER);
                d1.sub(d3).intoMemorySegment(dst, to + 3 * toStep, ORDER);
            }

            /** Four vectors {@code m} to {@code A^T m}, two vectors. */
            @Override
            void outputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep) {
                FloatVector m0 = FloatVector.fromMemorySegment(SPECIES, src, from, ORDER);
                FloatVector m1 = FloatVector.fromMemorySegment(SPECIES, src, from + step, ORDER);
                FloatVector m2 = FloatVector.fromMemorySegment(SPECIES, src, from + 2 * step, ORDER);
                FloatVector m3 = FloatVector.fromMemorySegment(SPECIES, src, from + 3 * step, ORDER);
                // A^T's rows: [1 1 1 0], [0 1 -1 -1].
                m0.add(m1).add(m2).intoMemorySegment(dst, to, ORDER);
                m1.sub(m2).sub(m3).intoMemorySegment(dst, to + toStep, ORDER);
            }
        };

        private final int out;
        private final int tile;
        /** {@code G}, in double: filters are transformed once, at preparation, as exactly as f32 can hold. */
        private final double[][] g;

        Size(int out, double[][] g) {
            this.out = out;
            this.tile = out + 2;
            this.g = g;
        }

        /** Outputs per tile side. */
        public int out() {
            return out;
        }

        /** Points of a tile, and matrix products per convolution. */
        public int points() {
            return tile * tile;
        }

        /** Tiles along an output extent of {@code size}. */
        public int tiles(int size) {
            return (size + out - 1) / out;
        }

        /** One line of a tile {@code d} at {@code from + k * step} to {@code B^T d} at {@code to + k * toStep}. */
        abstract void inputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep);

        /** One line of products {@code m} at {@code from + k * step} to {@code A^T m} at {@code to + k * toStep}. */
        abstract void outputLine(MemorySegment src, long from, long step, MemorySegment dst, long to, long toStep);
    }

    /** The most points of a tile of any {@link Size}. */
    private static final int MAX_POINTS = 36;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private WinogradTransforms() {
    }

    /** Whether activations in {@code layout} have one vector per channel block here. */
    public static boolean supports(Layout layout) {
        return layout.channelBlock() == LANES;
    }

    /** Bytes of the per-thread scratch each transform call needs. */
    public static long scratchBytes() {
        return 2L * MAX_POINTS * VECTOR_BYTES;
    }

    /**
     * Writes the transformed filters {@code U = G g G^T} of PyTorch-ordered weights {@code [out][in][3][3]} to
     * {@code u} as the matrix products' right operands, f32 {@code [points][in][out]}, computed in double.
     */
    public static void transformWeights(Size size, float[] weights, int out, int in, MemorySegment u) {
        if (weights.length != out * in * 9) {
            throw new IllegalArgumentException("3x3 weights [" + out + ", " + in + ", 3, 3] need " + out * in * 9
                    + " values, got " + weights.length);
        }
        int tile = size.tile;
        double[][] g = size.g;
        if (u.byteSize() != (long) size.points() * in * out * Float.BYTES) {
            throw new IllegalArgumentException("transformed filters [" + size.points() + ", " + in + ", " + out
                    + "] need " + (long) size.points() * in * out * Float.BYTES + " bytes, got " + u.byteSize());
        }
        double[] gg = new double[tile * 3];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                int filter = (o * in + c) * 9;
                for (int i = 0; i < tile; i++) {
                    for (int b = 0; b < 3; b++) {
                        double s = 0;
                        for (int a = 0; a < 3; a++) {
                            s += g[i][a] * weights[filter + a * 3 + b];
                        }
                        gg[i * 3 + b] = s;
                    }
                }
                for (int i = 0; i < tile; i++) {
                    for (int j = 0; j < tile; j++) {
                        double s = 0;
                        for (int b = 0; b < 3; b++) {
                            s += gg[i * 3 + b] * g[j][b];
                        }
                        u.setAtIndex(JAVA_FLOAT, ((long) (i * tile + j) * in + c) * out + o, (float) s);
                    }
                }
            }
        }
    }

    /**
     * Transforms the input tiles of one row of tiles of one channel block: {@code x} holds one image from byte
     * {@code image} on, channel-blocked, {@code [blocks][h][w][LANES]}; {@code v} gets block {@code block} of every
     * point of tiles {@code row * tilesW ..}. {@code scratch} is the calling thread's, {@link #scratchBytes()} long.
     */
    public static void input(Size size, MemorySegment x, long image, int h, int w, int block, int row,
                             MemorySegment v, int inChannels, MemorySegment scratch) {
        int out = size.out;
        int tile = size.tile;
        int tilesW = size.tiles(w);
        long plane = (long) h * w;
        long pointStride = (long) inChannels * Float.BYTES;
        long rowBytes = (long) w * VECTOR_BYTES;
        long second = MAX_POINTS * VECTOR_BYTES;
        int top = row * out - 1;
        boolean rowsInside = top >= 0 && top + tile <= h;
        for (int tx = 0; tx < tilesW; tx++) {
            int left = tx * out - 1;
            // B^T d down each column into the scratch's second half: straight from the image where the tile lies
            // inside it, else from a copy of the tile with zeros outside the image in the first half.
            if (rowsInside && left >= 0 && left + tile <= w) {
                long corner = image + ((block * plane + (long) top * w + left) * LANES) * Float.BYTES;
                for (int j = 0; j < tile; j++) {
                    size.inputLine(x, corner + j * VECTOR_BYTES, rowBytes,
                            scratch, second + j * VECTOR_BYTES, tile * VECTOR_BYTES);
                }
            } else {
                copyTile(tile, x, image + block * plane * VECTOR_BYTES, h, w, top, left, scratch);
                for (int j = 0; j < tile; j++) {
                    size.inputLine(scratch, j * VECTOR_BYTES, tile * VECTOR_BYTES,
                            scratch, second + j * VECTOR_BYTES, tile * VECTOR_BYTES);
                }
            }
            // (B^T d) B along each row into v.
            long t = (long) row * tilesW + tx;
            long at = (t * size.points() * inChannels + (long) block * LANES) * Float.BYTES;
            for (int i = 0; i < tile; i++) {
                size.inputLine(scratch, second + i * tile * VECTOR_BYTES, VECTOR_BYTES,
                        v, at + i * tile * pointStride, pointStride);
            }
        }
    }

    /**
     * Copies the square tile whose corner is pixel ({@code top}, {@code left}) of the channel block starting at byte
     * {@code blockStart} of {@code x} into the first half of {@code scratch}, with zeros for pixels outside the image.
     * (A load or zero chosen into one vector variable kept C2 from compiling this well for thousands of calls: two
     * stores instead.)
     */
    private static void copyTile(int tile, MemorySegment x, long blockStart, int h, int w, int top, int left,
                                 MemorySegment scratch) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < tile; i++) {
            int y = top + i;
            for (int j = 0; j < tile; j++) {
                int xx = left + j;
                long to = (i * tile + j) * VECTOR_BYTES;
                if (y < 0 || y >= h || xx < 0 || xx >= w) {
                    zero.intoMemorySegment(scratch, to, ORDER);
                } else {
                    FloatVector.fromMemorySegment(SPECIES, x, blockStart + ((long) y * w + xx) * VECTOR_BYTES, ORDER)
                            .intoMemorySegment(scratch, to, ORDER);
                }
            }
        }
    }

    /**
     * Transforms the products of one row of tiles of one output channel block back: {@code y = act(A^T M A + bias
     * + residual)}, written to the pixels that the tiles cover inside the image in {@code y}, which holds one image
     * from byte {@code image} on, channel-blocked. {@code residual} (null: none) is laid out as {@code y}, and may
     * be {@code y} itself: each pixel is read before it is written.
     */
    public static void output(Size size, MemorySegment m, int outChannels, int block, int row, float[] bias,
                              MemorySegment residual, Activation activation, MemorySegment y, long image, int h,
                              int w, MemorySegment scratch) {
        int out = size.out;
        int tile = size.tile;
        int tilesW = size.tiles(w);
        long plane = (long) h * w;
        long pointStride = (long) outChannels * Float.BYTES;
        FloatVector b = FloatVector.fromArray(SPECIES, bias, block * LANES);
        // The activation as bounds (none: infinite ones), and the residual added on a path of its own: no vector is
        // chosen by a branch (C2 may box a vector merged from branches, as it did in copyTile).
        FloatVector lower = FloatVector.broadcast(SPECIES,
                activation == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f);
        FloatVector upper = FloatVector.broadcast(SPECIES,
                activation == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY);
        long second = MAX_POINTS * VECTOR_BYTES;
        for (int tx = 0; tx < tilesW; tx++) {
            long t = (long) row * tilesW + tx;
            long at = (t * size.points() * outChannels + (long) block * LANES) * Float.BYTES;
            // A^T M down each column into the first half (out x tile), then (A^T M) A along each row into the second.
            for (int j = 0; j < tile; j++) {
                size.outputLine(m, at + j * pointStride, tile * pointStride,
                        scratch, j * VECTOR_BYTES, tile * VECTOR_BYTES);
            }
            for (int i = 0; i < out; i++) {
                size.outputLine(scratch, i * tile * VECTOR_BYTES, VECTOR_BYTES,
                        scratch, second + i * out * VECTOR_BYTES, VECTOR_BYTES);
            }
            for (int i = 0; i < out; i++) {
                int yy = row * out + i;
                for (int j = 0; j < out && yy < h; j++) {
                    int xx = tx * out + j;
                    if (xx >= w) {
                        break;
                    }
                    long pixel = image + ((block * plane + (long) yy * w + xx) * LANES) * Float.BYTES;
                    FloatVector o = FloatVector.fromMemorySegment(SPECIES, scratch,
                            second + (i * out + j) * VECTOR_BYTES, ORDER).add(b);
                    if (residual == null) {
                        o.max(lower).min(upper).intoMemorySegment(y, pixel, ORDER);
                    } else {
                        o.add(FloatVector.fromMemorySegment(SPECIES, residual, pixel, ORDER)).max(lower).min(upper)
                                .intoMemorySegment(y, pixel, ORDER);
                    }
                }
            }
        }
    }
}
