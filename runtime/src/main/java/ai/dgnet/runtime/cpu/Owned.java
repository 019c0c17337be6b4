package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.Closeables;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The native objects one op owns, closed in reverse order of creation. Ops build through it so that a failure
 * half-way through a constructor releases whatever was already made.
 */
final class Owned implements AutoCloseable {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T item) {
        items.push(item);
        return item;
    }

    /** Synchronized: an op's session and its device may close it from two threads at once. */
    @Override
    public synchronized void close() {
        List<AutoCloseable> newestFirst = List.copyOf(items);
        items.clear();
        Closeables.closeAll(newestFirst);
    }
}
