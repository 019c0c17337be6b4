package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One model's queue and the one platform thread that owns its {@link Session} (a session is for one thread at a
 * time, and the CPU device keeps OpenMP's thread count per thread). The thread takes the oldest request, gathers
 * the queued requests of the same instance shape {@code [C, H, W]} until it has waited the maximum queue delay since
 * it arrived or the batch holds the maximum number of instances, runs them as one batch and hands each request its
 * rows. A request that alone holds more instances than the maximum runs alone: splitting it would only add latency.
 *
 * <p>A batch is padded with zero instances up to the next power of two (at most the maximum batch): the session
 * prepares a network, with its own activations, for every batch size it meets, and sizes 1 to 8 would hold 36
 * instances' worth of activations where 1, 2, 4 and 8 hold 15. Routing is per instance, so padding changes no
 * answer; it costs compute only for batches between two powers of two.
 *
 * <p>Before it takes requests the thread warms the model up: it runs a deterministic batch at each of those batch
 * sizes, so that no request pays for preparing a network or for the JIT compiling the kernels (ResNet-50's first run
 * takes about 2 s, its steady state 35 ms). Requests that arrive meanwhile wait in the queue. The server then warms
 * its HTTP path with requests of its own ({@link InferenceServer}), which no metric counts and no hook sees.
 */
final class ModelWorker {
    private static final System.Logger LOG = System.getLogger(ModelWorker.class.getName());
    /** Seed of the warm-up batches' values (any fixed seed: only their shape matters). */
    static final long WARMUP_SEED = 4;
    /**
     * At a larger batch size, how long the runs after the first may take before the rest of
     * {@link ServerConfig#warmupRuns()} are left. The repeated runs are there for the JIT, and a run this long
     * has executed the kernels thousands of times: with {@code --max-batch 64}, DG-ResNet-50 warmed up in 73 s on 2
     * AVX2 cores with five runs at every size, in 41 s with this limit.
     */
    static final long SIZE_WARMUP_NANOS = 1_000_000_000L;
    /**
     * The warm-up leaves the batch sizes whose run it expects to take longer than this (the last run's time, the
     * network's preparation not counted, scaled by the batch sizes' ratio): such a request waits longer for its run
     * than for the preparation the warm-up would save it, and a {@code --max-batch} in the millions warmed up for
     * hours.
     */
    static final long LONGEST_WARMUP_RUN_NANOS = 10_000_000_000L;

    /** What one request gets back: its rows {@code [first, first + count)} of a batch's result. */
    record Slice(Result result, int first, int count) {
    }

    /**
     * A request's values; {@code warmup} for the server's own warm-up requests; {@code queuedAt} the
     * {@link System#nanoTime()} it joined the queue at.
     */
    private record Job(float[] values, Shape shape, boolean warmup, long queuedAt, CompletableFuture<Slice> result) {
        int instances() {
            return shape.dim(0);
        }

        boolean sameInstanceShape(Job other) {
            return shape.dim(1) == other.shape.dim(1) && shape.dim(2) == other.shape.dim(2)
                    && shape.dim(3) == other.shape.dim(3);
        }
    }

    private final String name;
    private final DgModel model;
    private final Session session;
    private final ServerConfig config;
    private final long maxDelayNanos;
    private final ServerMetrics metrics;
    private final WorkerHooks hooks;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Thread thread;
    private final CountDownLatch warm = new CountDownLatch(1);
    /** Written by the worker thread during the warm-up only; {@link #warm} publishes it. */
    private final List<Integer> warmedSizes = new ArrayList<>();
    /**
     * The worker thread's input tensor per batch shape it has run, reused by every batch of that shape (beside the
     * network the session prepares per shape, far larger, so this adds little to what a new shape costs); as many
     * shapes as the session keeps networks for, the one run least recently dropped first, as the session does.
     */
    private final Map<Shape, Tensor> inputs = new LinkedHashMap<>(16, 0.75f, true);
    private boolean stopping;
    /** What a request gets once the worker is stopping: why it is. */
    private RequestException refusal;

