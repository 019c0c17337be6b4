package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import com.sun.management.ThreadMXBean;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Checks shared by the kernel tests here, the device's tests of its split kernels and the models' tests. */
public final class KernelChecks {
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
     * The bytes every thread of the JVM together allocates over {@code measured} calls of {@code call} once it is
     * compiled (see {@link #allocatedOnceWarm(LongSupplier, Runnable, int, int)}). Every thread, since the OpenMP
     * threads run Java code too; {@code threads} comes from {@link #allocationCounter()}.
     */
    public static long allocatedOnceWarm(ThreadMXBean threads, Runnable call, int warmUp, int measured) {
        return allocatedOnceWarm(threads::getTotalThreadAllocatedBytes, call, warmUp, measured);
    }

    /**
     * The growth of {@code allocatedBytes} (a counter of {@link #allocationCounter()}'s) over {@code measured} calls
     * of {@code call} once it is compiled: {@code warmUp} calls, then the measured ones, round after round until a
     * round allocates nothing or 40 rounds have passed (compilation runs in the background).
     */
    public static long allocatedOnceWarm(LongSupplier allocatedBytes, Runnable call, int warmUp, int measured) {
        long allocated = -1;
        for (int round = 0; round < 40 && allocated != 0; round++) {
            for (int i = 0; i < warmUp; i++) {
                call.run();
            }
            long before = allocatedBytes.getAsLong();
            for (int i = 0; i < measured; i++) {
                call.run();
            }
            allocated = allocatedBytes.getAsLong() - before;
        }
        return allocated;
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
