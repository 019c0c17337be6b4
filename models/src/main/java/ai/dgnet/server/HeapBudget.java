package ai.dgnet.server;

import static ai.dgnet.runtime.NativeMemory.formatBytes;

/**
 * The Java heap that requests may hold at once: their bodies, the values read from them, their decoded images.
 *
 * <p>Without a bound, enough large requests at once exhaust the heap, and the {@link OutOfMemoryError} then lands in
 * whichever thread allocates next (the HTTP server's own, a model's worker) rather than in a request that caused it:
 * 18 of 24 concurrent 27 MB requests to a server of 256 MiB of heap were dropped without an answer. So each request
 * takes its bytes from this budget before it allocates them and gives them back once it is answered; one that would
 * pass the budget is refused instead: 503 (with {@code Retry-After}) while other requests hold part of it, 413 where
 * it alone needs more than all of it.
 */
final class HeapBudget {
    private final long limit;
    private long held;

    /** A budget of {@code limit} bytes. */
    HeapBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a heap budget must be >= 1 byte, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Half the heap this JVM may grow to: the other half holds the server's own objects (about 30 MB), the answers
     * being written, and garbage no collection has reclaimed yet; a larger {@code -Xmx} gives requests more.
     */
    static HeapBudget halfOfHeap() {
        return new HeapBudget(Runtime.getRuntime().maxMemory() / 2);
    }

    long limit() {
        return limit;
    }

    /** The bytes requests hold now. */
    synchronized long held() {
        return held;
    }

    /** A request's share, empty until it takes some; closing it gives back all it took. */
    Claim claim() {
        return new Claim();
    }

    /** What one request holds of the budget; for one thread. */
    final class Claim implements AutoCloseable {
        private long bytes;

        /**
         * Takes {@code n} more bytes for {@code what} (named in the refusal), before they are allocated; a
         * {@link RequestException} refuses them.
         */
        void take(long n, String what) {
            if (n < 0) {
                throw new IllegalArgumentException("bytes to take must be >= 0, got " + n);
            }
            synchronized (HeapBudget.this) {
                if (n > limit - bytes) {
                    throw RequestException.tooLarge("the request needs more than the server's " + formatBytes(limit)
                            + " of Java heap for requests (" + what + " would take " + formatBytes(n) + " more, after "
                            + formatBytes(bytes) + "): send a smaller one, or start the server with a larger heap");
                }
                if (n > limit - held) {
                    throw RequestException.unavailable("busy: requests in flight hold " + formatBytes(held) + " of the "
                            + formatBytes(limit) + " of Java heap the server gives requests, and " + what + " needs "
                            + formatBytes(n) + " more");
                }
                held += n;
                bytes += n;
            }
        }

        /** Gives back {@code n} of the bytes taken, once what held them is garbage. */
        void give(long n) {
            if (n < 0 || n > bytes) {
                throw new IllegalArgumentException("bytes to give back must be in [0, " + bytes + "], got " + n);
            }
            synchronized (HeapBudget.this) {
                held -= n;
                bytes -= n;
            }
        }

        /** Gives back all this claim took. */
        @Override
        public void close() {
            give(bytes);
        }
    }
}