    ModelWorker(String name, DgModel model, Device device, ServerConfig config, ServerMetrics metrics,
                WorkerHooks hooks) {
        this.name = name;
        this.model = model;
        this.session = model.session(device, config.session());
        this.config = config;
        // A delay past what a count of nanoseconds holds (292 years) waits as long as that: for a full batch.
        this.maxDelayNanos = nanos(config.maxQueueDelay());
        this.metrics = metrics;
        this.hooks = hooks;
        this.thread = Thread.ofPlatform().name("dgnet-serve-" + name).unstarted(this::loop);
        thread.start();
    }

    String name() {
        return name;
    }

    DgModel model() {
        return model;
    }

    /**
     * Answers 503 where a request would find the queue full, and the stop's refusal where the worker is stopping,
     * before its body is read: an
     * overloaded server refuses without reading and parsing what it would refuse anyway. It takes no place: a request
     * takes one when {@linkplain #submit submitted}, once its body is read, so that a client slow to send its body
     * (an image over a slow link) holds none meanwhile.
     */
    void requireRoom() {
        lock.lock();
        try {
            requireRoomLocked();
        } finally {
            lock.unlock();
        }
    }

    private void requireRoomLocked() {
        if (stopping) {
            throw refusal;
        }
        if (queue.size() >= config.queueCapacity()) {
            throw RequestException.unavailable("model '" + name + "' has " + config.queueCapacity()
                    + " requests waiting, the most it queues: try again shortly");
        }
    }

    /** Whether the warm-up is over (or was cut short by a stop): the model takes requests without delay. */
    boolean warm() {
        return warm.getCount() == 0;
    }

    /**
     * The batch sizes the warm-up ran at without failing, once {@link #warm()}: all of {@link ServerConfig#batchSizes}
     * unless one failed, was refused memory or would have taken too long.
     */
    List<Integer> warmedBatchSizes() {
        if (!warm()) {
            throw new IllegalStateException("model '" + name + "' is still warming up");
        }
        return List.copyOf(warmedSizes);
    }

