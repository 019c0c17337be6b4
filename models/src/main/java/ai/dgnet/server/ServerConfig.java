package ai.dgnet.server;

import ai.dgnet.models.SessionOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link InferenceServer} listens and batches.
 *
 * @param host            address to bind ({@code 127.0.0.1} keeps the server local)
 * @param port            TCP port; 0 picks a free one ({@link InferenceServer#port()} tells which)
 * @param maxBatch        most instances one batched run takes; a request with more runs alone
 * @param maxQueueDelay   how long the first request of a batch waits for others of its shape to join it
 * @param queueCapacity   requests admitted per model (queued or being read) before the server answers 503
 * @param maxRequestBytes largest request body; a larger one is answered 413 without being read further
 * @param session         how every model's session computes: precision, and a threshold overriding the models'
 */
public record ServerConfig(String host, int port, int maxBatch, Duration maxQueueDelay, int queueCapacity,
                           long maxRequestBytes, SessionOptions session) {
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
        Objects.requireNonNull(session, "session");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("max queue delay must be >= 0, got " + maxQueueDelay);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1, got " + queueCapacity);
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("max request size must be >= 1 byte, got " + maxRequestBytes);
        }
    }

    /**
     * Local port 8000, batches of up to 8 instances gathered for at most 5 ms, 64 requests queued per model,
     * request bodies up to 32 MiB (a batch of eight 224x224 RGB images as JSON numbers is about 15 MB), f32 and
     * each model's own threshold.
     */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8000, 8, Duration.ofMillis(5), 64, 32L << 20,
                SessionOptions.defaults());
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, maxBatch, maxQueueDelay, queueCapacity, maxRequestBytes, session);
    }

    public ServerConfig withBatching(int newMaxBatch, Duration newMaxQueueDelay) {
        return new ServerConfig(host, port, newMaxBatch, newMaxQueueDelay, queueCapacity, maxRequestBytes, session);
    }

    public ServerConfig withQueueCapacity(int capacity) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, capacity, maxRequestBytes, session);
    }

    public ServerConfig withMaxRequestBytes(long bytes) {
        return new ServerConfig(host, port, maxBatch, maxQueueDelay, queueCapacity, bytes, session);
    }
}
