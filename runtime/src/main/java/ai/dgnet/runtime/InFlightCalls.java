package ai.dgnet.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Uses of native memory or code that their owner's close must wait for. oneDNN's primitives, OpenMP's parallel
 * regions and a session's run work on memory and code (an upcall stub) that closing frees; a close from another
 * thread while one of them runs would free them under it and take the process down. A use enters before it starts
 * and leaves when it ends; closing refuses new uses, then waits for those that entered.
 */
public final class InFlightCalls {
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    /** Enters a use; false once {@link #close()} has begun, and then the use must not start. */
    public boolean enter() {
        running.incrementAndGet();
        if (closed) {
            running.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Leaves a use that {@link #enter()} let in. */
    public void exit() {
        running.decrementAndGet();
    }

    public boolean closed() {
        return closed;
    }

    /** Refuses new uses from now on; returns whether this call did, false where another close came first. */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /**
     * Returns once every use that entered before {@link #close()} has left. A use that entered has seen the flag
     * unset, so it incremented the count before the flag was set, and the count read here after setting it shows it.
     */
    public void awaitCalls() {
        while (running.get() != 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
