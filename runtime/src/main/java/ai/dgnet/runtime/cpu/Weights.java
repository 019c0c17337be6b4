package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_reorder_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_FROM;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_TO;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/** Puts constant parameters, once, into the memory layout a primitive chose for them. */
final class Weights {
    private static final long ALIGNMENT = 64;

    private Weights() {
    }

    /**
     * Returns a buffer in {@code arena} holding {@code values} (laid out as {@code given} describes) in the layout
     * {@code wanted} describes; a one-off reorder primitive converts when the two differ.
     */
    static MemorySegment place(CpuDevice device, Arena arena, float[] values, MemoryDesc given, MemoryDesc wanted) {
        if (given.byteSize() != (long) values.length * Float.BYTES) {
            throw new IllegalArgumentException("expected " + given.byteSize() / Float.BYTES + " weight values, got "
                    + values.length);
        }
        MemorySegment placed = arena.allocate(wanted.byteSize(), ALIGNMENT);
        if (given.sameLayoutAs(wanted)) {
            MemorySegment.copy(values, 0, placed, JAVA_FLOAT, 0, values.length);
            return placed;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment plain = scratch.allocate(given.byteSize(), ALIGNMENT);
            MemorySegment.copy(values, 0, plain, JAVA_FLOAT, 0, values.length);
            try (PrimitiveDesc desc = PrimitiveDesc.create("dnnl_reorder_primitive_desc_create",
                    out -> dnnl_reorder_primitive_desc_create(out, given.handle(), device.engine().handle(),
                            wanted.handle(), device.engine().handle(), MemorySegment.NULL));
                 PreparedPrimitive reorder = new PreparedPrimitive(device, desc,
                    new int[] {DNNL_ARG_FROM(), DNNL_ARG_TO()}, new MemoryDesc[] {given, wanted})) {
                reorder.bind(0, plain);
                reorder.bind(1, placed);
                reorder.run();
            }
        }
        return placed;
    }
}
