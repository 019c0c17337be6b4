package ai.dgnet.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static ai.dgnet.dnnl.c.sys_mman_h.MADV_HUGEPAGE;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_ANONYMOUS;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_FAILED;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_PRIVATE;
import static ai.dgnet.dnnl.c.sys_mman_h.PROT_READ;
import static ai.dgnet.dnnl.c.sys_mman_h.PROT_WRITE;
import static ai.dgnet.dnnl.c.sys_mman_h.madvise;
import static ai.dgnet.dnnl.c.sys_mman_h.mincore;
import static ai.dgnet.dnnl.c.sys_mman_h.mmap;
import static ai.dgnet.dnnl.c.sys_mman_h.munmap;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Where the runtime's off-heap buffers come from: tensors, placed weights, stage buffers and scratch.
 *
 * <p>A buffer of at least one huge page (2 MiB) is mapped on its own, starting at a huge-page boundary, and its whole
 * huge pages are advised to the kernel for transparent huge pages ({@code MADV_HUGEPAGE}; Linux's default mode,
 * {@code madvise}, gives them only where asked). At batch 1 a network streams its weights from memory on every
 * inference (about 100 MB for ResNet-50), and with 4 KiB pages every 4 KiB of them costs a TLB miss. Measured on 2
 * cores ({@code bench/RESULTS.md}), with their weights on huge pages layer4's convolutions ran up to 6.5% faster,
 * layer3's up to 2.5%, and DG-ResNet-50 about 1%. The partial huge page at the end stays on small pages, so a buffer
 * never holds more resident memory than it touches. Where the kernel has no transparent huge pages the advice is
 * refused and the buffer works as any other. Smaller buffers come from the arena.
 *
 * <p>Linux maps memory without committing it, so a network too large for the machine (a batch or an image size
 * far beyond the usual) would be prepared in full and then killed by the kernel as its first run touched the
 * buffers. A buffer of a huge page or more is therefore refused ({@link InsufficientMemoryException}) where the
 * buffers mapped here and not yet resident (as the kernel counts their pages), with it, would pass the memory
 * available to the process. The buffers
 * under a huge page, and what oneDNN allocates itself, are not counted: at most a few megabytes per network.
 */
public final class NativeMemory {
    /** The huge page of x86-64 Linux. */
    static final long HUGE_PAGE = 2L << 20;
    /**
     * Every buffer's alignment, a cache line: no two buffers share one, and vector loads of a row start on one. Views
     * cut from one buffer keep it by starting at multiples of it.
     */
    public static final long ALIGNMENT = 64;
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    /** The pages {@code mincore} reports on: x86-64 Linux's base page, also under huge pages. */
    private static final long PAGE = 4096;
    /** The live buffers of a huge page or more, whether the process has touched them yet or not. */
    private static final Set<Mapped> MAPPED = ConcurrentHashMap.newKeySet();

    private NativeMemory() {
    }

