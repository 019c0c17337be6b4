package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.NativeMemory;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.ChunkedTeam;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.WinogradTransforms;
import ai.dgnet.runtime.kernel.WinogradTransforms.Size;
import ai.dgnet.runtime.op.Residual;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_matmul_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_WEIGHTS;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_abc;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_format_tag_any;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_query_weights_md;

/**
 * A 3x3, stride-1, padding-1 f32 convolution by Winograd's F(m x m, 3x3) with m = 2 or 4: per group of images
 * ({@link #imagesPerProduct}), the input tiles are transformed ({@link WinogradTransforms#input}, on the device's
 * OpenMP threads), the 16 or 36 matrix products over the channels, the group's tiles as their rows, run as one
 * batched oneDNN matmul against filters transformed once at preparation, and
 * the products are transformed back with bias, residual (added or accumulated, as ResNet's basic blocks need)
 * and activation ({@link WinogradTransforms#output}). F(4x4, 3x3) does 36 multiplies per 16 outputs and F(2x2, 3x3)
 * 16 per 4, against direct convolution's 144 and 36; oneDNN 3 has no f32 Winograd convolution for AVX-512 machines
 * of its own.
 *
 * <p>Exactness: the transforms' coefficients (up to 8, and 1/24 in the filters, for F(4x4, 3x3)) cost a few more
 * units in the last place than direct convolution; {@code WinogradConvolutionTest} bounds the error against a double
 * reference.
 *
 * <p>Memory: the transformed filters hold 36 (or 16) values for every 9, shared between a session's networks like
 * every placed constant; the device caps their size ({@link CpuDevice#WINOGRAD_PROPERTY}). The operands of the
 * matmul live in the calling thread's device workspace, so they cost nothing per op, and take at most
 * {@link #MAX_OPERAND_BYTES} (or one image's) whatever the batch.
 */
final class WinogradConvolution extends ConvolutionOp {
    private final Size size;
    private final int inChannels;
    private final int outChannels;
    private final int h;
    private final int w;
    private final int tilesH;
    private final int tileCount;
    /** Images per matrix product: their tiles, one image's after another's, are the rows of each point's product. */
    private final int images;
    private final long imageBytesIn;
    private final long imageBytesOut;
    private final long transformedBytes;
    private final long productBytes;
    private final float[] bias;
    private final ChunkedTeam team;
    private final Inputs inputs;
    private final Outputs outputs;
    /** Each team thread's scratch for one row of tiles, by its ticket. */
    private final MemorySegment[] scratch;

    /**
     * Matrix products of fewer rows (tiles of the images of one product) than this are left to direct convolution.
     * Measured on 2 AVX-512 cores, batch 1, F(4x4, 3x3) against oneDNN's direct kernel: 64 channels at 56x56 (196
     * tiles) 0.45-0.65 against 1.0 ms, 256 at 14x14 (16 tiles) 0.53-0.62 against 0.93-0.98 ms, but 512 at 7x7 (4
     * tiles) 0.94-1.06 against 1.08-1.14 ms: with a few rows per matrix product the filters dominate, and there they
     * are four times as large.
     */
    static final int MIN_TILES = 16;

    /**
     * The most bytes of operands (transformed tiles and products) of one matrix product: images of a batch share a
     * product up to this, so that each reads the filters once for the group. On 2 AVX2 cores, batch 32: 512 channels
     * at 7x7 by F(2x2, 3x3) 30-34 ms a call in groups of 8-32 images against 50 ms image by image (oneDNN's direct
     * NHWC kernel: 49 ms); 256 at 14x14 by F(4x4, 3x3) 26-29 ms in groups of 8-16 against 36 ms; 64 at 56x56 34-35 ms
     * in groups of 2-8 against 39 ms. The operands live in the workspace beside a batch's activations, so the cap is
     * the smallest that keeps most of the gain (DG-ResNet-50's peak memory at batch 8: 461-464 MiB, 466-468 with a
     * 16 MiB cap).
     */
    static final long MAX_OPERAND_BYTES = 8L << 20;

    /** Transform chunks per team thread, so that a thread that starts late leaves work the others take. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int CACHE_LINE = 64;

    /**
     * Whether {@code spec} is a convolution this op runs with tiles of {@code size}: 3x3, stride 1, padding 1, no
     * dilation or groups, f32, whole channel blocks of the width the Vector API kernels run at, at least
     * {@link #MIN_TILES} tiles per matrix product.
     */
    static boolean supports(Spec spec, Size size) {
        Layout layout = spec.srcLayout();
        return imagesPerProduct(spec, size) * tilesPerImage(spec, size) >= MIN_TILES
                && spec.kernelH() == 3 && spec.kernelW() == 3 && spec.strideH() == 1 && spec.strideW() == 1
                && spec.padH() == 1 && spec.padW() == 1 && spec.dilationH() == 1 && spec.dilationW() == 1
                && spec.groups() == 1 && spec.dtype() == DType.F32 && spec.dstLayout() == layout && layout.isBlocked()
                && spec.input().dim(1) % layout.channelBlock() == 0 && spec.outChannels() % layout.channelBlock() == 0
                && DgKernelsProvider.vectorized() && WinogradTransforms.supports(layout)
                && WinogradTransforms.supports(spec.activation());
    }

