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