    /**
     * Zeroed memory of {@code bytes}, aligned to 64 bytes (a huge page when it is at least one), freed when
     * {@code arena} closes.
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a buffer needs a size >= 0 bytes, got " + bytes);
        }
        if (bytes < HUGE_PAGE || !LINUX) {
            return arena.allocate(bytes, ALIGNMENT);
        }
        Residency residency = residency();
        requireRoom(bytes, residency.untouched(), residency.resident(), SystemMemory.available());
        // A huge page more than needed, so that a huge-page boundary lies within the first one; the slack around the
        // buffer is never touched, so it costs address space only.
        long span = Math.addExact(bytes, HUGE_PAGE);
        MemorySegment mapping = mmap(MemorySegment.NULL, span, PROT_READ() | PROT_WRITE(),
                MAP_PRIVATE() | MAP_ANONYMOUS(), -1, 0);
        if (mapping.address() == MAP_FAILED().address()) {
            throw new InsufficientMemoryException("the system refused to map " + formatBytes(bytes) + " for a buffer",
                    true);
        }
        Mapped mapped = new Mapped(MemorySegment.ofAddress((mapping.address() + HUGE_PAGE - 1) & -HUGE_PAGE)
                .reinterpret(bytes));
        MAPPED.add(mapped);
        MemorySegment buffer;
        try {
            buffer = mapped.buffer.reinterpret(arena, ignored -> unmap(mapping, span, mapped));
        } catch (RuntimeException e) {
            unmap(mapping, span, mapped);
            throw e;
        }
        // Advice only: where it is refused (no transparent huge pages here) the buffer is as good on small pages.
        madvise(buffer, bytes & -HUGE_PAGE, MADV_HUGEPAGE());
        return buffer;
    }

    private static void unmap(MemorySegment mapping, long span, Mapped mapped) {
        MAPPED.remove(mapped);
        munmap(mapping, span);
    }

    /**
     * Refuses a new buffer of {@code bytes} where it and the {@code untouched} bytes of the buffers mapped before it
     * (not resident yet: Linux grants a mapping and finds the memory only as it is touched) would pass
     * {@code available}. Closing what holds the {@code resident} buffers would give their bytes back; where the
     * buffer and the untouched ones (most often the rest of the network being prepared, needed as much) pass those
     * and {@code available} together, the refusal is one that freeing cannot help.
     */
    static void requireRoom(long bytes, long untouched, long resident, long available) {
        if (bytes > available - untouched) {
            throw new InsufficientMemoryException("not enough memory for a buffer of " + formatBytes(bytes) + ": "
                    + (untouched > 0 ? formatBytes(untouched) + " of buffers mapped before it are not in use yet, and "
                    : "") + "the process has " + formatBytes(available) + " available",
                    bytes + untouched <= available + resident);
        }
    }

    /**
     * How much of the live buffers of a huge page or more is resident, and how much not touched yet, as the kernel
     * counts their pages ({@code mincore}). A buffer found wholly resident is not asked about again. Called before
     * each such buffer is mapped, never per inference.
     */
    static Residency residency() {
        long resident = 0;
        long untouched = 0;
        for (Mapped mapped : MAPPED) {
            long bytes = mapped.buffer.byteSize();
            long touched = mapped.resident ? bytes : residentBytes(mapped.buffer);
            mapped.resident = touched == bytes;
            resident += touched;
            untouched += bytes - touched;
        }
        return new Residency(resident, untouched);
    }

    /** The bytes of {@code buffer} in resident pages; all of them where the kernel will not say, as granting errs. */
    private static long residentBytes(MemorySegment buffer) {
        long pages = (buffer.byteSize() + PAGE - 1) / PAGE;
        try (Arena arena = Arena.ofConfined()) {
            // One byte per page, whose lowest bit says whether the page is resident.
            MemorySegment vector = arena.allocate(pages);
            if (mincore(buffer, buffer.byteSize(), vector) != 0) {
                return buffer.byteSize();
            }
            long count = 0;
            long words = pages / Long.BYTES;
            for (long i = 0; i < words; i++) {
                count += Long.bitCount(vector.getAtIndex(JAVA_LONG_UNALIGNED, i) & 0x0101010101010101L);
            }
            for (long i = words * Long.BYTES; i < pages; i++) {
                count += vector.get(JAVA_BYTE, i) & 1;
            }
            return Math.min(buffer.byteSize(), count * PAGE);
        }
    }

    /** The bytes of the live buffers of a huge page or more that are {@code resident} and not touched yet. */
    record Residency(long resident, long untouched) {
    }

    /** A buffer mapped on its own; {@code resident} once it was found wholly resident. */
    private static final class Mapped {
        final MemorySegment buffer;
        volatile boolean resident;

        Mapped(MemorySegment buffer) {
            this.buffer = buffer;
        }
    }

    /** {@code bytes} for a message: {@code 3.1 GiB}, {@code 740 MiB}, {@code 59 KiB}, {@code 512 bytes}. */
    public static String formatBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double mib = bytes / (double) (1 << 20);
        return mib >= 1024 ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
                : mib >= 1 ? String.format(Locale.ROOT, "%.0f MiB", mib)
                : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
