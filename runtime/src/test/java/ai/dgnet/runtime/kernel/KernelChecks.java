package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import com.sun.management.ThreadMXBean;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Checks shared by the kernel tests here, the device's tests of its split kernels and the models' tests. */
public final class KernelChecks {
    /**
     * What the device's OpenMP team names its worker threads (the caller of a run is the team's thread 0); the same
     * as the device's own constant, which {@code OpenMpTeamTest} checks.
     */
    public static final String TEAM_THREAD_NAME = "dgnet-openmp-";

    private KernelChecks() {
    }

    /**
     * The JVM's per-thread allocation counter, for tests that kernels allocate nothing once compiled; skips the test
     * where C2 is off (the Vector API allocates in the interpreter) or the JVM counts no allocation.
     */
    public static ThreadMXBean allocationCounter() {
        String vmInfo = System.getProperty("java.vm.info", "");
        assumeFalse(vmInfo.contains("interpreted mode") || vmInfo.contains("emulated-client"), "C2 is off");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
        return threads;
    }

    /**
     * The bytes that the threads taking part in a run allocate over {@code measured} calls of {@code call} once it is
     * compiled: {@code warmUp} calls, then the measured ones, round after round until a round allocates nothing or 40
     * rounds have passed; the last round's count, or -1 where no round could be counted (a team thread ended or
     * joined during it). {@code threads} comes from {@link #allocationCounter()}.
     *
     * <p>Those threads are the calling thread and the device's OpenMP team, which runs Java code too: the threads
     * named {@link #TEAM_THREAD_NAME}. Not every thread of the JVM: surefire's stream flusher allocates 104 bytes each
     * time it wakes, and its command reader 64 bytes per command, so on a loaded machine, where 50 runs take long
     * enough for the flusher to wake during every round, a count over all threads never reached zero.
     *
     * <p>Rounds, because a run allocates until C2 has compiled it, in the background and late under load, and may
     * again for a while after a deoptimization sends a compiled method back to the interpreter, where the Vector API
     * boxes its vectors (under load, one round's calling thread was seen to allocate 672 bytes, the next nothing). A
     * steady state that allocates does so in every round: the count stays nonzero and is returned.
     */
    public static long allocatedOnceWarm(ThreadMXBean threads, Runnable call, int warmUp, int measured) {
        long allocated = -1;
        for (int round = 0; round < 40 && allocated != 0; round++) {
            for (int i = 0; i < warmUp; i++) {
                call.run();
            }
            long[] team = teamThreads(threads);
            // The calling thread's counter is read last before the runs and first after them: reading the team's
            // counters allocates their array on this thread.
            long[] teamBefore = threads.getThreadAllocatedBytes(team);
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < measured; i++) {
                call.run();
            }
            long after = threads.getCurrentThreadAllocatedBytes();
            long[] teamAfter = threads.getThreadAllocatedBytes(team);
            allocated = after - before;
            for (int t = 0; t < team.length; t++) {
                allocated += teamAfter[t] - teamBefore[t];
            }
            if (Arrays.stream(teamAfter).anyMatch(bytes -> bytes < 0) || !Arrays.equals(team, teamThreads(threads))) {
                allocated = -1;
            }
        }
        return allocated;
    }

    /** The ids of the live threads named {@link #TEAM_THREAD_NAME}, in order. */
    private static long[] teamThreads(ThreadMXBean threads) {
        return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(info -> info != null && info.getThreadName().startsWith(TEAM_THREAD_NAME))
                .mapToLong(ThreadInfo::getThreadId).sorted().toArray();
    }

    /**
     * Sums three random tensors of {@code shape} instance by instance, as the stage executor does (padding
     * included), with {@code split} and with {@code serial}, for 0 to 3 sources and both storage types, and
     * requires the same bytes.
     */
    public static void assertInstanceSumsMatch(DgKernels split, DgKernels serial, Shape shape, Layout layout) {
        long instance = layout.storageElements(shape) / shape.dim(0);
        float[] weights = {0.5f, -1.25f, 0.75f};
        for (DType dtype : DType.values()) {
            List<Tensor> tensors = new ArrayList<>();
            try {
                MemorySegment[] sources = new MemorySegment[weights.length];
                for (int i = 0; i < sources.length; i++) {
                    Tensor x = Tensor.allocate(shape, dtype, layout);
                    x.copyFrom(Reference.random(50 + i, shape.elements()));
                    tensors.add(x);
                    sources[i] = x.segment();
                }
                Tensor actual = Tensor.allocate(shape, dtype, layout);
                Tensor expected = Tensor.allocate(shape, dtype, layout);
                tensors.add(actual);
                tensors.add(expected);
                for (int n = 0; n < shape.dim(0); n++) {
                    long[] offsets = {n * instance, n * instance, n * instance};
                    for (int count = 0; count <= sources.length; count++) {
                        split.weightedSum(actual.segment(), n * instance, instance, dtype, sources, offsets, weights,
                                count);
                        serial.weightedSum(expected.segment(), n * instance, instance, dtype, sources, offsets,
                                weights, count);
                        assertEquals(-1L, expected.segment().mismatch(actual.segment()), split.name() + ", "
                                + dtype + " " + layout + " instance " + n + ", " + count + " sources");
                    }
                }
            } finally {
                tensors.forEach(Tensor::close);
            }
        }
    }
}
