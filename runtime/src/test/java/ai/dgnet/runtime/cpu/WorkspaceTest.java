package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.InsufficientMemoryException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A thread's workspace: grown to the largest need, refused past the memory available, freed on request. */
class WorkspaceTest {
    private static final long MIB = 1L << 20;

    @Test
    void aWorkspaceThatDoesNotFitIsRefusedAndTheNextOneStillServes() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "memory is checked on Linux only");
        try (CpuDevice device = CpuDevice.create(1)) {
            device.workspace(0, 4 * MIB).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> device.workspace(0, 1L << 50));
            assertTrue(e.getMessage().startsWith("not enough memory for a buffer of 1048576.0 GiB"), e.getMessage());
            MemorySegment again = device.workspace(0, 4 * MIB);
            again.set(ValueLayout.JAVA_BYTE, 4 * MIB - 1, (byte) 2);
            assertEquals(2, again.get(ValueLayout.JAVA_BYTE, 4 * MIB - 1));
        }
    }

    /**
     * A Winograd or NHWC convolution run on a thread after its device closed asks for its workspace before anything
     * else: that used to grow a new buffer in the thread's closed state, which nothing frees any more.
     */
    @Test
    void aClosedDeviceHandsOutNoWorkspace() {
        CpuDevice device = CpuDevice.create(1);
        device.workspace(0, MIB);
        device.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> device.workspace(0, 4 * MIB));
        assertEquals("device is closed", e.getMessage());
    }

    /**
     * Each thread that ran ops kept its stream and workspace until the device closed, so a process that runs every
     * request on a new thread (a virtual one each) grew by a workspace per request.
     */
    @Test
    void aThreadThatEndedLeavesItsWorkspaceToBeFreedWhenTheNextThreadComes() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(1)) {
            List<MemorySegment> workspaces = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                MemorySegment[] workspace = new MemorySegment[1];
                Thread.ofVirtual().start(() -> workspace[0] = device.workspace(0, 4 * MIB)).join();
                workspaces.add(workspace[0]);
            }
            for (int t = 0; t < 19; t++) {
                assertFalse(workspaces.get(t).scope().isAlive(), "thread " + t + "'s workspace");
            }
            assertTrue(workspaces.getLast().scope().isAlive(), "the last thread's: no thread came after it");
        }
    }

    @Test
    void releasingScratchFreesTheCallingThreadsWorkspaceOnly() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(1)) {
            MemorySegment mine = device.workspace(1, 8 * MIB);
            AtomicReference<MemorySegment> theirs = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> theirs.set(device.workspace(1, 8 * MIB)));
            other.join();

            device.releaseScratch();
            assertFalse(mine.scope().isAlive(), "the calling thread's workspace is freed");
            assertTrue(theirs.get().scope().isAlive(), "another thread's is not: its ops may be running");
            MemorySegment grown = device.workspace(1, MIB);
            assertEquals(MIB, grown.byteSize(), "grown again only as far as asked");
            grown.set(ValueLayout.JAVA_BYTE, MIB - 1, (byte) 3);
        }
    }
}
