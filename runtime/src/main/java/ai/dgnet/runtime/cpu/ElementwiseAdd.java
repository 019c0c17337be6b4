package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Add;

import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_binary_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_DST;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC_0;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_SRC_1;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_binary_add;

/** oneDNN's binary add of two tensors of one shape, type and layout. */
final class ElementwiseAdd extends CpuOp implements Add {
    private final Spec spec;

    ElementwiseAdd(CpuDevice device, Spec spec) {
        super(device);
        this.spec = spec;
        build(() -> {
            try (MemoryDesc md = CpuDevice.describe(spec.shape(), spec.dtype(), spec.layout())) {
                PrimitiveDesc desc = owned.add(PrimitiveDesc.create("dnnl_binary_primitive_desc_create",
                        out -> dnnl_binary_primitive_desc_create(out, device.engine().handle(), dnnl_binary_add(),
                                md.handle(), md.handle(), md.handle(), MemorySegment.NULL)));
                prepare(desc, new int[] {DNNL_ARG_SRC_0(), DNNL_ARG_SRC_1(), DNNL_ARG_DST()}, md, md, md);
            }
        });
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public void run(Tensor a, Tensor b, Tensor dst) {
        a.require(spec.shape(), spec.dtype(), spec.layout(), "add operand a");
        b.require(spec.shape(), spec.dtype(), spec.layout(), "add operand b");
        dst.require(spec.shape(), spec.dtype(), spec.layout(), "add destination");
        run(a.segment(), b.segment(), dst.segment());
    }
}