    /** Bytes of the transformed filters of {@code spec} with tiles of {@code size}. */
    static long filterBytes(Spec spec, Size size) {
        return (long) size.points() * spec.input().dim(1) * spec.outChannels() * Float.BYTES;
    }

    /**
     * Images of the batch whose tiles share one matrix product: the largest divisor of the batch whose operands take
     * at most {@link #MAX_OPERAND_BYTES}, at least one image.
     */
    static int imagesPerProduct(Spec spec, Size size) {
        long imageBytes = (long) size.points() * tilesPerImage(spec, size)
                * (spec.input().dim(1) + spec.outChannels()) * Float.BYTES;
        int batch = spec.input().dim(0);
        int images = (int) Math.clamp(MAX_OPERAND_BYTES / imageBytes, 1, batch);
        while (batch % images != 0) {
            images--;
        }
        return images;
    }

    private static int tilesPerImage(Spec spec, Size size) {
        return size.tiles(spec.input().dim(2)) * size.tiles(spec.input().dim(3));
    }

    WinogradConvolution(CpuDevice device, Spec spec, ConvWeights weights, Size size) {
        if (!supports(spec, size)) {
            throw new IllegalArgumentException("not a convolution Winograd " + size + " runs here: " + spec);
        }
        super(device, spec, weights);
        this.size = size;
        this.inChannels = spec.input().dim(1);
        this.outChannels = spec.outChannels();
        this.h = spec.input().dim(2);
        this.w = spec.input().dim(3);
        this.tilesH = size.tiles(h);
        this.tileCount = tilesH * size.tiles(w);
        this.images = imagesPerProduct(spec, size);
        this.imageBytesIn = (long) inChannels * h * w * Float.BYTES;
        this.imageBytesOut = (long) outChannels * h * w * Float.BYTES;
        this.transformedBytes = (long) images * size.points() * tileCount * inChannels * Float.BYTES;
        this.productBytes = (long) images * size.points() * tileCount * outChannels * Float.BYTES;
        this.bias = new float[outChannels];
        if (weights.bias() != null) {
            System.arraycopy(weights.bias(), 0, bias, 0, outChannels);
        }
        this.team = device.team();
        this.inputs = new Inputs(inChannels / spec.srcLayout().channelBlock());
        this.outputs = new Outputs(outChannels / spec.srcLayout().channelBlock());
        this.scratch = new MemorySegment[team.size()];
        build(() -> {
            // Native like every other segment the transforms touch: one kind of segment keeps their accesses
            // compiled for it alone (heap scratch beside native tensors made them several times slower).
            Arena arena = owned.add(Arena.ofShared());
            for (int t = 0; t < scratch.length; t++) {
                scratch[t] = NativeMemory.allocate(arena, WinogradTransforms.scratchBytes(size, w));
            }
            prepareWith(weights);
        });
    }

