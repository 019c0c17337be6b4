package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.Residual;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static ai.dgnet.dnnl.c.omp_h.omp_set_num_threads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A device's primitives run on its thread count, whatever OpenMP thread count the thread that makes them had: oneDNN
 * fixes a kernel's threads when it makes it. A Java thread's OpenMP workers are native threads it starts, which
 * take its name, so the threads of that name are the thread itself and the workers its primitives needed.
 */
class PrimitiveThreadsTest {
    private static final int THREADS = 2;
    private static final int OTHER_COUNT = 6;
    private static final Path TASKS = Path.of("/proc/self/task");

    @Test
    void aConvolutionMadeWhereTheThreadCountWasAnotherRunsOnTheDevicesThreads() {
        Shape input = Shape.of(1, 64, 28, 28);
        assertEquals(THREADS, threadsUsedBy("conv-threads", device -> {
            Layout layout = device.activationLayouts().getFirst();
            try (Conv2d conv = device.conv2d(Conv2d.Spec.of(input, 64, 1, 1, 0).withLayouts(layout, layout),
                    ConvWeights.withoutBias(new float[64 * 64]));
                 Tensor src = device.allocate(input, DType.F32, layout);
                 Tensor dst = device.allocate(input, DType.F32, layout)) {
                conv.run(src, dst);
            }
        }));
    }

    @Test
    void aFusedPairMadeWhereTheThreadCountWasAnotherRunsOnTheDevicesThreads() {
        Shape input = Shape.of(8, 16, 112, 112);
        assertEquals(THREADS, threadsUsedBy("pair-threads", device -> {
            Layout layout = device.activationLayouts().getFirst();
            Conv2d.Spec pointwise = Conv2d.Spec.of(input, 96, 1, 1, 0).withLayouts(layout, layout)
                    .withEpilogue(Activation.RELU6, Residual.NONE);
            Conv2d.Spec depthwise = Conv2d.Spec.of(pointwise.output(), 96, 3, 2, 1).withGroups(96)
                    .withLayouts(layout, layout).withEpilogue(Activation.RELU6, Residual.NONE);
            PointwiseDepthwise.Spec spec = new PointwiseDepthwise.Spec(pointwise, depthwise);
            PointwiseDepthwise pair = device.pointwiseDepthwise(spec,
                    new ConvWeights(new float[96 * 16], new float[96]),
                    new ConvWeights(new float[96 * 9], new float[96])).orElseThrow();
            try (pair;
                 Tensor src = device.allocate(input, DType.F32, layout);
                 Tensor dst = device.allocate(spec.output(), DType.F32, layout)) {
                pair.run(src, dst);
            }
        }));
    }

    /**
     * Runs {@code work} on a device of {@value #THREADS} threads, on a new thread of the given name whose OpenMP
     * thread count is {@value #OTHER_COUNT} when it starts; returns how many threads of that name there were after.
     */
    private static long threadsUsedBy(String name, Consumer<CpuDevice> work) {
        assumeTrue(Files.isDirectory(TASKS), "the process's threads are listed in " + TASKS + " on Linux only");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicReference<Long> named = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try (CpuDevice device = CpuDevice.create(THREADS)) {
                omp_set_num_threads(OTHER_COUNT);
                work.accept(device);
                named.set(threadsNamed(name));
            } catch (Throwable t) {
                failed.set(t);
            }
        }, name);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (failed.get() != null) {
            throw new AssertionError("the work failed", failed.get());
        }
        return named.get();
    }

    private static long threadsNamed(String name) {
        try (Stream<Path> tasks = Files.list(TASKS)) {
            return tasks.filter(task -> name.equals(comm(task))).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A thread's name as the kernel keeps it, or null for a thread that ended while it was listed. */
    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
