package ai.dgnet.server;

import java.util.Locale;

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
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};
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

    /** {@code bytes} for a message: {@code 512 bytes}, {@code 18.8 KiB}, {@code 1.5 GiB}. */
    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
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
                    throw new RequestException(413, "the request needs more than the server's " + size(limit)
                            + " of Java heap for requests (" + what + " would take " + size(n) + " more, after "
                            + size(bytes) + "): send a smaller one, or start the server with a larger heap");
                }
                if (n > limit - held) {
                    throw RequestException.unavailable("busy: requests in flight hold " + size(held) + " of the "
                            + size(limit) + " of Java heap the server gives requests, and " + what + " needs "
                            + size(n) + " more");
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
