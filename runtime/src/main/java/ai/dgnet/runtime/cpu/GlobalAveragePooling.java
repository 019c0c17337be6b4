package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.op.GlobalAvgPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_pooling_forward_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_forward_inference;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nchw;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_pooling_avg_exclude_padding;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Global average pooling as one oneDNN pooling whose kernel is the whole image. The destination is a
 * {@code [N, C, 1, 1]} with exactly the bytes of {@code [N, C]} in {@code NC}: the head's linear layer reads it
 * with no reorder, whatever layout the activations had.
 *
 * <p>Where oneDNN has only its reference kernel for the pooling (bf16 sources into the f32 destination, on every
 * layout in oneDNN 3.13: 0.62 ms per run of ResNet-50's 2048 channels at 7x7 on 2 AVX-512 cores, 5% of a bf16
 * inference), the device's DG kernels take the channel means instead, as the routers' pooling does.
 */
final class GlobalAveragePooling extends CpuOp implements GlobalAvgPool {
    private final Shape input;
    private final Shape output;
    private final DType dtype;
    private final Layout layout;
    /** The DG kernels and the means they write, where they replace oneDNN's reference kernel; else null. */
    private final DgKernels kernels;
    private final float[][] means;

    GlobalAveragePooling(CpuDevice device, Shape input, DType dtype, Layout layout) {
        super(device);
        this.input = input.requireRank(4, "global average pooling input");
        layout.requireRank(input);
        this.output = GlobalAvgPool.output(input);
        this.dtype = dtype;
        this.layout = layout;
        boolean[] optimized = new boolean[1];
        build(() -> {
            try (MemoryDesc src = CpuDevice.describe(input, dtype, layout);
                 MemoryDesc dst = MemoryDesc.ofTag(new long[] {input.dim(0), input.dim(1), 1, 1},
                         CpuDevice.dataType(DType.F32), destinationTag(input, layout));
                 Arena arena = Arena.ofConfined()) {
                PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_pooling_forward_primitive_desc_create",
                        out -> dnnl_pooling_forward_primitive_desc_create(out, device.engine().handle(),
                                dnnl_forward_inference(), dnnl_pooling_avg_exclude_padding(), src.handle(),
                                dst.handle(),
                                MemoryDesc.dimsOf(arena, 1, 1),
                                MemoryDesc.dimsOf(arena, input.dim(2), input.dim(3)),
                                MemoryDesc.dimsOf(arena, 0, 0),
                                MemoryDesc.dimsOf(arena, 0, 0),
                                MemoryDesc.dimsOf(arena, 0, 0),
                                MemorySegment.NULL)));
                optimized[0] = optimized(desc.implementation());
                if (optimized[0]) {
                    prepare(desc, new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST()}, src, dst);
                }
            }
        });
        this.kernels = optimized[0] ? null : device.untimedDgKernels();
        this.means = optimized[0] ? null : new float[input.dim(0)][input.dim(1)];
    }

    /**
     * At 1x1 every layout without channel padding stores {@code [N, C]} row-major, so the destination can keep
     * the source's layout, which oneDNN's optimized pooling wants; only padded blocks need plain NCHW (and get
     * its generic kernel).
     */
    private static int destinationTag(Shape input, Layout layout) {
        Shape pooled = Shape.of(input.dim(0), input.dim(1), 1, 1);
        return layout.storageElements(pooled) == pooled.elements() ? CpuDevice.formatTag(layout) : dnnl_nchw();
    }

    @Override
    public Shape input() {
        return input;
    }

    @Override
    public String describe() {
        return GlobalAvgPool.describe(input, dtype);
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        src.require(input, dtype, layout, "global average pooling source");
        dst.require(output, DType.F32, Layout.NC, "global average pooling destination");
        src.requireApart(dst, "global average pooling source and destination");
        if (kernels == null) {
            run(src.segment(), dst.segment());
            return;
        }
        long start = System.nanoTime();
        kernels.channelMeans(src.segment(), input, layout, dtype, means);
        MemorySegment features = dst.segment();
        int channels = input.dim(1);
        for (int n = 0; n < means.length; n++) {
            MemorySegment.copy(means[n], 0, features, JAVA_FLOAT, (long) n * channels * Float.BYTES, channels);
        }
        counted(System.nanoTime() - start);
    }

    /** oneDNN's kernel, or the DG kernels' where they replace its reference one. */
    @Override
    public String implementation() {
        return kernels == null ? super.implementation() : "java:dg_channel_means";
    }
}
