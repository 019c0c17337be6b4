package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.op.PreparedOp;

import java.lang.foreign.MemorySegment;

/** What every CPU op shares: the device it runs on, the native objects it owns, and its one primitive. */
abstract class CpuOp implements PreparedOp {
    final CpuDevice device;
    final Owned owned = new Owned();
    private PreparedPrimitive primitive;

    CpuOp(CpuDevice device) {
        this.device = device;
    }

    /**
     * Runs an op's constructor body; if it fails, everything it made so far is released before the exception
     * leaves, so a half-built op leaks nothing.
     */
    final void build(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /**
     * Makes this op's primitive from {@code desc} (already in {@link #owned}), with argument {@code argIds[i]}
     * described by {@code mds[i]}. Per-run buffers come first in the argument order, so {@link #run} binds them
     * by position.
     */
    final PreparedPrimitive prepare(PrimitiveDesc desc, int[] argIds, MemoryDesc... mds) {
        primitive = owned.add(new PreparedPrimitive(device, desc, argIds, mds));
        return primitive;
    }

    /** Binds the two per-run buffers (argument slots 0 and 1) and runs; fixed arity, so a run allocates nothing. */
    final void run(MemorySegment first, MemorySegment second) {
        primitive.bind(0, first);
        primitive.bind(1, second);
        primitive.run();
    }

    /** As {@link #run(MemorySegment, MemorySegment)} with a third per-run buffer in slot 2. */
    final void run(MemorySegment first, MemorySegment second, MemorySegment third) {
        primitive.bind(2, third);
        run(first, second);
    }

    @Override
    public String implementation() {
        return primitive.implementation();
    }

    @Override
    public final boolean optimized() {
        return !implementation().startsWith("ref");
    }

    @Override
    public final void close() {
        device.unregister(this);
        owned.close();
    }
}
