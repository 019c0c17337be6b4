package ai.dgnet.server;

import ai.dgnet.models.SessionOptions;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How an {@link InferenceServer} listens and batches.
 *
 * @param host            address to bind ({@code 127.0.0.1} keeps the server local)
 * @param port            TCP port; 0 picks a free one ({@link InferenceServer#port()} tells which)
 * @param maxBatch        most instances one batched run takes; a request with more runs alone
 * @param maxQueueDelay   how long the first request of a batch waits for others of its shape to join it
 * @param queueCapacity   requests queued per model (read, waiting for their batch) before the server answers 503
 * @param maxRequestBytes largest request body; a larger one is answered 413 without being read further
 * @param session         how every model's session computes: precision, a threshold overriding the models', and
 *                        how many input shapes it keeps networks for (at least as many as {@link #batchSizes})
 * @param warmupRuns      runs of a deterministic batch at every batch size a run can take (1, 2, 4, ... up to
 *                        {@code maxBatch}, the sizes batches are padded to) before a model reports ready, so that
 *                        the first requests find its kernels prepared and compiled; at the smallest size the runs
 *                        go on for {@code jitWarmup} too, at the larger ones for at most 1 s after the first, and
 *                        a size whose run would take over 10 s is left to its first request; then as many JSON and
 *                        as many binary requests the server sends itself; 0 for none
 * @param jitWarmup       how long the warm-up's runs at the smallest batch size go on after the first (which
 *                        prepares the network) while the JIT compiles the model's Java code, and at most
 *                        {@link #jitWarmupRuns()} of them; not with {@code warmupRuns} 0. A longer one makes the
 *                        first minute of requests steadier for as much more time before ready
 */
public record ServerConfig(String host, int port, int maxBatch, Duration maxQueueDelay, int queueCapacity,
                           long maxRequestBytes, SessionOptions session, int warmupRuns, Duration jitWarmup) {
    /*
     * The limits of the values, public for the command line, whose refusal of an option that sets one names the
     * limit read from here: what it says is then what this record enforces.
     */
    public static final int MIN_PORT = 0;
    public static final int MAX_PORT = 65535;
    public static final int MIN_MAX_BATCH = 1;
    public static final Duration MIN_QUEUE_DELAY = Duration.ZERO;
    public static final int MIN_QUEUE_CAPACITY = 1;
    public static final long MIN_REQUEST_BYTES = 1;
    public static final int MIN_WARMUP_RUNS = 0;
    public static final Duration MIN_JIT_WARMUP = Duration.ZERO;
    /**
     * Warm-up runs per batch size by default: DG-ResNet-50's first request of one image (binary data, 2 cores) took
     * 91 ms after five, 209 ms after two and 1.7 s with none, against 42 ms in the steady state; ten did no better.
     */
    public static final int DEFAULT_WARMUP_RUNS = 5;
    /**
     * The JIT's warm-up by default: DG-MobileNetV2's runs took 9-15 ms after 5 runs, 5.5-6 ms after 30, and 4.5 ms,
     * as in a benchmark's steady state, only after about 110 (2 AVX-512 cores). On 2 AVX2 cores 6 s (800 runs) instead
     * made the p99 of the first 500 requests 38-49 ms against 55-85 ms, for 4.4 s more before ready.
     */
    public static final Duration DEFAULT_JIT_WARMUP = Duration.ofMillis(1500);
    /**
     * The JIT's warm-up runs per second of {@link #jitWarmup} at most (200 for the default), so that a model that
     * runs fast is ready sooner: its code has run as often as a slower model's in the whole time.
     */
    private static final double JIT_WARMUP_RUNS_PER_SECOND = 200 / 1.5;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(jitWarmup, "jitWarmup");
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new IllegalArgumentException("port must be in [" + MIN_PORT + ", " + MAX_PORT + "], got " + port);
        }
        if (maxBatch < MIN_MAX_BATCH) {
            throw new IllegalArgumentException("max batch must be >= " + MIN_MAX_BATCH + ", got " + maxBatch);
        }
        if (maxQueueDelay.compareTo(MIN_QUEUE_DELAY) < 0) {
            throw new IllegalArgumentException("max queue delay must be >= " + millis(MIN_QUEUE_DELAY) + ", got "
                    + millis(maxQueueDelay));
        }
        if (queueCapacity < MIN_QUEUE_CAPACITY) {
            throw new IllegalArgumentException("queue capacity must be >= " + MIN_QUEUE_CAPACITY + ", got "
                    + queueCapacity);
        }
        if (maxRequestBytes < MIN_REQUEST_BYTES) {
            throw new IllegalArgumentException("max request bytes must be >= " + MIN_REQUEST_BYTES + ", got "
                    + maxRequestBytes);
        }
        if (warmupRuns < MIN_WARMUP_RUNS) {
            throw new IllegalArgumentException("warm-up runs must be >= " + MIN_WARMUP_RUNS + ", got " + warmupRuns);
        }
        if (jitWarmup.compareTo(MIN_JIT_WARMUP) < 0) {
            throw new IllegalArgumentException("JIT warm-up must be >= " + millis(MIN_JIT_WARMUP) + ", got "
                    + millis(jitWarmup));
        }
        int batchSizes = batchSizes(maxBatch).size();
        if (session.maxShapes() < batchSizes) {
            throw new IllegalArgumentException("each model would keep networks for " + session.maxShapes()
                    + " input shapes, fewer than the " + batchSizes + " batch sizes runs take (1, 2, 4, ... up to "
                    + maxBatch + "): every batch would prepare its network again");
        }
    }

    /** {@code d} in milliseconds, exactly (ISO's {@code PT-0.001S} reads badly in a message). */
    private static String millis(Duration d) {
        // Not toNanos, which overflows past 292 years.
        return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).movePointRight(3)
                .stripTrailingZeros().toPlainString() + " ms";
    }

    /**
     * Local port 8000, batches of up to 8 instances gathered for at most 5 ms, 64 requests queued per model,
     * request bodies up to 32 MiB (a batch of eight 224x224 RGB images as JSON numbers is about 15 MB), f32 and
     * each model's own threshold, {@value #DEFAULT_WARMUP_RUNS} warm-up runs per batch size, then
     * {@link #DEFAULT_JIT_WARMUP} more at batch 1.
     */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8000, 8, Duration.ofMillis(5), 64, 32L << 20,
                SessionOptions.defaults(), DEFAULT_WARMUP_RUNS, DEFAULT_JIT_WARMUP);
    }

    /** Most runs {@link #jitWarmup} makes: {@link #JIT_WARMUP_RUNS_PER_SECOND} per second of it, rounded up. */
    public long jitWarmupRuns() {
        double seconds = jitWarmup.getSeconds() + jitWarmup.getNano() / 1e9;
        return (long) Math.ceil(Math.min(seconds * JIT_WARMUP_RUNS_PER_SECOND, Long.MAX_VALUE));
    }

    /**
     * The batch size a run of {@code instances} takes: the next power of two, at most {@link #maxBatch}; a request
     * over the maximum keeps its own size.
     */
    public int paddedBatch(int instances) {
        return paddedBatch(instances, maxBatch);
    }

    private static int paddedBatch(int instances, int maxBatch) {
        if (instances <= 1 || instances >= maxBatch) {
            return instances;
        }
        return Math.min(Integer.highestOneBit(instances - 1) << 1, maxBatch);
    }

    /** Every batch size a run of at most {@link #maxBatch} instances takes, smallest first. */
    public List<Integer> batchSizes() {
        return batchSizes(maxBatch);
    }

    /**
     * Every batch size a run takes where at most {@code maxBatch} instances share one, smallest first: the powers of
     * two below it, and itself; none for a maximum under 1.
     */
    public static List<Integer> batchSizes(int maxBatch) {
        List<Integer> sizes = new ArrayList<>();
        for (long size = 1; size < maxBatch; size *= 2) {
            sizes.add((int) size);
        }
        if (maxBatch >= 1) {
            sizes.add(maxBatch);
        }
        return List.copyOf(sizes);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, maxBatch, maxQueueDelay, queueCapacity, maxRequestBytes, session,
                warmupRuns, jitWarmup);
    }

    public ServerConfig withBatching(int newMaxBatch, Duration newMaxQueueDelay) {
        return new ServerConfig(host, port, newMaxBatch, newMaxQueueDelay, queueCapacity, maxRequestBytes, session,
                warmupRuns, jitWarmup);
    }

    public ServerConfig withQueueCapacity(int capacity) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, capacity, maxRequestBytes, session, warmupRuns,
                jitWarmup);
    }

    public ServerConfig withMaxRequestBytes(long bytes) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, queueCapacity, bytes, session, warmupRuns,
                jitWarmup);
    }

    public ServerConfig withWarmupRuns(int runs) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, queueCapacity, maxRequestBytes, session, runs,
                jitWarmup);
    }

    public ServerConfig withJitWarmup(Duration time) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, queueCapacity, maxRequestBytes, session,
                warmupRuns, time);
    }
}
