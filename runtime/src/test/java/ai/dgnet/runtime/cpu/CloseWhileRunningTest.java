package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.WinogradTransforms.Size;
import ai.dgnet.runtime.op.Conv2d;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device closed from another thread while ops run on it: the close waits for the calls into oneDNN and the
 * parallel regions in progress, and the running thread's next call fails with "device is closed". Before, the close
 * freed memory objects between a thread's binding and its primitive, and the process died in
 * {@code dnnl_memory_set_data_handle} (or the close failed half-way on an arena a downcall held).
 */
class CloseWhileRunningTest {
    private static final int ROUNDS = 30;

    @Test
    void closingADeviceWhileAnotherThreadRunsOpsWaitsForTheirCallsAndStopsThem() throws InterruptedException {
        Shape in = Shape.of(1, 64, 28, 28);
        for (int round = 0; round < ROUNDS; round++) {
            CpuDevice device = CpuDevice.create(2);
            Layout blocked = device.activationLayouts().getFirst();
            Conv2d.Spec spec = Conv2d.Spec.of(in, 64, 3, 1, 1).withLayouts(blocked, blocked);
            ConvWeights weights = new ConvWeights(Reference.random(2, spec.weightCount()), null);
            // A Winograd convolution runs its transforms as OpenMP regions and its products as a primitive; a
            // direct one is a primitive alone.
            Conv2d winograd = DgKernelsProvider.vectorized() ? new WinogradConvolution(device, spec, weights, Size.F4)
                    : device.conv2d(spec, weights);
            Conv2d.Spec strided = Conv2d.Spec.of(in, 64, 3, 2, 1).withLayouts(blocked, blocked);
            Conv2d direct = device.conv2d(strided, weights);
            Tensor src = Tensor.of(in, blocked, Reference.random(1, in.elements()));
            Tensor dst = device.allocate(spec.output(), DType.F32, blocked);
            Tensor half = device.allocate(strided.output(), DType.F32, blocked);
            closeWhileRepeating(device, () -> {
                winograd.run(src, dst);
                direct.run(src, half);
            }, round);
            src.close();
            dst.close();
            half.close();
        }
    }

    /**
     * A device closed while another thread makes ops on it: each make either returns an op the close then closes, or
     * fails with "device is closed"; none is made on the engine the close destroys, and none stays open after it.
     */
    @Test
    void closingADeviceWhileAnotherThreadMakesOpsLeavesNoneOpen() throws InterruptedException {
        Shape in = Shape.of(1, 64, 28, 28);
        for (int round = 0; round < ROUNDS; round++) {
            CpuDevice device = CpuDevice.create(2);
            Layout blocked = device.activationLayouts().getFirst();
            Conv2d.Spec spec = Conv2d.Spec.of(in, 64, 3, 2, 1).withLayouts(blocked, blocked);
            ConvWeights weights = new ConvWeights(Reference.random(3, spec.weightCount()), null);
            closeWhileRepeating(device, () -> device.conv2d(spec, weights), round);
            assertEquals(List.of(), device.profile(), "round " + round + ": ops left open after the close");
        }
    }

    /**
     * Repeats {@code work} on another thread and closes {@code device} meanwhile, later in each round: the work must
     * stop, ended by "device is closed".
     */
    private static void closeWhileRepeating(CpuDevice device, Runnable work, int round) throws InterruptedException {
        AtomicReference<RuntimeException> ended = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                while (true) {
                    work.run();
                }
            } catch (RuntimeException e) {
                ended.set(e);
            }
        });
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100 + 211L * round % 3000));
        device.close();
        worker.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!worker.isAlive(), "round " + round + ": the work went on after the close");
        assertEquals(IllegalStateException.class, ended.get().getClass(), "round " + round + ": " + ended.get());
    }
}
