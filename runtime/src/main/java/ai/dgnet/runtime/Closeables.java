package ai.dgnet.runtime;

import java.util.Arrays;

/**
 * Closing of the parts of a composite resource. Each part is closed even where one before it fails: stopping at the
 * first failure would leave the rest (native memory, oneDNN primitives) open for the life of the process.
 */
public final class Closeables {
    private Closeables() {
    }

    /** Cleans up after {@code failure}; see {@link #closeAfter(Throwable, Iterable)}. */
    public static <E extends Throwable> E closeAfter(E failure, AutoCloseable... parts) {
        return closeAfter(failure, Arrays.asList(parts));
    }

    /**
     * Cleans up after {@code failure}: closes each of {@code parts} as {@link #closeAll(Iterable)} does, but adds
     * the first of their failures (with the later ones suppressed in it) to {@code failure} as suppressed, so that the
     * error that says what went wrong is the one thrown. Returns {@code failure}, for
     * {@code throw Closeables.closeAfter(e, parts)}.
     */
    public static <E extends Throwable> E closeAfter(E failure, Iterable<? extends AutoCloseable> parts) {
        try {
            closeAll(parts);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** Closes each of {@code parts}, skipping nulls; see {@link #closeAll(Iterable)}. */
    public static void closeAll(AutoCloseable... parts) {
        closeAll(Arrays.asList(parts));
    }

    /**
     * Closes each of {@code parts} in order, skipping nulls, all of them whatever fails; then throws the first
     * failure (a checked one wrapped in an {@link IllegalStateException}) with the later ones added as suppressed.
     */
    public static void closeAll(Iterable<? extends AutoCloseable> parts) {
        RuntimeException failure = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else if (e != failure) {
                    // The same exception from two parts (one cached, say): suppressing it in itself would throw.
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
