package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.PrimitiveDesc;
import ai.dgnet.runtime.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_reorder_primitive_desc_create;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_FROM;
import static ai.dgnet.dnnl.c.dnnl_types_h.DNNL_ARG_TO;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Constant parameters placed once in the memory layout a primitive chose, and shared: ops whose constants are
 * bit-identical and laid out alike use one buffer (found by a fingerprint of the values, confirmed by their bytes).
 * A session prepares one network per input shape, so without this every batch size would hold its own copy of
 * every reordered weight (about 100 MB for ResNet-50).
 * Each op holds a {@link Placed} reference; the buffer is freed when the last one is closed. Thread-safe.
 */
final class Weights {
    private final CpuDevice device;
    private final Function<MemorySegment, Fingerprint> fingerprint;
    private final Map<Fingerprint, List<Entry>> entries = new HashMap<>();

    Weights(CpuDevice device) {
        this(device, Fingerprint::of);
    }

    /** With {@code fingerprint} for {@link Fingerprint#of}: for tests, to make different values' prints equal. */
    Weights(CpuDevice device, Function<MemorySegment, Fingerprint> fingerprint) {
        this.device = device;
        this.fingerprint = fingerprint;
    }

    /** A reference to one placed buffer; closing it releases the buffer once no op uses it any more. */
    static final class Placed implements AutoCloseable {
        private final Weights owner;
        private final Entry entry;
        private boolean closed;

        private Placed(Weights owner, Entry entry) {
            this.owner = owner;
            this.entry = entry;
        }

        MemorySegment data() {
            return entry.data;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                owner.release(entry);
            }
        }
    }

    /** Content identity: two independent 64-bit hashes of the bits and the count; equal content, equal print. */
    record Fingerprint(long first, long second, long length) {
        static Fingerprint of(MemorySegment values) {
            long a = 0x9E3779B97F4A7C15L;
            long b = 0xC2B2AE3D27D4EB4FL;
            long count = values.byteSize() / Float.BYTES;
            for (long i = 0; i < count; i++) {
                int bits = values.getAtIndex(JAVA_INT, i);
                a = (a ^ bits) * 0x100000001B3L;
                b = Long.rotateLeft(b + bits * 0x9E3779B97F4A7C15L, 31) * 0xBF58476D1CE4E5B9L;
            }
            return new Fingerprint(a, b, count);
        }
    }

    private static final class Entry {
        final Fingerprint print;
        final MemoryDesc layout;
        final Arena arena;
        final MemorySegment data;
        int users;

        Entry(Fingerprint print, MemoryDesc layout, Arena arena, MemorySegment data) {
            this.print = print;
            this.layout = layout;
            this.arena = arena;
            this.data = data;
        }
    }

    /**
     * {@code values} (laid out as {@code given} describes) in the layout {@code wanted} describes: an existing buffer
     * when one holds the same values in that layout, else a new one (a one-off reorder primitive converts when the
     * two layouts differ). A buffer whose print matches is compared byte by byte before it is shared (once per match,
     * at preparation only; converting the values into a scratch buffer first where the layouts differ): prints of
     * different values can be equal, however rarely, and an op would then run silently with another's weights.
     */
    Placed place(float[] values, MemoryDesc given, MemoryDesc wanted) {
        if (given.byteSize() != (long) values.length * Float.BYTES) {
            throw new IllegalArgumentException("expected " + given.byteSize() / Float.BYTES + " weight values, got "
                    + values.length);
        }
        return place(MemorySegment.ofArray(values), given, wanted);
    }

    /**
     * As {@link #place(float[], MemoryDesc, MemoryDesc)}, for f32 values in a segment: constants computed at
     * preparation (Winograd's transformed filters) are made off the Java heap, where tens of megabytes of
     * short-lived arrays would be promoted to the old generation and stay resident.
     */
    synchronized Placed place(MemorySegment values, MemoryDesc given, MemoryDesc wanted) {
        if (given.byteSize() != values.byteSize()) {
            throw new IllegalArgumentException("expected " + given.byteSize() + " bytes of weights, got "
                    + values.byteSize());
        }
        Fingerprint print = fingerprint.apply(values);
        List<Entry> alike = entries.computeIfAbsent(print, p -> new ArrayList<>());
        for (Entry entry : alike) {
            if (entry.layout.sameLayoutAs(wanted) && holds(entry, values, given)) {
                entry.users++;
                return new Placed(this, entry);
            }
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment data = NativeMemory.allocate(arena, wanted.byteSize());
            convert(values, given, wanted, data);
            Entry entry = new Entry(print, MemoryDesc.copyOf(wanted.handle()), arena, data);
            entry.users = 1;
            alike.add(entry);
            return new Placed(this, entry);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Whether {@code entry} holds {@code values} (laid out as {@code given} describes), placed in its layout. */
    private boolean holds(Entry entry, MemorySegment values, MemoryDesc given) {
        if (given.sameLayoutAs(entry.layout)) {
            return values.mismatch(entry.data) < 0;
        }
        // Placed buffers start zeroed, so padding of blocked layouts compares equal too.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment placed = NativeMemory.allocate(scratch, entry.data.byteSize());
            convert(values, given, entry.layout, placed);
            return placed.mismatch(entry.data) < 0;
        }
    }

    private void convert(MemorySegment values, MemoryDesc given, MemoryDesc wanted, MemorySegment placed) {
        if (given.sameLayoutAs(wanted)) {
            MemorySegment.copy(values, 0, placed, 0, values.byteSize());
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment plain = values;
            if (!values.isNative()) {
                plain = NativeMemory.allocate(scratch, given.byteSize());
                MemorySegment.copy(values, 0, plain, 0, values.byteSize());
            }
            try (PrimitiveDesc desc = PrimitiveDesc.create("dnnl_reorder_primitive_desc_create",
                    out -> dnnl_reorder_primitive_desc_create(out, given.handle(), device.engine().handle(),
                            wanted.handle(), device.engine().handle(), MemorySegment.NULL));
                 PreparedPrimitive reorder = new PreparedPrimitive(device, desc,
                    new int[] {DNNL_ARG_FROM(), DNNL_ARG_TO()}, new MemoryDesc[] {given, wanted})) {
                reorder.bind(0, plain);
                reorder.bind(1, placed);
                reorder.run();
            }
        }
    }

    private synchronized void release(Entry entry) {
        if (--entry.users > 0) {
            return;
        }
        List<Entry> alike = entries.get(entry.print);
        alike.remove(entry);
        if (alike.isEmpty()) {
            entries.remove(entry.print);
        }
        entry.layout.close();
        entry.arena.close();
    }

    /** Distinct buffers held now; for tests. */
    synchronized int buffers() {
        return entries.values().stream().mapToInt(List::size).sum();
    }
}