    /** Waits at most {@code nanos} until {@link #warm()}; returns whether it is. */
    boolean awaitWarm(long nanos) throws InterruptedException {
        return warm.await(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits until {@link #warm()}, however long: the warm-up ends by itself, and at once at a stop. An interrupt
     * meanwhile is kept for the caller to see.
     */
    void awaitWarmUninterruptibly() {
        InferenceServer.awaitUninterruptibly(this::warm, warm::await);
    }

    /** The edge threshold this model's session routes with. */
    float threshold() {
        return session.threshold();
    }

    /**
     * Queues a request of {@code [N, C, H, W]} NCHW values, or answers 503 as {@link #requireRoom} does; the future
     * completes with its rows of the batch it ran in, or exceptionally with what failed that batch. A {@code warmup}
     * request (the server's own) counts in no metric and comes to no hook.
     */
    CompletableFuture<Slice> submit(float[] values, Shape shape, boolean warmup) {
        Job job = new Job(values, shape, warmup, System.nanoTime(), new CompletableFuture<>());
        lock.lock();
        try {
            requireRoomLocked();
            queue.addLast(job);
            if (!warmup) {
                hooks.queued(name, queue.size());
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return job.result();
    }

    /** The clients' requests waiting in the queue: the server's own warm-up requests count in no metric. */
    int queued() {
        lock.lock();
        try {
            return (int) queue.stream().filter(job -> !job.warmup()).count();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking requests, answering new ones with {@code refusal}; the thread finishes every queued one, then ends
     * and closes the session. Only the first call's refusal counts.
     */
    void beginStop(RequestException refusal) {
        lock.lock();
        try {
            if (!stopping) {
                this.refusal = refusal;
            }
            stopping = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@link #beginStop()} has taken effect: every queued request answered, the session closed. */
    void awaitStopped() {
        InferenceServer.joinUninterruptibly(thread);
    }

    private void loop() {
        try (session) {
            warmUp();
            List<Job> batch;
            while ((batch = nextBatch()) != null) {
                run(batch);
            }
        } finally {
            inputs.values().forEach(Tensor::close);
        }
    }

    /**
     * Runs a deterministic batch {@link ServerConfig#warmupRuns()} times at every batch size runs take, and at the
     * smallest until the runs after the first have taken {@link ServerConfig#jitWarmup()}, unless the worker is told
     * to stop. At the larger sizes the runs after the first stop after {@link #SIZE_WARMUP_NANOS}, and the sizes whose
     * run would take more than {@link #LONGEST_WARMUP_RUN_NANOS} are left to their first request. A size that fails
     * is logged and left: its requests will meet the failure themselves; one refused memory ends the warm-up, as
     * every larger size would be refused too.
     */
    private void warmUp() {
        try {
            ModelConfig modelConfig = model.config();
            int side = modelConfig.imageSize();
            List<Integer> sizes = config.warmupRuns() == 0 ? List.of() : config.batchSizes();
            int previous = 0;
            long previousRunNanos = 0;
            for (int size : sizes) {
                if (previous > 0 && (double) previousRunNanos * size / previous > LONGEST_WARMUP_RUN_NANOS) {
                    LOG.log(Level.INFO, String.format(Locale.ROOT, "model '%s': warm-up stops before batch %d: a run "
                            + "at batch %d took %.1f s, so larger batches are prepared by their first request",
                            name, size, previous, previousRunNanos / 1e9));
                    break;
                }
                Shape shape = Shape.of(size, modelConfig.inChannels(), side, side);
                try {
                    hooks.beforeWarmup(name, size);
                    // Checked as late as can be, just before the size's input and network are made: a stop that came
                    // meanwhile would otherwise wait for a preparation (seconds for a large model) never to be used.
                    if (stopping()) {
                        break;
                    }
                    previousRunNanos = warmUpAt(shape, size == sizes.getFirst());
                    warmedSizes.add(size);
                } catch (Exception | Error e) {
                    failed("warm-up at batch " + size, shape, e);
                    if (e instanceof InsufficientMemoryException) {
                        // The larger batches need more memory still; preparing each to be refused took minutes at a
                        // --max-batch in the millions.
                        break;
                    }
                }
                previous = size;
            }
        } finally {
            warm.countDown();
        }
    }

    /** The warm-up's runs at one batch size, {@code shape}'s; returns how long the last took. */
    private long warmUpAt(Shape shape, boolean smallest) {
        int size = shape.dim(0);
        Tensor input = input(shape);
        DeterministicWeights.generate("input", shape.dims(), WARMUP_SEED, input.segment());
        // Prepared before the runs are timed, so that their times are the runs' alone: with --warmup-runs 1 a size's
        // one run also prepared its network, and a slow preparation left the larger sizes as if their runs were slow.
        session.prepare(shape);
        Result result = null;
        long jitNanos = nanos(config.jitWarmup());
        // The time of the repeated runs, the JIT's, starts after the first.
        long repeatedNanos = 0;
        long runNanos = 0;
        for (long i = 0; !stopping() && (smallest
                ? i < config.warmupRuns() || i <= config.jitWarmupRuns() && repeatedNanos < jitNanos
                : i < config.warmupRuns() && repeatedNanos < SIZE_WARMUP_NANOS); i++) {
            long start = hooks.nanoTime();
            result = session.run(input, result);
            runNanos = hooks.warmupRunNanos(name, size, hooks.nanoTime() - start);
            if (i > 0) {
                repeatedNanos += runNanos;
            }
        }
        return runNanos;
    }

    /** {@code time} in nanoseconds, or {@link Long#MAX_VALUE} where it is longer (292 years). */
    static long nanos(Duration time) {
        return time.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : time.toNanos();
    }

    private boolean stopping() {
        lock.lock();
        try {
            return stopping;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next batch, or null once stopping with no request queued. Waits for more requests only while the batch
     * could still grow.
     */
    private List<Job> nextBatch() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (stopping) {
                    return null;
                }
                arrived.awaitUninterruptibly();
            }
            Job head = queue.removeFirst();
            List<Job> batch = new ArrayList<>(List.of(head));
            int instances = head.instances();
            // The delay counts from the head's arrival: one that waited behind another run has waited already. The
            // sum may wrap; the difference below unwraps it.
            long deadline = head.queuedAt() + maxDelayNanos;
            while (true) {
                Iterator<Job> it = queue.iterator();
                while (it.hasNext() && instances < config.maxBatch()) {
                    Job job = it.next();
                    if (job.sameInstanceShape(head) && instances + job.instances() <= config.maxBatch()) {
                        it.remove();
                        batch.add(job);
                        instances += job.instances();
                    }
                }
                long left = deadline - System.nanoTime();
                // A stopping worker takes nothing new: waiting could not grow the batch.
                if (instances >= config.maxBatch() || stopping || left <= 0) {
                    break;
                }
                try {
                    arrived.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Job> batch) {
        Job head = batch.getFirst();
        int instances = batch.stream().mapToInt(Job::instances).sum();
        Shape shape = Shape.of(config.paddedBatch(instances), head.shape().dim(1), head.shape().dim(2),
                head.shape().dim(3));
        try {
            Tensor input = fill(batch, shape);
            int counted = batch.stream().filter(job -> !job.warmup()).mapToInt(Job::instances).sum();
            long start = System.nanoTime();
            if (counted > 0) {
                hooks.beforeRun(name, counted);
            }
            Result result = session.run(input);
            if (counted > 0) {
                metrics.batch(name, counted, System.nanoTime() - start);
            }
            int first = 0;
            for (Job job : batch) {
                job.result().complete(new Slice(result, first, job.instances()));
                first += job.instances();
            }
        } catch (Exception | Error e) {
            // Whatever breaks a run (a native error, memory for an unusually large batch) fails only this batch's
            // requests; the thread and the session carry on with the next one.
            failed("batch of " + instances, shape, e);
            batch.forEach(job -> job.result().completeExceptionally(e));
        }
    }

    /**
     * Logs what failed a run of {@code shape}. Where memory was refused, the run's input tensor goes too: its shape
     * is most likely an unusually large one, whose input would otherwise be held until other shapes pushed it out.
     */
    private void failed(String what, Shape shape, Throwable e) {
        if (e instanceof InsufficientMemoryException) {
            LOG.log(Level.WARNING, "model '" + name + "': " + what + " refused: " + e.getMessage());
            Tensor input = inputs.remove(shape);
            if (input != null) {
                input.close();
            }
        } else {
            LOG.log(Level.WARNING, "model '" + name + "': " + what + " failed", e);
        }
    }

    /** The batch shapes the worker keeps an input tensor for; read after a batch's requests were answered. */
    Set<Shape> inputShapes() {
        return Set.copyOf(inputs.keySet());
    }

    /** The batch's values one after another in the input tensor of {@code shape}, then zeros up to its size. */
    private Tensor fill(List<Job> batch, Shape shape) {
        Tensor input = input(shape);
        MemorySegment memory = input.segment();
        long at = 0;
        for (Job job : batch) {
            MemorySegment.copy(job.values(), 0, memory, ValueLayout.JAVA_FLOAT, at, job.values().length);
            at += (long) job.values().length * Float.BYTES;
        }
        memory.asSlice(at).fill((byte) 0);
        return input;
    }

    /** The worker's input tensor of {@code shape}. */
    private Tensor input(Shape shape) {
        Tensor input = inputs.get(shape);
        if (input == null) {
            if (inputs.size() == config.session().maxShapes()) {
                inputs.remove(inputs.keySet().iterator().next()).close();
            }
            input = Tensor.allocate(shape, DType.F32, Layout.NCHW);
            inputs.put(shape, input);
        }
        return input;
    }
}
