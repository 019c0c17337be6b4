package ai.dgnet.server;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ForwardingDevice;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.op.Conv2d;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelWorkerTest {
    /** What the tests' stopped workers answer new requests. */
    private static final RequestException STOPPED = RequestException.unavailable("stopped");
    private static final ModelConfig CONFIG = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
    /** CIFAR's 32x32 images, where a run takes a few ms. */
    private static final ModelConfig SMALL = new ModelConfig(CONFIG.arch(), CONFIG.mode(), CONFIG.threshold(),
            CONFIG.numClasses(), CONFIG.inChannels(), List.of(), InferenceServerTest.CIFAR_PREPROCESS);

    /** A batch refused memory takes its input tensor with it; a batch that fails otherwise keeps it for the next. */
    @Test
    void aBatchRefusedMemoryLetsItsInputTensorGo() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) {
                if (refuse.get()) {
                    throw new InsufficientMemoryException("not enough memory for a buffer of 9.0 GiB: the process has "
                            + "1.0 GiB available", false);
                }
                throw new IllegalStateException("injected fault");
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(4, Duration.ZERO).withWarmupRuns(0);
        Shape large = Shape.of(3, 3, 40, 40);
        Shape padded = Shape.of(4, 3, 40, 40);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(4), hooks);
            try {
                CompletionException e = assertThrows(CompletionException.class, () -> run(worker, large));
                assertInstanceOf(InsufficientMemoryException.class, e.getCause());
                assertEquals(Set.of(), worker.inputShapes(), "the refused batch's input is closed");

                refuse.set(false);
                e = assertThrows(CompletionException.class, () -> run(worker, large));
                assertEquals("injected fault", e.getCause().getMessage());
                assertEquals(Set.of(padded), worker.inputShapes(), "kept after another failure");
            } finally {
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /**
     * At the larger batch sizes the warm-up stops repeating runs once those after the first have taken
     * {@link ModelWorker#SIZE_WARMUP_NANOS}, and leaves the sizes whose run it expects to take longer than
     * {@link ModelWorker#LONGEST_WARMUP_RUN_NANOS}; batch 1 keeps all its runs. The hook reports the runs at batch 2
     * as taking just over half the longest run, so batch 4's would take longer.
     */
    @Test
    void theWarmupLeavesRunsAndSizesThatWouldTakeLong() throws InterruptedException {
        Map<Integer, Integer> runs = new ConcurrentHashMap<>();
        long slow = ModelWorker.LONGEST_WARMUP_RUN_NANOS / 2 + 1;
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public long warmupRunNanos(String model, int batch, long nanos) {
                runs.merge(batch, 1, Integer::sum);
                return batch == 1 ? nanos : slow;
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(8, Duration.ZERO).withWarmupRuns(5);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(8), hooks);
            try {
                assertTrue(worker.awaitWarm(TimeUnit.MINUTES.toNanos(2)), "warmed up");
                assertEquals(Set.of(1, 2), runs.keySet(), "batch 4's run would take longer than the longest");
                assertTrue(runs.get(1) >= 5, "batch 1 runs " + runs.get(1) + " times");
                assertEquals(2, runs.get(2), "the first run, then one past the time for repeated runs");
                assertEquals(List.of(1, 2), worker.warmedBatchSizes());
            } finally {
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /**
     * With one warm-up run per size, that run is timed without the network's preparation, which a slow preparation
     * (here each convolution made moves the warm-up's clock on by the longest run) would otherwise have counted as run
     * time, leaving every size past batch 1. Runs at batch 2 are reported as taking just over half the longest run,
     * so batch 4 is still left for its run.
     */
    @Test
    void aSingleWarmupRunLeavesNoSizeForThePreparationsTime() throws InterruptedException {
        AtomicLong clock = new AtomicLong();
        Map<Integer, Integer> runs = new ConcurrentHashMap<>();
        long slow = ModelWorker.LONGEST_WARMUP_RUN_NANOS / 2 + 1;
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public long nanoTime() {
                return clock.get();
            }

            @Override
            public long warmupRunNanos(String model, int batch, long nanos) {
                runs.merge(batch, 1, Integer::sum);
                return batch == 2 ? nanos + slow : nanos;
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(8, Duration.ZERO).withWarmupRuns(1)
                .withJitWarmup(Duration.ZERO);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice cpu = CpuDevice.create(1)) {
            Device device = new SlowlyPreparing(cpu, clock, ModelWorker.LONGEST_WARMUP_RUN_NANOS);
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(8), hooks);
            try {
                assertTrue(worker.awaitWarm(TimeUnit.MINUTES.toNanos(2)), "warmed up");
                assertEquals(Map.of(1, 1, 2, 1), runs, "one run at batch 1 and 2; batch 4's would take too long");
                assertEquals(List.of(1, 2), worker.warmedBatchSizes());
            } finally {
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /**
     * A stop that comes while the warm-up is about to prepare the next batch size (here held by the hook there) ends
     * the warm-up before that size's network or input is made: a server shutting down does not wait for a preparation
     * (seconds for a large model) it will never use. The device counts the convolutions made, one per layer prepared.
     */
    @Test
    void aStopJustBeforeAWarmupSizeLeavesThatSizeUnprepared() throws InterruptedException {
        AtomicLong convolutions = new AtomicLong();
        CountDownLatch atSecondSize = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeWarmup(String model, int batch) throws InterruptedException {
                if (batch == 2) {
                    atSecondSize.countDown();
                    stopped.await();
                }
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(4, Duration.ZERO).withWarmupRuns(1)
                .withJitWarmup(Duration.ZERO);
        try (DgModel model = DgModel.random(SMALL, 3);
             CpuDevice cpu = CpuDevice.create(1)) {
            Device device = new SlowlyPreparing(cpu, convolutions, 1);
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(4), hooks);
            long made;
            try {
                assertTrue(atSecondSize.await(60, TimeUnit.SECONDS), "the warm-up never came to batch 2");
                made = convolutions.get();
                worker.beginStop(STOPPED);
            } finally {
                stopped.countDown();
                worker.awaitStopped();
            }
            assertEquals(made, convolutions.get(), "a network was prepared after the stop");
            assertEquals(Set.of(Shape.of(1, 3, 32, 32)), worker.inputShapes());
            assertEquals(List.of(1), worker.warmedBatchSizes());
        }
    }

    /** A CPU device whose every convolution made moves {@code clock} on by {@code nanos}, as a slow preparation. */
    private static final class SlowlyPreparing extends ForwardingDevice {
        private final AtomicLong clock;
        private final long nanos;

        SlowlyPreparing(CpuDevice cpu, AtomicLong clock, long nanos) {
            super(cpu);
            this.clock = clock;
            this.nanos = nanos;
        }

        @Override
        public Conv2d conv2d(Conv2d.Spec spec, ConvWeights weights) {
            clock.addAndGet(nanos);
            return super.conv2d(spec, weights);
        }
    }

    /**
     * At batch 1 the warm-up goes on after its first run for the JIT's time ({@link ServerConfig#jitWarmup()}), or
     * for its runs ({@link ServerConfig#jitWarmupRuns()}) where they end first, and not at all for a time of zero. The
     * hook reports how long each run took, so that neither ending depends on this machine's speed.
     */
    @Test
    void theJitWarmupRunsForItsTimeOrItsRunsWhicheverEndsFirst() throws InterruptedException {
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(1, Duration.ZERO).withWarmupRuns(5);
        assertEquals(200, config.jitWarmupRuns(), "the default's runs");
        assertEquals(5, warmupRunsAtBatchOne(config.withJitWarmup(Duration.ZERO), 1), "no JIT warm-up");

        ServerConfig manyRuns = config.withJitWarmup(Duration.ofSeconds(3));
        assertEquals(400, manyRuns.jitWarmupRuns());
        assertEquals(401, warmupRunsAtBatchOne(manyRuns, 1), "runs of 1 ms end by their count, after the first");

        // Runs of 50 ms: 300 ms end after 6 runs past the first, long before the 40 runs.
        assertEquals(7, warmupRunsAtBatchOne(config.withJitWarmup(Duration.ofMillis(300)), 50));
    }

    /** How many runs the warm-up makes at batch 1 under {@code config}, each reported to take {@code runMs}. */
    private static int warmupRunsAtBatchOne(ServerConfig config, long runMs) throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public long warmupRunNanos(String model, int batch, long nanos) {
                runs.incrementAndGet();
                return TimeUnit.MILLISECONDS.toNanos(runMs);
            }
        };
        try (DgModel model = DgModel.random(SMALL, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(1), hooks);
            try {
                assertTrue(worker.awaitWarm(TimeUnit.MINUTES.toNanos(2)), "warmed up");
                return runs.get();
            } finally {
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /** A delay past what a count of nanoseconds holds waits for a full batch, which then runs at once. */
    @Test
    void theLongestDelayWaitsForAFullBatch() {
        ServerConfig config = ServerConfig.defaults().withPort(0)
                .withBatching(2, Duration.ofMillis(Long.MAX_VALUE)).withWarmupRuns(0);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(2), WorkerHooks.NONE);
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(worker, Shape.of(2, 3, 8, 8)));
            } finally {
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /**
     * The queue delay counts from when the first request of a batch arrived: one that already waited that long behind
     * another batch's run runs as soon as the worker is free, instead of waiting the delay once more.
     */
    @Test
    void aRequestThatWaitedTheDelayBehindARunRunsOnceTheWorkerIsFree() throws Exception {
        Duration delay = Duration.ofSeconds(2);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) throws InterruptedException {
                if (runs.getAndIncrement() == 0) {
                    running.countDown();
                    release.await();
                }
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(4, delay).withWarmupRuns(0);
        Shape shape = Shape.of(1, 3, 8, 8);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(4), hooks);
            try {
                CompletableFuture<ModelWorker.Slice> first = worker.submit(new float[192], shape, false);
                assertTrue(running.await(60, TimeUnit.SECONDS), "the first request never ran");
                CompletableFuture<ModelWorker.Slice> second = worker.submit(new float[192], shape, false);
                Thread.sleep(delay.toMillis() + 200);
                release.countDown();
                first.get(60, TimeUnit.SECONDS);
                long firstAnswered = System.nanoTime();
                second.get(60, TimeUnit.SECONDS);
                long waited = System.nanoTime() - firstAnswered;
                assertTrue(waited < delay.toNanos() / 2, "the second request waited " + waited / 1_000_000
                        + " ms more after the first run, past the " + delay.toMillis() + " ms it had waited already");
            } finally {
                release.countDown();
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /** The server's own warm-up requests count in no metric: the queue depth leaves them out too. */
    @Test
    void theQueueDepthLeavesTheServersWarmupRequestsOut() throws Exception {
        HeldRuns hooks = new HeldRuns();
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(4, Duration.ZERO).withWarmupRuns(0);
        Shape shape = Shape.of(1, 3, 8, 8);
        ServerMetrics metrics = new ServerMetrics(4);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, metrics, hooks);
            metrics.queueDepth("m", worker::queued);
            try {
                CompletableFuture<ModelWorker.Slice> client = worker.submit(new float[192], shape, false);
                assertTrue(hooks.running.await(60, TimeUnit.SECONDS), "the client's request never ran");
                CompletableFuture<ModelWorker.Slice> warmup = worker.submit(new float[192], shape, true);
                CompletableFuture<ModelWorker.Slice> queued = worker.submit(new float[192], shape, false);
                assertQueueDepth(metrics, "1.0");
                hooks.release.countDown();
                for (CompletableFuture<ModelWorker.Slice> request : List.of(client, warmup, queued)) {
                    request.get(60, TimeUnit.SECONDS);
                }
                assertQueueDepth(metrics, "0.0");
            } finally {
                hooks.release.countDown();
                worker.beginStop(STOPPED);
                worker.awaitStopped();
            }
        }
    }

    /**
     * A stopping worker refuses a request with its stop's answer (an unload's 404, the server's stop's 503), the first
     * stop's where two come.
     */
    @Test
    void aStoppingWorkerRefusesWithItsFirstStopsAnswer() {
        ServerConfig config = ServerConfig.defaults().withPort(0).withWarmupRuns(0);
        Shape shape = Shape.of(1, 3, 8, 8);
        RequestException unloaded = new RequestException(404, "model 'm' is not loaded");
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelWorker worker = new ModelWorker("m", model, device, config, new ServerMetrics(8), WorkerHooks.NONE);
            worker.beginStop(unloaded);
            worker.beginStop(STOPPED);
            assertSame(unloaded, assertThrows(RequestException.class, worker::requireRoom));
            assertSame(unloaded, assertThrows(RequestException.class,
                    () -> worker.submit(new float[192], shape, false)));
            worker.awaitStopped();
        }
    }

    /**
     * The queue depth reported is the serving worker's: after an unload and a load the new worker's (the metrics
     * registry kept the first gauge of a name, which read the first worker's queue for good), and while a load of the
     * model served already warms up the serving one's, until the new one takes its place.
     */
    @Test
    void theQueueDepthIsTheServingWorkers() throws Exception {
        Semaphore running = new Semaphore(0);
        Semaphore runs = new Semaphore(0);
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) {
                running.release();
                runs.acquireUninterruptibly();
            }
        };
        ServerConfig config = ServerConfig.defaults().withPort(0).withBatching(4, Duration.ZERO).withWarmupRuns(0);
        Shape shape = Shape.of(1, 3, 8, 8);
        ServerMetrics metrics = new ServerMetrics(4);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            ModelSlot slot = new ModelSlot("m", () -> model, false, device, config, metrics, hooks);
            try {
                assertTrue(slot.awaitLoaded(slot.load()));
                slot.unload();
                assertTrue(slot.awaitLoaded(slot.load()));
                ModelWorker serving = slot.served().worker();
                CompletableFuture<ModelWorker.Slice> client = serving.submit(new float[192], shape, false);
                assertTrue(running.tryAcquire(60, TimeUnit.SECONDS), "the client's request never ran");
                CompletableFuture<ModelWorker.Slice> queued = serving.submit(new float[192], shape, false);
                assertQueueDepth(metrics, "1.0");
                ApiHandler.Served reload = slot.load();
                assertQueueDepth(metrics, "1.0");
                runs.release(2);
                client.get(60, TimeUnit.SECONDS);
                queued.get(60, TimeUnit.SECONDS);
                assertTrue(running.tryAcquire(60, TimeUnit.SECONDS), "the queued request ran unseen");
                assertTrue(slot.awaitLoaded(reload));

                ModelWorker reloaded = reload.worker();
                List<CompletableFuture<ModelWorker.Slice>> requests = new ArrayList<>();
                requests.add(reloaded.submit(new float[192], shape, false));
                assertTrue(running.tryAcquire(60, TimeUnit.SECONDS), "the client's request never ran");
                requests.add(reloaded.submit(new float[192], shape, false));
                requests.add(reloaded.submit(new float[192], shape, false));
                assertQueueDepth(metrics, "2.0");
                runs.release(2);
                for (CompletableFuture<ModelWorker.Slice> request : requests) {
                    request.get(60, TimeUnit.SECONDS);
                }
            } finally {
                runs.release(1000);
                slot.beginStop();
                slot.awaitStopped();
            }
        }
    }

    /** Holds every run until released, saying when the first has begun. */
    private static final class HeldRuns implements WorkerHooks {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void beforeRun(String model, int instances) throws InterruptedException {
            running.countDown();
            release.await();
        }
    }

    private static void assertQueueDepth(ServerMetrics metrics, String depth) {
        assertTrue(metrics.scrape().contains("dgnet_server_queue_depth{model=\"m\"} " + depth + "\n"),
                metrics.scrape());
    }

    private static void run(ModelWorker worker, Shape shape) {
        worker.submit(new float[(int) shape.elements()], shape, false).join();
    }
}
