package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.KernelChecks;
import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device's DG kernels, whose weighted sums run on oneDNN's OpenMP threads: the team really is that many
 * threads, a failure on one of them reaches the caller (an exception leaving an upcall would end the JVM), and sums
 * of node-sized tensors in every layout and type are the serial kernels' bit for bit.
 */
class OpenMpTeamTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void runsTheTaskOnceOnEachOfItsThreads(int threads) {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        List<Thread> calls = new ArrayList<>();
        try (OpenMpTeam team = new OpenMpTeam(threads)) {
            for (int round = 0; round < 3; round++) {
                team.runOnAll(() -> {
                    synchronized (calls) {
                        calls.add(Thread.currentThread());
                    }
                    seen.add(Thread.currentThread());
                });
            }
        }
        assertEquals(3 * threads, calls.size(), "runs of the task");
        assertEquals(threads, seen.size(), "distinct threads");
        assertEquals(true, seen.contains(Thread.currentThread()), "the caller is one of them");
    }

    /** The allocation tests count the threads of this name as taking part in a run. */
    @Test
    void itsWorkersAreNamedAsTheAllocationTestsFindThem() {
        assertEquals(KernelChecks.TEAM_THREAD_NAME, OpenMpTeam.THREAD_NAME);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        try (OpenMpTeam team = new OpenMpTeam(3)) {
            team.runOnAll(() -> seen.add(Thread.currentThread()));
        }
        assertEquals(3, seen.size(), "distinct threads");
        for (Thread thread : seen) {
            assertEquals(thread != Thread.currentThread(), thread.getName().startsWith(OpenMpTeam.THREAD_NAME),
                    thread.getName());
        }
    }

    @Test
    void aFailureInTheTeamReachesTheCallerAndTheTeamGoesOn() {
        try (OpenMpTeam team = new OpenMpTeam(2)) {
            IllegalStateException thrown = new IllegalStateException("task failed");
            Thread caller = Thread.currentThread();
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> team.runOnAll(() -> {
                if (Thread.currentThread() != caller) {
                    throw thrown;
                }
            })));
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            team.runOnAll(() -> seen.add(Thread.currentThread()));
            assertEquals(2, seen.size());
        }
    }

    /**
     * A task that calls the team again is refused, and the region it runs in still runs the first task on every
     * thread. Before, the inner call went ahead: it replaced the team's one task and cleared it on return, so a
     * thread of the region that had not started yet could find no task, and its failure was lost.
     */
    @Test
    void aTaskCallingTheTeamAgainIsRefusedAndItsRegionGoesOn() {
        try (OpenMpTeam team = new OpenMpTeam(2)) {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            Thread caller = Thread.currentThread();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.runOnAll(() -> {
                seen.add(Thread.currentThread());
                if (Thread.currentThread() == caller) {
                    team.runOnAll(() -> { });
                }
            }));
            assertEquals("the OpenMP team is already running a task: a task must not call runOnAll again",
                    e.getMessage());
            assertEquals(2, seen.size(), "the first task ran on both threads");
            Set<Thread> next = ConcurrentHashMap.newKeySet();
            team.runOnAll(() -> next.add(Thread.currentThread()));
            assertEquals(2, next.size(), "the team goes on");
        }
    }

    /** Each thread of a region knows its OpenMP number, the caller 0, and keeps it from one region to the next. */
    @Test
    void eachThreadIsAMemberOfAFixedIndex() {
        try (OpenMpTeam team = new OpenMpTeam(2)) {
            Map<Integer, Thread> members = new ConcurrentHashMap<>();
            for (int region = 0; region < 20; region++) {
                team.runOnAll(() -> {
                    Thread before = members.putIfAbsent(team.member(), Thread.currentThread());
                    assertTrue(before == null || before == Thread.currentThread(), "member " + team.member()
                            + " was " + before + ", now " + Thread.currentThread());
                });
            }
            assertEquals(Set.of(0, 1), members.keySet());
            assertSame(Thread.currentThread(), members.get(0));
        }
    }

    @Test
    void aClosedTeamRunsTheTaskOnTheCaller() {
        OpenMpTeam team = new OpenMpTeam(2);
        team.close();
        List<Thread> seen = new ArrayList<>();
        team.runOnAll(() -> seen.add(Thread.currentThread()));
        assertEquals(List.of(Thread.currentThread()), seen);
    }

    /** Instances of over 128 K elements (37 channels: blocked layouts pad them), so that the device splits them. */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void deviceSumsAreTheSerialSumsInEveryLayout(Layout layout) {
        try (CpuDevice device = CpuDevice.create(2)) {
            DgKernels kernels = device.dgKernels();
            assertTrue(kernels.name().contains("split over 2 threads"), "a 2-thread device splits: " + kernels.name());
            KernelChecks.assertInstanceSumsMatch(kernels, DgKernelsProvider.get(), Shape.of(2, 37, 61, 59), layout);
        }
    }

    @Test
    void oneThreadDeviceKeepsTheSerialKernels() {
        try (CpuDevice device = CpuDevice.create(1)) {
            assertEquals(DgKernelsProvider.get().name(), device.dgKernels().name(), "the serial kernels, timed");
        }
    }

    /**
     * Split sums and poolings allocate nothing once compiled: counted on the calling thread and the team's threads,
     * since the OpenMP threads run Java code too. Not a timing; it needs C2.
     */
    @Test
    void steadyStateSplitSumsAndPoolingsAllocateNothing() {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        Shape shape = Shape.of(1, 32, 64, 64);
        try (CpuDevice device = CpuDevice.create(2);
             Tensor a = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor b = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor dst = device.allocate(shape, DType.F32, Layout.NCHW16C)) {
            DgKernels kernels = device.dgKernels();
            MemorySegment[] sources = {a.segment(), b.segment()};
            long[] offsets = new long[2];
            float[] weights = {0.5f, 0.25f};
            float[] means = new float[shape.dim(1)];
            long length = shape.elements();
            long allocated = KernelChecks.allocatedOnceWarm(threads, () -> {
                kernels.weightedSum(dst.segment(), 0, length, DType.F32, sources, offsets, weights, 2);
                kernels.channelMeans(a.segment(), shape, Layout.NCHW16C, DType.F32, 0, means);
            }, 500, 200);
            assertEquals(0, allocated, "bytes allocated by 200 split sums and poolings");
        }
    }
}
