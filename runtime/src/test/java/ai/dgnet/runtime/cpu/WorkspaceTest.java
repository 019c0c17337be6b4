package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.InsufficientMemoryException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
        try (CpuDevice device = CpuDevice.create(1);
             CpuDevice.Workspace workspace = device.workspace()) {
            workspace.buffer(0, 4 * MIB).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> workspace.buffer(0, 1L << 50));
            assertTrue(e.getMessage().startsWith("not enough memory for a buffer of 1048576.0 GiB"), e.getMessage());
            MemorySegment again = workspace.buffer(0, 4 * MIB);
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
        buffer(device, 0, MIB);
        device.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffer(device, 0, 4 * MIB));
        assertEquals("device is closed", e.getMessage());
        assertEquals(0, device.workspaceBytes());
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
                Thread.ofVirtual().start(() -> workspace[0] = buffer(device, 0, 4 * MIB)).join();
                workspaces.add(workspace[0]);
            }
            for (int t = 0; t < 19; t++) {
                assertFalse(workspaces.get(t).scope().isAlive(), "thread " + t + "'s workspace");
            }
            assertTrue(workspaces.getLast().scope().isAlive(), "the last thread's: no thread came after it");
        }
    }

    /**
     * Only the calling thread's workspace was freed, so a session run from a pool of threads and closed left every
     * other thread's workspace (megabytes each) until the device closed or the thread ended.
     */
    @Test
    void releasingScratchFreesEveryThreadsWorkspace() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(1)) {
            MemorySegment mine = buffer(device, 1, 8 * MIB);
            List<MemorySegment> theirs = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                CountDownLatch grown = new CountDownLatch(1);
                threads.add(Thread.ofPlatform().start(() -> {
                    synchronized (theirs) {
                        theirs.add(buffer(device, 0, 3 * MIB));
                    }
                    grown.countDown();
                    awaitUninterruptibly(done);
                }));
                grown.await();
            }
            assertEquals(14 * MIB, device.workspaceBytes());

            device.releaseScratch();
            assertFalse(mine.scope().isAlive(), "the calling thread's workspace is freed");
            for (MemorySegment buffer : theirs) {
                assertFalse(buffer.scope().isAlive(), "and those of the threads still alive, which run no op now");
            }
            assertEquals(0, device.workspaceBytes());
            device.releaseScratch();
            assertEquals(0, device.workspaceBytes(), "freed once");
            MemorySegment grown = buffer(device, 1, MIB);
            assertEquals(MIB, grown.byteSize(), "grown again only as far as asked");
            grown.set(ValueLayout.JAVA_BYTE, MIB - 1, (byte) 3);
            done.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    /**
     * A thread's workspace held by an op (another session's run, on that thread) is freed only once the op lets go of
     * it: freed under it, the op's kernels would write freed memory.
     */
    @Test
    void releasingScratchWaitsForAWorkspaceInUse() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(1)) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            AtomicReference<MemorySegment> used = new AtomicReference<>();
            Thread op = Thread.ofPlatform().start(() -> {
                try (CpuDevice.Workspace workspace = device.workspace()) {
                    used.set(workspace.buffer(0, 4 * MIB));
                    holding.countDown();
                    awaitUninterruptibly(letGo);
                    used.get().fill((byte) 7);
                }
            });
            holding.await();
            Thread releaser = Thread.ofPlatform().start(device::releaseScratch);
            releaser.join(200);
            assertTrue(releaser.isAlive(), "the release waits for the op");
            assertTrue(used.get().scope().isAlive(), "and frees nothing under it");
            letGo.countDown();
            op.join();
            releaser.join();
            assertFalse(used.get().scope().isAlive(), "freed once the op let go");
            assertEquals(0, device.workspaceBytes());
        }
    }

    /** Buffer {@code slot} of the calling thread's workspace, held only while it is taken. */
    private static MemorySegment buffer(CpuDevice device, int slot, long bytes) {
        try (CpuDevice.Workspace workspace = device.workspace()) {
            return workspace.buffer(slot, bytes);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // Only the test's own latches end the wait.
            }
        }
    }
}
