package ai.dgnet.dnnl;

import java.lang.foreign.MemorySegment;

/** A oneDNN C call that creates an object and writes its handle through its first (out) argument. */
@FunctionalInterface
public interface HandleCreator {
    /** Returns the call's {@code dnnl_status_t}. */
    int create(MemorySegment out);
}
