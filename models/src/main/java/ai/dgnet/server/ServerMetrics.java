package ai.dgnet.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one JVM do not mix counts):
 * {@code dgnet_server_requests_total{model,endpoint,status}} (every request answered, counted as its response
 * starts, whether or not it then reached the client), of those {@code dgnet_server_responses_failed_total{model,
 * endpoint,status}} the ones whose response failed to go out in full (the client had gone), the latency histogram
 * {@code dgnet_server_request_duration_seconds{model,endpoint}}, the batch sizes
 * {@code dgnet_server_batch_size{model}} (instances per run, buckets at powers of two up to the maximum batch),
 * {@code dgnet_server_queue_depth{model}} and the time of each batched run
 * {@code dgnet_server_inference_duration_seconds{model}}, and the Java heap requests hold,
 * {@code dgnet_server_request_heap_bytes}, against its limit {@code dgnet_server_request_heap_limit_bytes}. Requests
 * for models the server does not have count under {@code model=""}, so that a client cannot grow the label set.
 */
final class ServerMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Latency buckets from 1 ms to 30 s, a few per decade: enough for quantiles, few enough for every series. */
    private static final Duration[] LATENCY_BUCKETS = IntStream.of(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000,
            5000, 10_000, 30_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final double[] batchBuckets;

    ServerMetrics(int maxBatch) {
        this.batchBuckets = ServerConfig.batchSizes(maxBatch).stream().mapToDouble(Integer::doubleValue).toArray();
    }

    void request(String model, String endpoint, int status, long nanos) {
        Counter.builder("dgnet.server.requests")
                .description("HTTP requests answered, by model, endpoint and status, counted as the response "
                        + "starts: those whose response then failed to write count in dgnet_server_responses_failed "
                        + "too")
                .tags("model", model, "endpoint", endpoint, "status", Integer.toString(status))
                .register(registry)
                .increment();
        Timer.builder("dgnet.server.request.duration")
                .description("Time from a request's arrival to the start of its response")
                .tags("model", model, "endpoint", endpoint)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A response counted by {@link #request} that then failed to go out in full. */
    void failedResponse(String model, String endpoint, int status) {
        Counter.builder("dgnet.server.responses.failed")
                .description("HTTP requests answered whose response failed to write in full (the client had "
                        + "gone), by model, endpoint and status; also in dgnet_server_requests")
                .tags("model", model, "endpoint", endpoint, "status", Integer.toString(status))
                .register(registry)
                .increment();
    }

    void batch(String model, int instances, long nanos) {
        DistributionSummary.builder("dgnet.server.batch.size")
                .description("Instances per batched run")
                .tags("model", model)
                .serviceLevelObjectives(batchBuckets)
                .register(registry)
                .record(instances);
        Timer.builder("dgnet.server.inference.duration")
                .description("Time of one batched run of a model")
                .tags("model", model)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void queueDepth(String model, IntSupplier depth) {
        // A model loaded again reports its new worker's queue: the registry would keep the first gauge, and with it
        // the worker it reads, for good.
        forgetQueueDepth(model);
        Gauge.builder("dgnet.server.queue.depth", depth, d -> d.getAsInt())
                .description("Requests waiting in a model's queue")
                .tags("model", model)
                .strongReference(true)
                .register(registry);
    }

    /** Reports the queue of {@code model} no more: the model has left the server. */
    void forgetQueueDepth(String model) {
        registry.find("dgnet.server.queue.depth").tags("model", model).meters().forEach(registry::remove);
    }

    void heapBudget(HeapBudget budget) {
        Gauge.builder("dgnet.server.request.heap", budget, HeapBudget::held)
                .description("Java heap held by requests being read, queued or answered")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        Gauge.builder("dgnet.server.request.heap.limit", budget, HeapBudget::limit)
                .description("Java heap requests may hold at once; a request past it is answered 503 or 413")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    /** The Prometheus text exposition format. */
    String scrape() {
        return registry.scrape();
    }

}
