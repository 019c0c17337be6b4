package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.op.OpProfile;
import ai.dgnet.runtime.op.PreparedOp;

import java.lang.foreign.MemorySegment;

/**
 * What every CPU op shares: the device it runs on, the native objects it owns, its one primitive, and the count of
 * its runs and their time for {@link CpuDevice#profile()}.
 */
abstract class CpuOp implements PreparedOp {
    final CpuDevice device;
    final Owned owned = new Owned();
    private PreparedPrimitive primitive;
    /**
     * Runs and their nanoseconds. One op runs on one thread at a time, so each has one writer at a time; volatile, so
     * that a profile taken on another thread sees every finished run, whole (two stores more per run, a few
     * nanoseconds against the microseconds of a primitive).
     */
    private volatile long runs;
    private volatile long nanos;

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

    /**
     * Binds the two per-run buffers (argument slots 0 and 1) and runs: one run of this op. Fixed arity, so a run
     * allocates nothing.
     */
    final void run(MemorySegment first, MemorySegment second) {
        counted(execute(first, second));
    }

    /** As {@link #run(MemorySegment, MemorySegment)}, but as a part of a run: returns its time, counts nothing. */
    final long execute(MemorySegment first, MemorySegment second) {
        primitive.bind(0, first);
        primitive.bind(1, second);
        return primitive.run();
    }

    /** Counts one run of this op that took {@code nanos}. */
    final void counted(long nanos) {
        runs++;
        this.nanos += nanos;
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
    public final OpProfile profile() {
        return new OpProfile(describe(), implementation(), runs, nanos, runs * macs());
    }

    @Override
    public final boolean optimized() {
        return optimized(implementation());
    }

    /**
     * Whether a oneDNN implementation is one of its optimized kernels: not a reference one ({@code ref:any}), and
     * not a composite running one inside ({@code jit_uni_ncsp:conv+ref_fused_convolution:...}).
     */
    static boolean optimized(String implementation) {
        return !implementation.contains("ref");
    }

    @Override
    public final void close() {
        device.unregister(this);
        owned.close();
    }
}
