package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        Shape shape = Shape.of(2, 37, 61, 59);
        DgKernels serial = DgKernelsProvider.get();
        try (CpuDevice device = CpuDevice.create(2)) {
            DgKernels kernels = device.dgKernels();
            assertTrue(kernels.name().contains("split over 2 threads"), "a 2-thread device splits: " + kernels.name());
            for (DType dtype : DType.values()) {
                List<Tensor> tensors = new ArrayList<>();
                try {
                    MemorySegment[] sources = new MemorySegment[3];
                    for (int i = 0; i < sources.length; i++) {
                        Tensor x = device.allocate(shape, dtype, layout);
                        x.copyFrom(Reference.random(50 + i, shape.elements()));
                        tensors.add(x);
                        sources[i] = x.segment();
                    }
                    Tensor split = device.allocate(shape, dtype, layout);
                    Tensor expected = device.allocate(shape, dtype, layout);
                    tensors.add(split);
                    tensors.add(expected);
                    long instance = layout.storageElements(shape) / shape.dim(0);
                    float[] weights = {0.5f, -1.25f, 0.75f};
                    for (int n = 0; n < shape.dim(0); n++) {
                        long[] offsets = {n * instance, n * instance, n * instance};
                        for (int count = 0; count <= 3; count++) {
                            kernels.weightedSum(split.segment(), n * instance, instance, dtype, sources, offsets,
                                    weights, count);
                            serial.weightedSum(expected.segment(), n * instance, instance, dtype, sources, offsets,
                                    weights, count);
                            assertEquals(-1L, expected.segment().mismatch(split.segment()), dtype + " " + layout
                                    + " instance " + n + ", " + count + " sources");
                        }
                    }
                } finally {
                    tensors.forEach(Tensor::close);
                }
            }
        }
    }

    @Test
    void oneThreadDeviceKeepsTheSerialKernels() {
        try (CpuDevice device = CpuDevice.create(1)) {
            assertEquals(DgKernelsProvider.get().name(), device.dgKernels().name(), "the serial kernels, timed");
        }
    }

    /**
     * A split sum allocates nothing on any thread once compiled: counted over all threads, since the OpenMP threads
     * run Java code too. Not a timing; it needs C2.
     */
    @Test
    void steadyStateSplitSumsAllocateNothing() {
        String vmInfo = System.getProperty("java.vm.info", "");
        assumeFalse(vmInfo.contains("interpreted mode") || vmInfo.contains("emulated-client"), "C2 is off");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
        Shape shape = Shape.of(1, 32, 64, 64);
        try (CpuDevice device = CpuDevice.create(2);
             Tensor a = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor b = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor dst = device.allocate(shape, DType.F32, Layout.NCHW16C)) {
            DgKernels kernels = device.dgKernels();
            MemorySegment[] sources = {a.segment(), b.segment()};
            long[] offsets = new long[2];
            float[] weights = {0.5f, 0.25f};
            long length = shape.elements();
            long allocated = -1;
            for (int round = 0; round < 40 && allocated != 0; round++) {
                for (int call = 0; call < 500; call++) {
                    kernels.weightedSum(dst.segment(), 0, length, DType.F32, sources, offsets, weights, 2);
                }
                long before = threads.getTotalThreadAllocatedBytes();
                for (int call = 0; call < 200; call++) {
                    kernels.weightedSum(dst.segment(), 0, length, DType.F32, sources, offsets, weights, 2);
                }
                allocated = threads.getTotalThreadAllocatedBytes() - before;
            }
            assertEquals(0, allocated, "bytes allocated by 200 split sums");
        }
    }
}
