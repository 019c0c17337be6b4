package ai.dgnet.models.arch;

import ai.dgnet.runtime.InsufficientMemoryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BlockScratchTest {
    /**
     * A slot refused memory fails the scratch, and the slots mapped before it go with it: nothing holds the scratch
     * to close it. Mapped and never touched, the first slot costs address space only, which the kernel reports.
     */
    @Test
    void theSlotsMadeBeforeARefusedOneAreFreed() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "this system reports no address space");
        long first = 256L << 20;
        long before = addressSpace();
        assertThrows(InsufficientMemoryException.class, () -> new BlockScratch(new long[] {first, Long.MAX_VALUE / 2}));
        long grown = addressSpace() - before;
        assertTrue(grown < first / 2, "the process kept " + grown + " bytes more address space after the refusal");
    }

    /** The process's address space in bytes ({@code VmSize}). */
    private static long addressSpace() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmSize:")) {
                    return Long.parseLong(line.substring("VmSize:".length()).replace("kB", "").strip()) * 1024;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status", e);
        }
        throw new AssertionError("/proc/self/status has no VmSize");
    }
}
