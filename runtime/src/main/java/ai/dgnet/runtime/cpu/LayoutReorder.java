package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Reorder;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_reorder_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_FROM;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_TO;

/** oneDNN's reorder: a copy between layouts and/or element types (f32 to bf16 rounds to nearest even). */
final class LayoutReorder extends CpuOp implements Reorder {
    private final Spec spec;

    LayoutReorder(CpuDevice device, Spec spec) {
        super(device);
        this.spec = spec;
        build(() -> {
            try (MemoryDesc src = CpuDevice.describe(spec.shape(), spec.srcType(), spec.srcLayout());
                 MemoryDesc dst = CpuDevice.describe(spec.shape(), spec.dstType(), spec.dstLayout())) {
                PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_reorder_primitive_desc_create",
                        out -> dnnl_reorder_primitive_desc_create(out, src.handle(), device.engine().handle(),
                                dst.handle(), device.engine().handle(), MemorySegment.NULL)));
                prepare(desc, new int[] {DNNL_ARG_FROM(), DNNL_ARG_TO()}, src, dst);
            }
        });
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor src, Tensor dst) {
        src.require(spec.shape(), spec.srcType(), spec.srcLayout(), "reorder source");
        dst.require(spec.shape(), spec.dstType(), spec.dstLayout(), "reorder destination");
        src.requireApart(dst, "reorder source and destination");
        run(src.segment(), dst.segment());
    }
}
