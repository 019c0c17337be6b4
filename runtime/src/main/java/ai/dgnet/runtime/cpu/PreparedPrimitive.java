package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.ExecArgs;
import ai.dgnet.dnnl.Memory;
import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.Primitive;
import ai.dgnet.dnnl.PrimitiveDesc;

import java.lang.foreign.MemorySegment;

/**
 * One compiled primitive with a memory object per execution argument and its argument list, all made once.
 * A run only rebinds buffers and executes, so it allocates nothing.
 */
final class PreparedPrimitive implements AutoCloseable {
    private final CpuDevice device;
    private final Owned owned = new Owned();
    private final String implementation;
    private final Primitive primitive;
    private final Memory[] memories;
    /** The address each argument points at; 0 (no buffer) until the first bind. */
    private final long[] bound;
    private final ExecArgs execArgs;

    /**
     * Argument {@code argIds[i]} is described by {@code mds[i]}. The descriptors stay the caller's: oneDNN copies
     * what it needs into the primitive and the memory objects.
     */
    PreparedPrimitive(CpuDevice device, PrimitiveDesc desc, int[] argIds, MemoryDesc[] mds) {
        this.device = device;
        try {
            this.implementation = desc.implementation();
            this.primitive = owned.add(Primitive.of(desc));
            this.memories = new Memory[argIds.length];
            this.bound = new long[argIds.length];
            ExecArgs.Builder builder = ExecArgs.builder();
            for (int i = 0; i < argIds.length; i++) {
                memories[i] = owned.add(Memory.unbound(mds[i], device.engine()));
                builder.add(argIds[i], memories[i]);
            }
            this.execArgs = owned.add(builder.build());
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /**
     * Points argument {@code slot} (its index in the constructor's arrays) at {@code data}. Binding the buffer the
     * argument already points at does nothing. oneDNN would write zeros to the buffer's padding again (blocked
     * layouts round channels up to whole blocks), on every call: a run binds 2 or 3 buffers, and prepared networks
     * pass the same ones every time. That padding is zero already, because every writer of an activation keeps it
     * zero: oneDNN's primitives zero their outputs' padding, the DG kernels write whole blocks of zero-padded
     * sources, and fresh tensors start zeroed.
     */
    void bind(int slot, MemorySegment data) {
        if (data.address() == bound[slot] && data.byteSize() >= memories[slot].byteSize()) {
            return;
        }
        device.bind(memories[slot], data);
        bound[slot] = data.address();
    }

    /** Runs to completion; returns the nanoseconds it took. */
    long run() {
        return device.execute(primitive, execArgs);
    }

    String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        owned.close();
    }
}
