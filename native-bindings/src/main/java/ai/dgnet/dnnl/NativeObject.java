package ai.dgnet.dnnl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * One oneDNN object and its single owner: {@link #close()} destroys it exactly once, any later use is an
 * {@link IllegalStateException} instead of a use-after-free in native code.
 */
abstract class NativeObject implements AutoCloseable {
    private final MemorySegment handle;
    private final String kind;
    private boolean closed;

    NativeObject(MemorySegment handle, String kind) {
        if (handle.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(kind + ": oneDNN returned a null handle");
        }
        this.handle = handle;
        this.kind = kind;
    }

    /** Calls a creating function with a fresh out-pointer and returns the handle it wrote. */
    static MemorySegment newHandle(String function, HandleCreator creator) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            DnnlException.check(creator.create(out), function);
            return out.get(ADDRESS, 0);
        }
    }

    /** The native handle; valid until {@link #close()}. */
    public final MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException(kind + " is closed");
        }
        return handle;
    }

    /** Destroys the native object; the status is checked so a failed destroy is not silently ignored. */
    abstract int destroy(MemorySegment handle);

    abstract String destroyFunction();

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            DnnlException.check(destroy(handle), destroyFunction());
        }
    }
}
