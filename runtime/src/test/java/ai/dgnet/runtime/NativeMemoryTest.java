package ai.dgnet.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeMemoryTest {
    private static final long LARGE = 2 * NativeMemory.HUGE_PAGE + 12_345;

    @Test
    void smallBuffersAreZeroedCacheLinesFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = NativeMemory.allocate(arena, 1000);
            assertEquals(1000, buffer.byteSize());
            assertEquals(0, buffer.address() % 64, "aligned to a cache line");
            assertZero(buffer);
            assertNull(mapping(buffer.address()), "not a mapping of its own");
        }
    }

    @Test
    void largeBuffersAreZeroedAndStartOnAHugePage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = NativeMemory.allocate(arena, LARGE);
            assertEquals(LARGE, buffer.byteSize());
            assertEquals(0, buffer.address() % NativeMemory.HUGE_PAGE, "aligned to a huge page");
            assertZero(buffer);
            buffer.set(JAVA_BYTE, LARGE - 1, (byte) 7);
            assertEquals(7, buffer.get(JAVA_BYTE, LARGE - 1));
        }
    }

    @Test
    void closingTheArenaUnmapsALargeBuffer() {
        Arena arena = Arena.ofShared();
        MemorySegment buffer = NativeMemory.allocate(arena, LARGE);
        long start = buffer.address();
        assertNotNull(mapping(start), "mapped while the arena is open");
        arena.close();
        assertNull(mapping(start), "still mapped after the arena closed");
        assertThrows(IllegalStateException.class, () -> buffer.get(JAVA_BYTE, 0));
    }

    @Test
    void theWholeHugePagesOfALargeBufferAreAdvisedForTransparentHugePages() {
        assumeTrue(Files.exists(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")),
                "this kernel has no transparent huge pages");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = NativeMemory.allocate(arena, LARGE);
            // "hg" in a mapping's VmFlags: advised with MADV_HUGEPAGE.
            List<String> advised = mapping(buffer.address());
            assertNotNull(advised);
            assertTrue(flags(advised).contains("hg"), "advised part: " + advised);
            long tail = buffer.address() + 2 * NativeMemory.HUGE_PAGE;
            List<String> partial = mapping(tail);
            assertNotNull(partial);
            assertFalse(flags(partial).contains("hg"), "the partial last huge page stays on small pages: " + partial);
        }
    }

    @Test
    void aBufferIsRefusedWhereWithTheMappedBuffersNotInUseItWouldPassTheMemoryAvailable() {
        long gib = 1L << 30;
        NativeMemory.requireRoom(6 * gib, 0, 0, 6 * gib);
        NativeMemory.requireRoom(6 * gib, 0, gib, 6 * gib);
        NativeMemory.requireRoom(2 * gib, 4 * gib, gib, 6 * gib);
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> NativeMemory.requireRoom(2 * gib + 1, 4 * gib, gib, 6 * gib));
        assertEquals("not enough memory for a buffer of 2.0 GiB: 4.0 GiB of buffers mapped before it are not in use "
                + "yet, and the process has 6.0 GiB available", e.getMessage());
        assertTrue(e.freeingHelps(), "closing the resident buffers would leave 7 GiB for 6 GiB and a byte");
        e = assertThrows(InsufficientMemoryException.class,
                () -> NativeMemory.requireRoom(700L << 20, 0, gib, 512L << 20));
        assertEquals("not enough memory for a buffer of 700 MiB: the process has 512 MiB available", e.getMessage());
        assertTrue(e.freeingHelps(), "freeing the mapped buffers would leave 1.5 GiB");
    }

    @Test
    void aBufferThatWithTheUntouchedOnesPassesTheMemoryAvailableAndTheResidentBuffersIsOneFreeingCannotHelp() {
        long gib = 1L << 30;
        // 1 GiB mapped and not touched, 2 GiB resident, 6 GiB available: refused past 5 GiB, and closing what holds
        // the resident buffers leaves room for 8 GiB, of which the untouched buffers still need 1.
        assertTrue(assertThrows(InsufficientMemoryException.class,
                () -> NativeMemory.requireRoom(7 * gib, gib, 2 * gib, 6 * gib)).freeingHelps());
        assertFalse(assertThrows(InsufficientMemoryException.class,
                () -> NativeMemory.requireRoom(7 * gib + 1, gib, 2 * gib, 6 * gib)).freeingHelps());
        assertFalse(assertThrows(InsufficientMemoryException.class,
                () -> NativeMemory.requireRoom(gib, 0, 0, gib / 2)).freeingHelps(), "nothing mapped to free");
    }

    /**
     * The buffers' pages not touched yet are counted as the kernel reports them, whatever else the process holds (a
     * Java heap grown by large requests once counted as if it were the buffers' own).
     */
    @Test
    void theBytesNotTouchedYetAreTheBuffersPagesTheKernelHasNotMadeResident() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "Linux maps buffers on their own");
        long bytes = 32 * NativeMemory.HUGE_PAGE;
        NativeMemory.Residency before = NativeMemory.residency();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = NativeMemory.allocate(arena, bytes);
            assertEquals(new NativeMemory.Residency(before.resident(), before.untouched() + bytes),
                    NativeMemory.residency(), "mapped, nothing touched");
            // Whole huge pages, so that the kernel's huge pages make no difference.
            buffer.asSlice(0, bytes / 4).fill((byte) 1);
            assertEquals(new NativeMemory.Residency(before.resident() + bytes / 4,
                    before.untouched() + bytes - bytes / 4), NativeMemory.residency(), "a quarter touched");
            buffer.fill((byte) 1);
            assertEquals(new NativeMemory.Residency(before.resident() + bytes, before.untouched()),
                    NativeMemory.residency(), "all touched");
        }
        assertEquals(before, NativeMemory.residency(), "unmapped");
    }

    @Test
    void buffersPastTheMemoryAvailableAreRefusedBeforeTheyAreMappedAndLoseNothing() {
        long available = SystemMemory.available();
        assumeTrue(available != SystemMemory.UNKNOWN, "this system says nothing of its memory");
        // Mapped and never touched: address space only, so this costs the machine no memory.
        long chunk = Math.max(NativeMemory.HUGE_PAGE, available / 4);
        List<Arena> arenas = new ArrayList<>();
        long mapped = 0;
        InsufficientMemoryException refused = null;
        try {
            while (refused == null && mapped <= 2 * available) {
                Arena arena = Arena.ofShared();
                arenas.add(arena);
                try {
                    NativeMemory.allocate(arena, chunk);
                    mapped += chunk;
                } catch (InsufficientMemoryException e) {
                    refused = e;
                }
            }
        } finally {
            arenas.forEach(Arena::close);
        }
        assertNotNull(refused, mapped + " bytes mapped, " + available + " available");
        assertTrue(mapped <= available + chunk, mapped + " bytes mapped before the refusal, "
                + available + " available");
        // Under strict overcommit (vm.overcommit_memory=2) the kernel may refuse a mapping before the check does.
        assertTrue(refused.getMessage().startsWith("not enough memory for a buffer of ")
                || refused.getMessage().startsWith("the system refused to map "), refused.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(chunk, NativeMemory.allocate(arena, chunk).byteSize(), "the closed buffers' room is back");
        }
    }

    @Test
    void aNegativeSizeIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NativeMemory.allocate(arena, -1));
            assertEquals("a buffer needs a size >= 0 bytes, got -1", e.getMessage());
        }
    }

    private static void assertZero(MemorySegment buffer) {
        long words = buffer.byteSize() / Long.BYTES;
        for (long i = 0; i < words; i++) {
            if (buffer.getAtIndex(JAVA_LONG, i) != 0) {
                throw new AssertionError("bytes " + i * Long.BYTES + " to " + (i * Long.BYTES + 7) + " are not zero");
            }
        }
        for (long b = words * Long.BYTES; b < buffer.byteSize(); b++) {
            assertEquals(0, buffer.get(JAVA_BYTE, b), "byte " + b);
        }
    }

    /**
     * The lines of {@code /proc/self/smaps} for the mapping whose range starts exactly at {@code address}, or null:
     * a buffer of its own starts its mapping (madvise splits the advised part off into one).
     */
    private static List<String> mapping(long address) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/smaps", e);
        }
        List<String> found = null;
        for (String line : lines) {
            int dash = line.indexOf('-');
            boolean header = dash > 0 && line.indexOf(' ') > dash && isHex(line.substring(0, dash));
            if (header) {
                if (found != null) {
                    return found;
                }
                if (HexFormat.fromHexDigitsToLong(line.substring(0, dash)) == address) {
                    found = new ArrayList<>();
                    found.add(line);
                }
            } else if (found != null) {
                found.add(line);
            }
        }
        return found;
    }

    private static boolean isHex(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static List<String> flags(List<String> mapping) {
        return mapping.stream().filter(l -> l.startsWith("VmFlags:"))
                .flatMap(l -> List.of(l.substring("VmFlags:".length()).trim().split("\\s+")).stream())
                .toList();
    }
}