    private void prepareWith(ConvWeights weights) {
        long p = size.points();
        long rows = (long) images * tileCount;
        try (MemoryDesc src = MemoryDesc.ofTag(new long[] {p, rows, inChannels}, dnnl_f32(), dnnl_abc());
             MemoryDesc dst = MemoryDesc.ofTag(new long[] {p, rows, outChannels}, dnnl_f32(), dnnl_abc());
             MemoryDesc given = MemoryDesc.ofTag(new long[] {p, inChannels, outChannels}, dnnl_f32(), dnnl_abc());
             MemoryDesc any = MemoryDesc.ofTag(new long[] {p, inChannels, outChannels}, dnnl_f32(),
                     dnnl_format_tag_any())) {
            PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_matmul_primitive_desc_create",
                    out -> dnnl_matmul_primitive_desc_create(out, device.engine().handle(), src.handle(),
                            any.handle(), MemorySegment.NULL, dst.handle(), MemorySegment.NULL)));
            try (MemoryDesc chosen = desc.queryMd(dnnl_query_weights_md(), 0)) {
                PreparedPrimitive primitive = prepare(desc,
                        new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST(), DNNL_ARG_WEIGHTS()}, src, dst, chosen);
                try (Arena scratch = Arena.ofConfined()) {
                    MemorySegment transformed = NativeMemory.allocate(scratch, given.byteSize());
                    WinogradTransforms.transformWeights(size, weights.weights(), outChannels, inChannels,
                            transformed);
                    primitive.bind(2, owned.add(device.weights().place(transformed, given, chosen)).data());
                }
            }
        }
    }

    /** {@code winograd_2x3} or {@code winograd_4x3}, and the matmul's implementation. */
    @Override
    public String implementation() {
        return "winograd_" + size.out() + "x3+" + super.implementation();
    }

    @Override
    void convolve(Tensor src, Tensor dst) {
        // Accumulating reads the residual where it writes: each output pixel is read, then written, by one chunk.
        convolve(src, spec.residual() == Residual.ACCUMULATE ? dst : null, dst);
    }

    /** A checked run, {@code residual} null where the spec adds none. */
    @Override
    void convolve(Tensor src, Tensor residual, Tensor dst) {
        int batch = spec.input().dim(0);
        long spent = 0;
        try (CpuDevice.Workspace workspace = device.workspace()) {
            MemorySegment transformed = workspace.buffer(0, transformedBytes);
            MemorySegment products = workspace.buffer(1, productBytes);
            for (int n = 0; n < batch; n += images) {
                long start = System.nanoTime();
                inputs.set(src.segment(), transformed, n * imageBytesIn);
                inputs.runOn();
                long inputNanos = System.nanoTime() - start;
                long productNanos = execute(transformed, products);
                start = System.nanoTime();
                outputs.set(products, dst.segment(), n * imageBytesOut);
                outputs.residual = residual == null ? null : residual.segment();
                outputs.runOn();
                long outputNanos = System.nanoTime() - start;
                device.addTransformNanos(inputNanos + outputNanos);
                spent += inputNanos + productNanos + outputNanos;
            }
        }
        counted(spent);
    }

    /**
     * A transform of the images of one product, its arguments in fields so that splitting it allocates nothing. A
     * chunk is one row of tiles of one image over a group of neighbouring channel blocks, so that one thread writes
     * (or reads) each cache line of the transformed tiles whole, while it is in its cache: with 8 lanes a line holds
     * two blocks' values of a point. Split block by block, the two halves of a line were written far apart in time,
     * often by two cores, and the convolutions ran 2-14% slower (bench/RESULTS.md, 2026-11-27 10:12 UTC).
     */
    private abstract class Transform implements ChunkedTeam.Chunks {
        private final int blocks;
        private final int groupsPerRow;
        private final int blockGroup;
        MemorySegment from;
        MemorySegment to;
        /**
         * Where the product's first image starts in the activation tensor ({@code from} for inputs, {@code to} for
         * outputs).
         */
        long firstImage;

        /**
         * Over {@code blocks} channel blocks: as many groups per row of tiles as give each thread of the team
         * {@link #CHUNKS_PER_THREAD} chunks, groups of whole cache lines.
         */
        Transform(int blocks) {
            int blocksPerLine = Math.max(1, CACHE_LINE / (spec.srcLayout().channelBlock() * Float.BYTES));
            int wanted = Math.clamp(Math.ceilDiv(CHUNKS_PER_THREAD * team.size(), images * tilesH), 1, blocks);
            int lines = Math.ceilDiv(blocks, blocksPerLine);
            this.blockGroup = Math.ceilDiv(lines, Math.min(wanted, lines)) * blocksPerLine;
            this.blocks = blocks;
            this.groupsPerRow = Math.ceilDiv(blocks, blockGroup);
        }

        final void set(MemorySegment from, MemorySegment to, long firstImage) {
            this.from = from;
            this.to = to;
            this.firstImage = firstImage;
        }

        /** Runs the transform over the team, which releases its arguments after. */
        final void runOn() {
            team.run(this, images * tilesH * groupsPerRow);
        }

        @Override
        public final void run(int k, int thread) {
            int image = k / (tilesH * groupsPerRow);
            int row = k / groupsPerRow % tilesH;
            int first = k % groupsPerRow * blockGroup;
            int end = Math.min(first + blockGroup, blocks);
            for (int block = first; block < end; block++) {
                transform(image, block, row, thread);
            }
        }

        /** Transforms one row of tiles of one channel block of the product's image {@code image}. */
        abstract void transform(int image, int block, int row, int thread);

        @Override
        public void release() {
            from = null;
            to = null;
        }
    }

    private final class Inputs extends Transform {
        Inputs(int blocks) {
            super(blocks);
        }

        @Override
        void transform(int image, int block, int row, int thread) {
            WinogradTransforms.input(size, from, firstImage + image * imageBytesIn, h, w, block, row, to, inChannels,
                    image * tileCount, images * tileCount, scratch[thread]);
        }
    }

    private final class Outputs extends Transform {
        /** What to add before the activation, laid out as the destination; null for nothing. */
        MemorySegment residual;

        Outputs(int blocks) {
            super(blocks);
        }

        @Override
        void transform(int image, int block, int row, int thread) {
            WinogradTransforms.output(size, from, outChannels, image * tileCount, images * tileCount, block, row, bias,
                    residual, spec.activation(), to, firstImage + image * imageBytesOut, h, w, scratch[thread]);
        }

        @Override
        public void release() {
            super.release();
            residual = null;
        }
    }
}
