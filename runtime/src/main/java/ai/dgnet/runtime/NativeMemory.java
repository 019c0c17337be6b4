package ai.dgnet.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
        // A huge page more than needed, so that a huge-page boundary lies within the first one; the slack around the
        // buffer is never touched, so it costs address space only.
        long span = Math.addExact(bytes, HUGE_PAGE);
        MemorySegment mapped = mmap(MemorySegment.NULL, span, PROT_READ() | PROT_WRITE(),
                MAP_PRIVATE() | MAP_ANONYMOUS(), -1, 0);
        if (mapped.address() == MAP_FAILED().address()) {
            throw new OutOfMemoryError("could not map " + bytes + " bytes for a buffer");
        }
        long start = (mapped.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
        MemorySegment buffer;
        try {
            buffer = MemorySegment.ofAddress(start).reinterpret(bytes, arena, ignored -> munmap(mapped, span));
        } catch (RuntimeException e) {
            munmap(mapped, span);
            throw e;
        }
        // Advice only: where it is refused (no transparent huge pages here) the buffer is as good on small pages.
        madvise(buffer, bytes & -HUGE_PAGE, MADV_HUGEPAGE());
        return buffer;
    }
}
