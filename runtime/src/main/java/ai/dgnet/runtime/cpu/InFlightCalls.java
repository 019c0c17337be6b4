package ai.dgnet.runtime.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Native calls that their owner's close must wait for. oneDNN's primitives and OpenMP's parallel regions work on
 * memory and code (an upcall stub) that closing frees; a close from another thread while one of them runs would free
 * them under it and take the process down. A call enters before it starts and leaves when it ends; closing refuses
 * new calls, then waits for those that entered.
 */
final class InFlightCalls {
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    /** Enters a call; false once {@link #close()} has begun, and then the call must not start. */
    boolean enter() {
        running.incrementAndGet();
        if (closed) {
            running.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Leaves a call that {@link #enter()} let in. */
    void exit() {
        running.decrementAndGet();
    }

    boolean closed() {
        return closed;
    }

    /** Refuses new calls from now on. */
    void close() {
        closed = true;
    }

    /**
     * Returns once every call that entered before {@link #close()} has left. A call that entered has seen the flag
     * unset, so it incremented the count before the flag was set, and the count read here after setting it shows it.
     */
    void awaitCalls() {
        while (running.get() != 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
