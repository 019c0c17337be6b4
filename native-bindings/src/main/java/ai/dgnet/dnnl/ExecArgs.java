package ai.dgnet.dnnl;

import ai.dgnet.dnnl.c.dnnl_exec_arg_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The native {@code dnnl_exec_arg_t} array of one primitive, built once. Memory objects are rebound to new
 * buffers between runs, so the array itself never changes and a run allocates nothing.
 */
public final class ExecArgs implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment array;
    private final int count;

    private ExecArgs(List<Integer> args, List<Memory> memories) {
        this.arena = Arena.ofShared();
        this.count = args.size();
        this.array = dnnl_exec_arg_t.allocateArray(Math.max(count, 1), arena);
        for (int i = 0; i < count; i++) {
            MemorySegment slot = dnnl_exec_arg_t.asSlice(array, i);
            dnnl_exec_arg_t.arg(slot, args.get(i));
            dnnl_exec_arg_t.memory(slot, memories.get(i).handle());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    int count() {
        return count;
    }

    MemorySegment array() {
        return array;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** Collects (argument index, memory) pairs; the memories stay owned by the caller. */
    public static final class Builder {
        private final List<Integer> args = new ArrayList<>();
        private final List<Memory> memories = new ArrayList<>();

        private Builder() {
        }

        public Builder add(int arg, Memory memory) {
            if (args.contains(arg)) {
                throw new IllegalArgumentException("execution argument " + arg + " given twice");
            }
            args.add(arg);
            memories.add(memory);
            return this;
        }

        public ExecArgs build() {
            return new ExecArgs(args, memories);
        }
    }
}
