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

    /** Points argument {@code slot} (its index in the constructor's arrays) at {@code data}. */
    void bind(int slot, MemorySegment data) {
        memories[slot].bind(data);
    }

    void run() {
        device.execute(primitive, execArgs);
    }

    String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        owned.close();
    }
}
