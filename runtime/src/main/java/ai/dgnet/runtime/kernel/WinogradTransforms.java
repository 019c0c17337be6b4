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
 * <p>Layouts of the matrix-product operands for {@code R} tiles (of one image or of several, one image's after
 * another's) and {@code P} points per tile: the transformed input is {@code [P][R][inChannels]} and the products
 * {@code [P][R][outChannels]}, both row-major f32: one matrix per point, its rows together (against a tile's points
 * together, the products ran 8-10% faster at 56x56 with 64 channels, and as fast at the other sizes of ResNet-50);
 * an image's tiles start at row {@code firstTile}, its tile {@code t} being row {@code t / tilesW}, column
 * {@code t % tilesW} of tiles.
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
            /** Lines of six vectors {@code d} to {@code B^T d}. */
            @Override
            void inputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                            long toStride, long toStep, int count) {
                for (int n = 0; n < count; n++, from += fromStride, to += toStride) {
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
            }

            /** Lines of six vectors {@code m} to {@code A^T m}, four vectors. */
            @Override
            void outputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                             long toStride, long toStep, int count) {
                for (int n = 0; n < count; n++, from += fromStride, to += toStride) {
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
            }
        },
        F2(2, new double[][] {
                {1, 0, 0},
                {0.5, 0.5, 0.5},
                {0.5, -0.5, 0.5},
                {0, 0, 1},
        }) {
            /** Lines of four vectors {@code d} to {@code B^T d}. */
            @Override
            void inputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                            long toStride, long toStep, int count) {
                for (int n = 0; n < count; n++, from += fromStride, to += toStride) {
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
            }

            /** Lines of four vectors {@code m} to {@code A^T m}, two vectors. */
            @Override
            void outputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                             long toStride, long toStep, int count) {
                for (int n = 0; n < count; n++, from += fromStride, to += toStride) {
                    FloatVector m0 = FloatVector.fromMemorySegment(SPECIES, src, from, ORDER);
                    FloatVector m1 = FloatVector.fromMemorySegment(SPECIES, src, from + step, ORDER);
                    FloatVector m2 = FloatVector.fromMemorySegment(SPECIES, src, from + 2 * step, ORDER);
                    FloatVector m3 = FloatVector.fromMemorySegment(SPECIES, src, from + 3 * step, ORDER);
                    // A^T's rows: [1 1 1 0], [0 1 -1 -1].
                    m0.add(m1).add(m2).intoMemorySegment(dst, to, ORDER);
                    m1.sub(m2).sub(m3).intoMemorySegment(dst, to + toStep, ORDER);
                }
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

        /**
         * {@code count} lines of tiles {@code d} to {@code B^T d}: line n's k-th vector at byte {@code from + n *
         * fromStride + k * step} of {@code src}, its result's at {@code to + n * toStride + k * toStep} of {@code dst}.
         * The loop is in the same method as the formula so that C2 compiles them as one, whatever it inlined before.
         */
        abstract void inputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                                 long toStride, long toStep, int count);

        /** {@code count} lines of products {@code m} to {@code A^T m}, laid out as for {@link #inputLines}. */
        abstract void outputLines(MemorySegment src, long from, long fromStride, long step, MemorySegment dst, long to,
                                  long toStride, long toStep, int count);
    }

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

    /** Whether {@link #output} can apply {@code activation}: it applies activations as lower and upper bounds. */
    public static boolean supports(Activation activation) {
        return switch (activation) {
            case NONE, RELU, RELU6 -> true;
            case SIGMOID -> false;
        };
    }

    /**
     * Bytes of the per-thread scratch each transform call on an image {@code w} pixels wide needs: for the input,
     * the column transforms of a row of tiles and one copied pixel column (zeros outside the image); for the output,
     * the column transforms of a row of tiles and its rows of output pixels.
     */
    public static long scratchBytes(Size size, int w) {
        int tilesW = size.tiles(w);
        long input = (long) size.tile * (inputColumns(size, tilesW) + 1);
        long output = (long) size.out * tilesW * (size.tile + size.out);
        return Math.max(input, output) * VECTOR_BYTES;
    }

    /** Pixel columns the input tiles of a row cover: from one left of the image to the last tile's right edge. */
    private static int inputColumns(Size size, int tilesW) {
        return tilesW * size.out + 2;
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
     * {@code image} on, channel-blocked, {@code [blocks][h][w][LANES]}; {@code v}, of {@code matrixRows} rows per
     * point, gets block {@code block} of every point of the image's tiles {@code row * tilesW ..}, whose first tile is
     * row {@code firstTile}. {@code scratch} is the calling thread's, {@link #scratchBytes} long.
     *
     * <p>Neighbouring tiles share two pixel columns, so {@code B^T d} runs once down each pixel column of the row
     * into the scratch (for F(4x4, 3x3), 4 column transforms per tile instead of 6), then {@code (B^T d) B} along
     * each tile's rows. Whether the row's tiles lie inside the image is decided once for the row, not per tile.
     */
    public static void input(Size size, MemorySegment x, long image, int h, int w, int block, int row,
                             MemorySegment v, int inChannels, int firstTile, int matrixRows, MemorySegment scratch) {
        int out = size.out;
        int tile = size.tile;
        int tilesW = size.tiles(w);
        int columns = inputColumns(size, tilesW);
        long lineBytes = columns * VECTOR_BYTES;
        long rowBytes = w * VECTOR_BYTES;
        long blockStart = image + block * (long) h * w * VECTOR_BYTES;
        int top = row * out - 1;
        // Scratch column c holds pixel column c - 1; the columns left and right of the image are zeros.
        FloatVector zero = FloatVector.zero(SPECIES);
        int inside = Math.min(columns, w + 1);
        for (int i = 0; i < tile; i++) {
            zero.intoMemorySegment(scratch, i * lineBytes, ORDER);
            for (int c = inside; c < columns; c++) {
                zero.intoMemorySegment(scratch, i * lineBytes + c * VECTOR_BYTES, ORDER);
            }
        }
        if (top >= 0 && top + tile <= h) {
            size.inputLines(x, blockStart + (long) top * rowBytes, VECTOR_BYTES, rowBytes,
                    scratch, VECTOR_BYTES, VECTOR_BYTES, lineBytes, inside - 1);
        } else {
            long column = tile * lineBytes;
            for (int c = 1; c < inside; c++) {
                copyColumn(tile, x, blockStart + (c - 1) * VECTOR_BYTES, h, w, top, scratch, column);
                size.inputLines(scratch, column, 0, VECTOR_BYTES, scratch, c * VECTOR_BYTES, 0, lineBytes, 1);
            }
        }
        long tileBytes = (long) inChannels * Float.BYTES;
        long pointStride = matrixRows * tileBytes;
        long first = ((long) firstTile + (long) row * tilesW) * tileBytes + block * VECTOR_BYTES;
        for (int i = 0; i < tile; i++) {
            size.inputLines(scratch, i * lineBytes, out * VECTOR_BYTES, VECTOR_BYTES,
                    v, first + i * tile * pointStride, tileBytes, pointStride, tilesW);
        }
    }

    /**
     * Copies the {@code tile} pixels from row {@code top} down of the pixel column starting at byte {@code column}
     * of {@code x} to {@code scratch} at byte {@code to}, with zeros for rows outside the image. (A load or zero
     * chosen into one vector variable kept C2 from compiling this well for thousands of calls: two stores instead.)
     */
    private static void copyColumn(int tile, MemorySegment x, long column, int h, int w, int top,
                                   MemorySegment scratch, long to) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < tile; i++) {
            int y = top + i;
            if (y < 0 || y >= h) {
                zero.intoMemorySegment(scratch, to + i * VECTOR_BYTES, ORDER);
            } else {
                FloatVector.fromMemorySegment(SPECIES, x, column + (long) y * w * VECTOR_BYTES, ORDER)
                        .intoMemorySegment(scratch, to + i * VECTOR_BYTES, ORDER);
            }
        }
    }

    /**
     * Transforms the products of one row of tiles of one output channel block back: {@code y = act(A^T M A + bias
     * + residual)}, written to the pixels that the tiles cover inside the image in {@code y}, which holds one image
     * from byte {@code image} on, channel-blocked; {@code m} has {@code matrixRows} rows per point and the image's
     * first tile at row {@code firstTile}. {@code residual} (null: none) is laid out as {@code y}, and may be
     * {@code y} itself: each pixel is read before it is written.
     *
     * <p>As in {@link #input}, each pass is a loop over the row's tiles: {@code A^T M} down each tile column into
     * the scratch, {@code (A^T M) A} along each row that lies inside the image into a row of output pixels there;
     * then bias, residual and activation from those rows to the image.
     */
    public static void output(Size size, MemorySegment m, int outChannels, int firstTile, int matrixRows, int block,
                              int row, float[] bias, MemorySegment residual, Activation activation, MemorySegment y,
                              long image, int h, int w, MemorySegment scratch) {
        int out = size.out;
        int tile = size.tile;
        int tilesW = size.tiles(w);
        long tileBytes = (long) outChannels * Float.BYTES;
        long pointStride = matrixRows * tileBytes;
        long first = ((long) firstTile + (long) row * tilesW) * tileBytes + block * VECTOR_BYTES;
        long lineBytes = (long) tilesW * tile * VECTOR_BYTES;
        for (int j = 0; j < tile; j++) {
            size.outputLines(m, first + j * pointStride, tileBytes, tile * pointStride,
                    scratch, j * VECTOR_BYTES, tile * VECTOR_BYTES, lineBytes, tilesW);
        }
        // Only the tile rows of pixels inside the image: the last row of tiles may reach past it.
        int rows = Math.min(out, h - row * out);
        long pixels = out * lineBytes;
        long pixelLine = (long) tilesW * out * VECTOR_BYTES;
        for (int i = 0; i < rows; i++) {
            size.outputLines(scratch, i * lineBytes, tile * VECTOR_BYTES, VECTOR_BYTES,
                    scratch, pixels + i * pixelLine, out * VECTOR_BYTES, VECTOR_BYTES, tilesW);
        }
        FloatVector b = FloatVector.fromArray(SPECIES, bias, block * LANES);
        // The activation as bounds (none: infinite ones), and the residual added on a path of its own: no vector is
        // chosen by a branch (C2 may box a vector merged from branches, as it did in copyColumn).
        FloatVector lower = FloatVector.broadcast(SPECIES,
                activation == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f);
        FloatVector upper = FloatVector.broadcast(SPECIES,
                activation == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY);
        for (int i = 0; i < rows; i++) {
            long from = pixels + i * pixelLine;
            long to = image + (block * (long) h * w + (long) (row * out + i) * w) * VECTOR_BYTES;
            if (residual == null) {
                for (int xx = 0; xx < w; xx++) {
                    FloatVector.fromMemorySegment(SPECIES, scratch, from + xx * VECTOR_BYTES, ORDER).add(b)
                            .max(lower).min(upper).intoMemorySegment(y, to + xx * VECTOR_BYTES, ORDER);
                }
            } else {
                for (int xx = 0; xx < w; xx++) {
                    FloatVector.fromMemorySegment(SPECIES, scratch, from + xx * VECTOR_BYTES, ORDER).add(b)
                            .add(FloatVector.fromMemorySegment(SPECIES, residual, to + xx * VECTOR_BYTES, ORDER))
                            .max(lower).min(upper).intoMemorySegment(y, to + xx * VECTOR_BYTES, ORDER);
                }
            }
        }
    }
}
