package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Pool2d;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_pooling_forward_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_forward_inference;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_pooling_avg_exclude_padding;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_pooling_avg_include_padding;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_pooling_max;

/** oneDNN forward pooling (max or average), source and destination in the spec's layout. */
final class Pooling extends CpuOp implements Pool2d {
    private final Spec spec;
    /** The spec computes it anew; kept so that a run allocates nothing. */
    private final Shape output;

    Pooling(CpuDevice device, Spec spec) {
        super(device);
        this.spec = spec;
        this.output = spec.output();
        build(() -> {
            try (MemoryDesc src = CpuDevice.describe(spec.input(), spec.dtype(), spec.layout());
                 MemoryDesc dst = CpuDevice.describe(spec.output(), spec.dtype(), spec.layout());
                 Arena arena = Arena.ofConfined()) {
                PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_pooling_forward_primitive_desc_create",
                        out -> dnnl_pooling_forward_primitive_desc_create(out, device.engine().handle(),
                                dnnl_forward_inference(), algorithm(spec.kind()), src.handle(), dst.handle(),
                                MemoryDesc.dimsOf(arena, spec.strideH(), spec.strideW()),
                                MemoryDesc.dimsOf(arena, spec.kernelH(), spec.kernelW()),
                                MemoryDesc.dimsOf(arena, 0, 0),
                                MemoryDesc.dimsOf(arena, spec.padH(), spec.padW()),
                                MemoryDesc.dimsOf(arena, spec.padH(), spec.padW()),
                                MemorySegment.NULL)));
                prepare(desc, new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST()}, src, dst);
            }
        });
    }

    private static int algorithm(Kind kind) {
        return switch (kind) {
            case MAX -> dnnl_pooling_max();
            case AVG_INCLUDE_PADDING -> dnnl_pooling_avg_include_padding();
            case AVG_EXCLUDE_PADDING -> dnnl_pooling_avg_exclude_padding();
        };
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        src.require(spec.input(), spec.dtype(), spec.layout(), "pooling source");
        dst.require(output, spec.dtype(), spec.layout(), "pooling destination");
        src.requireApart(dst, "pooling source and destination");
        run(src.segment(), dst.segment());
    }
}
