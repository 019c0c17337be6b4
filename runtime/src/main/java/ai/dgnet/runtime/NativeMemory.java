package ai.dgnet.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import static ai.dgnet.dnnl.c.sys_mman_h.MADV_HUGEPAGE;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_ANONYMOUS;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_FAILED;
import static ai.dgnet.dnnl.c.sys_mman_h.MAP_PRIVATE;
import static ai.dgnet.dnnl.c.sys_mman_h.PROT_READ;
import static ai.dgnet.dnnl.c.sys_mman_h.PROT_WRITE;
import static ai.dgnet.dnnl.c.sys_mman_h.madvise;
import static ai.dgnet.dnnl.c.sys_mman_h.mmap;
import static ai.dgnet.dnnl.c.sys_mman_h.munmap;

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
 * buffers mapped here and not yet resident, with it, would pass the memory available to the process. The buffers
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
    /** The bytes of the live buffers of a huge page or more, whether the process has touched them yet or not. */
    private static final AtomicLong MAPPED = new AtomicLong();

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
        requireRoom(bytes, MAPPED.get(), SystemMemory.resident(), SystemMemory.available());
        // A huge page more than needed, so that a huge-page boundary lies within the first one; the slack around the
        // buffer is never touched, so it costs address space only.
        long span = Math.addExact(bytes, HUGE_PAGE);
        MemorySegment mapped = mmap(MemorySegment.NULL, span, PROT_READ() | PROT_WRITE(),
                MAP_PRIVATE() | MAP_ANONYMOUS(), -1, 0);
        if (mapped.address() == MAP_FAILED().address()) {
            throw new InsufficientMemoryException("the system refused to map " + size(bytes) + " for a buffer", true);
        }
        MAPPED.addAndGet(bytes);
        long start = (mapped.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
        MemorySegment buffer;
        try {
            buffer = MemorySegment.ofAddress(start).reinterpret(bytes, arena, ignored -> unmap(mapped, span, bytes));
        } catch (RuntimeException e) {
            unmap(mapped, span, bytes);
            throw e;
        }
        // Advice only: where it is refused (no transparent huge pages here) the buffer is as good on small pages.
        madvise(buffer, bytes & -HUGE_PAGE, MADV_HUGEPAGE());
        return buffer;
    }

    private static void unmap(MemorySegment mapping, long span, long bytes) {
        munmap(mapping, span);
        MAPPED.addAndGet(-bytes);
    }

    /**
     * Refuses a new buffer of {@code bytes} where it and the mapped bytes not yet resident would pass
     * {@code available}. The bytes not yet resident are taken as {@code mapped} less the whole process's
     * {@code resident} set: fewer than there are, since that set also holds the JVM's heap and code, so the check
     * errs towards granting, and still refuses a network far too large long before a run would touch it. Freeing
     * every mapped buffer would give back their resident part as well; a buffer larger than that and
     * {@code available} together is refused as one that freeing cannot help.
     */
    static void requireRoom(long bytes, long mapped, long resident, long available) {
        long untouched = Math.max(0, mapped - resident);
        if (bytes > available - untouched) {
            throw new InsufficientMemoryException("not enough memory for a buffer of " + size(bytes) + ": "
                    + (untouched > 0 ? size(untouched) + " of buffers mapped before it are not in use yet, and " : "")
                    + "the process has " + size(available) + " available",
                    bytes <= available + (mapped - untouched));
        }
    }

    /** {@code bytes} for a message: {@code 3.1 GiB}, {@code 740 MiB}. */
    static String size(long bytes) {
        double mib = bytes / (double) (1 << 20);
        return mib >= 1024 ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
                : String.format(Locale.ROOT, "%.0f MiB", mib);
    }
}
