package ai.dgnet.models;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One session used from several threads: runs take turns, and a close waits for the run in progress. */
class SessionThreadsTest {
    private static final ModelConfig CONFIG = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
    private static final Shape SHAPE = Shape.of(2, 3, 32, 32);

    @Test
    void runsFromTwoThreadsAtOnceEachGetWhatARunAloneGives() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(2);
             DgModel model = DgModel.random(CONFIG, 3);
             Session session = model.session(device);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, DeterministicWeights.generate("input", SHAPE.dims(), 4))) {
            float[][] alone = session.run(input).logits();
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < 2; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 20; i++) {
                            float[][] logits = session.run(input).logits();
                            for (int n = 0; n < alone.length; n++) {
                                assertArrayEquals(alone[n], logits[n]);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(null, failure.get());
        }
    }

    /**
     * One result passed to runs of two sessions at once: the second is refused while the first writes it, rather than
     * both writing the same arrays; once the first has ended, the result can be passed again.
     */
    @Test
    void aResultBeingWrittenByOneRunIsRefusedToAnother() throws InterruptedException {
        try (CpuDevice cpu = CpuDevice.create(1);
             CountingDevice held = new CountingDevice(cpu, null);
             DgModel model = DgModel.random(CONFIG, 3);
             Session first = model.session(held);
             Session second = model.session(cpu);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, DeterministicWeights.generate("input", SHAPE.dims(), 4))) {
            float[][] alone = second.run(input).logits();
            Result shared = second.run(input);
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            held.holdRuns(writing, release);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    first.run(input, shared);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            IllegalStateException e;
            try {
                writing.await();
                e = assertThrows(IllegalStateException.class, () -> second.run(input, shared));
                // Refused before anything is prepared: a shape this session has not run stays unprepared.
                try (Tensor other = Tensor.of(Shape.of(1, 3, 12, 12), Layout.NCHW, new float[3 * 12 * 12])) {
                    assertThrows(IllegalStateException.class, () -> second.run(other, shared));
                    assertEquals(List.of(), second.profile(other.shape()), "no network prepared for the refused run");
                }
            } finally {
                release.countDown();
                runner.join();
            }
            assertEquals("result is being written by another run: a result may be passed to one run at a time",
                    e.getMessage());
            assertEquals(null, failure.get());
            assertArrayEquals(alone, shared.logits(), "the first run's values, untouched by the refused one");
            held.holdRuns(null, null);
            assertSame(shared, second.run(input, shared), "free again once the first run ended");
            assertArrayEquals(alone, shared.logits());
        }
    }

    /**
     * The input closed by another thread while runs read it: the close waits for the run in progress and the next
     * run is refused. Before, the tensor's memory went from under the stem's convolution and the process died.
     */
    @Test
    void closingTheInputFromAnotherThreadWaitsForTheRunReadingIt() throws InterruptedException {
        // ResNet-18's stem, a 7x7 convolution over a large image, reads the input longest.
        Shape large = Shape.of(1, 3, 448, 448);
        try (CpuDevice device = CpuDevice.create(2);
             DgModel model = DgModel.random(ModelConfig.of(Arch.RESNET18, Mode.DYNAMIC), 3);
             Session session = model.session(device)) {
            for (int round = 0; round < 60; round++) {
                Tensor input = Tensor.allocate(large, DType.F32, Layout.NCHW);
                Refusal ended = new Refusal();
                Thread runner = Thread.ofPlatform().start(() -> ended.runUntilRefused(session, input));
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50 + 137L * round % 2000));
                input.close();
                runner.join();
                assertEquals(IllegalStateException.class, ended.refusal.getClass(), "round " + round);
            }
        }
    }

    @Test
    void aCloseFromAnotherThreadWaitsForTheRunInProgress() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(2);
             DgModel model = DgModel.random(CONFIG, 3);
             Tensor input = Tensor.allocate(SHAPE, DType.F32, Layout.NCHW)) {
            for (int round = 0; round < 10; round++) {
                Session session = model.session(device);
                session.run(input);
                Refusal ended = new Refusal();
                Thread runner = Thread.ofPlatform().start(() -> ended.runUntilRefused(session, input));
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200 + 500L * round));
                session.close();
                runner.join();
                assertEquals("session is closed", ended.refusal.getMessage(), "round " + round);
            }
        }
    }

    /**
     * A session run from a pool of threads and closed from another freed only the closing thread's workspace: each
     * pool thread kept its own (the Winograd operands of its largest run) until the device closed or the thread ended.
     */
    @Test
    void closingASessionRunFromAPoolFreesEveryThreadsWorkspace() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (CpuDevice device = CpuDevice.create(1);
             DgModel model = DgModel.random(CONFIG, 3);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, DeterministicWeights.generate("input", SHAPE.dims(), 4))) {
            Session session = model.session(device);
            CyclicBarrier together = new CyclicBarrier(3);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                // Each pool thread takes one task: none starts its run before all three are in.
                runs.add(pool.submit(() -> {
                    together.await();
                    return session.run(input);
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
            long perThread = device.workspaceBytes() / 3;
            assertTrue(perThread > 0, "the runs grew workspaces");

            session.close();
            assertEquals(0, device.workspaceBytes(), "every pool thread's workspace freed, not only the closer's ("
                    + perThread + " bytes each)");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Sessions of one device closed while another session runs on another thread: their close frees that thread's
     * workspace too, but only between its ops, so that the run in progress keeps its buffers and gives what a run
     * alone gives.
     */
    @Test
    void closingOneSessionLeavesTheWorkspaceOfAnotherSessionsRunInProgress() throws InterruptedException {
        try (CpuDevice device = CpuDevice.create(1);
             DgModel model = DgModel.random(CONFIG, 3);
             Session running = model.session(device);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, DeterministicWeights.generate("input", SHAPE.dims(), 4))) {
            float[][] alone = running.run(input).logits();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        assertArrayEquals(alone, running.run(input).logits());
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            try {
                for (int round = 0; round < 30 && failure.get() == null; round++) {
                    Session closing = model.session(device);
                    closing.run(input);
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100 + 300L * round));
                    closing.close();
                }
            } finally {
                stop.set(true);
                runner.join();
            }
            assertEquals(null, failure.get());
        }
    }

    /** What ended a thread's runs: the exception a run was refused with. */
    private static final class Refusal {
        volatile RuntimeException refusal;

        void runUntilRefused(Session session, Tensor input) {
            try {
                while (true) {
                    session.run(input);
                }
            } catch (RuntimeException e) {
                refusal = e;
            }
        }
    }
}
