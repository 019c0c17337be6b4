package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.SessionOptions;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.server.InferenceServer;
import ai.dgnet.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code dgnet serve}: models over HTTP with the Open Inference Protocol until the process is told to stop; a
 * SIGTERM or Ctrl-C closes the server gracefully (every request it accepted is answered).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve models over HTTP with the Open Inference Protocol (KServe v2 REST): "
                + "POST /v2/models/NAME/infer, model metadata, health, the model repository (index, and load or "
                + "unload of the models given here and of --model-repository's files), and Prometheus metrics at "
                + "/metrics. "
                + "Runs until terminated (Ctrl-C, SIGTERM), answering every request it accepted before it stops.")
final class ServeCommand implements Callable<Integer> {
    private static final ServerConfig DEFAULTS = ServerConfig.defaults();
    /** Bytes in a MiB, the unit of --max-request-mb. */
    private static final long MIB = 1 << 20;
    /** How long the shutdown hook waits for the command to release the models and the device. */
    private static final long RELEASE_SECONDS = 5;

    @Parameters(arity = "0..*", paramLabel = "MODEL",
            description = "Model file (.safetensors), served under its file name without '.safetensors', or an "
                    + "architecture id such as resnet50 for that architecture with deterministic weights; "
                    + "NAME=MODEL serves it under NAME. Loaded at start; at least one, or --model-repository.")
    List<String> models = List.of();

    @Option(names = "--model-repository", paramLabel = "DIR",
            description = "Directory of model files: each NAME.safetensors in it is a model NAME, listed by "
                    + "POST /v2/repository/index and loaded only by POST /v2/repository/models/NAME/load (or at start "
                    + "where it is also given as a MODEL). Listed anew at each index and load request, so that a "
                    + "file added later loads without a restart.")
    Path repository;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host = DEFAULTS.host();

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port = DEFAULTS.port();

    @Option(names = "--max-batch", paramLabel = "N",
            description = "Most instances one batched run takes (default: ${DEFAULT-VALUE}).")
    int maxBatch = DEFAULTS.maxBatch();

    @Option(names = "--max-delay-ms", paramLabel = "MS",
            description = "How long a request waits for others to share its batch (default: ${DEFAULT-VALUE}).")
    long maxDelayMs = DEFAULTS.maxQueueDelay().toMillis();

    @Option(names = "--queue", paramLabel = "N",
            description = "Requests queued per model before the server answers 503 (default: ${DEFAULT-VALUE}).")
    int queue = DEFAULTS.queueCapacity();

    @Option(names = "--max-request-mb", paramLabel = "MB",
            description = "Largest request body in MiB; larger ones are answered 413 (default: ${DEFAULT-VALUE}).")
    long maxRequestMb = DEFAULTS.maxRequestBytes() / MIB;

    @Option(names = "--warmup-runs", paramLabel = "N",
            description = "Runs of a deterministic batch at each batch size runs take (1, 2, 4, ... up to "
                    + "--max-batch) before a model reports ready, so that the first requests wait for no preparation "
                    + "or compilation; at batch 1 they go on for --jit-warmup-ms more, at larger sizes they stop "
                    + "once those after the first have taken 1 s, and a size whose run would take over 10 s is left "
                    + "to its first request; 0 for none "
                    + "(default: ${DEFAULT-VALUE}).")
    int warmupRuns = DEFAULTS.warmupRuns();

    @Option(names = "--jit-warmup-ms", paramLabel = "MS",
            description = "How long the warm-up's runs at batch 1 go on after the first, while the JIT compiles the "
                    + "model's Java code, stopping sooner after 2 runs per 15 ms of it; longer makes the first "
                    + "minute of requests steadier for as much more time before ready (default: ${DEFAULT-VALUE}).")
    long jitWarmupMs = DEFAULTS.jitWarmup().toMillis();

    @Option(names = "--max-shapes", paramLabel = "N",
            description = "Input shapes (batch size and image size) each model keeps a prepared network for; a "
                    + "request of another shape closes the one run least recently (default: 8, or as many as the "
                    + "batch sizes runs take where --max-batch makes more).")
    Integer maxShapes;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    /** A started server and the device it runs on, released together; the server closes the models it opened. */
    record Serving(InferenceServer server, ServerConfig config, CpuDevice device) implements AutoCloseable {
        @Override
        public void close() {
            Closeables.closeAll(List.of(server, device));
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        PrintWriter out = spec.commandLine().getOut();
        try (Serving serving = start()) {
            // The JVM halts once its hooks return: the hook waits (briefly) for the command to release the device.
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("dgnet-serve-shutdown").unstarted(() -> {
                out.println("dgnet serve: stopping: answering the requests already accepted");
                out.flush();
                serving.server().close();
                stopped.countDown();
                try {
                    released.await(RELEASE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            out.println("dgnet serve: " + served() + " at " + serving.server().uri() + " (Ctrl-C to stop)");
            out.flush();
            long start = System.nanoTime();
            if (serving.server().awaitReady()) {
                Map<String, List<Integer>> warmed = serving.server().warmedBatchSizes();
                out.println(warmed.isEmpty() ? "dgnet serve: ready: no model loaded (POST /v2/repository/models/NAME/"
                        + "load loads one)" : warmupRuns == 0 ? "dgnet serve: ready" : String.format(Locale.ROOT,
                        "dgnet serve: ready: warmed up in %.1f s (up to %d runs %s)",
                        (System.nanoTime() - start) / 1e9, warmupRuns, warmed(warmed)));
                out.flush();
            }
            stopped.await();
        }
        out.println("dgnet serve: stopped");
        out.flush();
        released.countDown();
        return 0;
    }

    /**
     * Where the models warmed up, for the ready line: {@code at batch sizes 1, 2, 4, 8} when every model warmed up at
     * the same sizes, else per model ({@code a at batch sizes 1, 2; b at batch size 1}).
     */
    static String warmed(Map<String, List<Integer>> sizesByModel) {
        if (Set.copyOf(sizesByModel.values()).size() == 1) {
            return atSizes(sizesByModel.values().iterator().next());
        }
        return sizesByModel.entrySet().stream().map(e -> e.getKey() + " " + atSizes(e.getValue()))
                .collect(Collectors.joining("; "));
    }

    private static String atSizes(List<Integer> sizes) {
        return sizes.isEmpty() ? "at no batch size"
                : (sizes.size() == 1 ? "at batch size " : "at batch sizes ")
                        + sizes.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /**
     * Opens the device and starts the server, which opens the models (and opens one again where a client loads it
     * after an unload); the caller closes what it gets.
     */
    Serving start() throws IOException {
        if (models.isEmpty() && repository == null) {
            throw new IllegalArgumentException("no model to serve: give a MODEL, or --model-repository DIR");
        }
        // Checked here against the limits ServerConfig and SessionOptions enforce, so that each refusal names the
        // option the user typed and the option's own unit.
        OptionChecks.inRange("--port", ServerConfig.MIN_PORT, ServerConfig.MAX_PORT, port);
        OptionChecks.atLeast("--max-batch", ServerConfig.MIN_MAX_BATCH, maxBatch);
        OptionChecks.atLeast("--max-delay-ms", ServerConfig.MIN_QUEUE_DELAY.toMillis(), maxDelayMs);
        OptionChecks.atLeast("--queue", ServerConfig.MIN_QUEUE_CAPACITY, queue);
        // At most the MiB whose bytes a long counts.
        OptionChecks.inRange("--max-request-mb", Math.ceilDiv(ServerConfig.MIN_REQUEST_BYTES, MIB),
                Long.MAX_VALUE / MIB, maxRequestMb);
        OptionChecks.atLeast("--warmup-runs", ServerConfig.MIN_WARMUP_RUNS, warmupRuns);
        OptionChecks.atLeast("--jit-warmup-ms", ServerConfig.MIN_JIT_WARMUP.toMillis(), jitWarmupMs);
        OptionChecks.atLeast("--max-shapes", SessionOptions.MIN_MAX_SHAPES, maxShapes);
        List<Integer> batchSizes = ServerConfig.batchSizes(maxBatch);
        if (maxShapes != null && maxShapes < batchSizes.size()) {
            throw new IllegalArgumentException("--max-shapes " + maxShapes + " is fewer than the " + batchSizes.size()
                    + " batch sizes runs take with --max-batch " + maxBatch + " (1, 2, 4, ... up to " + maxBatch
                    + "): every batch would prepare its network again");
        }
        int shapes = maxShapes != null ? maxShapes : Math.max(DEFAULTS.session().maxShapes(), batchSizes.size());
        ServerConfig config = new ServerConfig(host, port, maxBatch, Duration.ofMillis(maxDelayMs), queue,
                maxRequestMb * MIB, sessionOption.options().withMaxShapes(shapes), warmupRuns,
                Duration.ofMillis(jitWarmupMs));
        List<String> names = names();
        for (int i = 0; i < models.size(); i++) {
            // Before any model is read; the server checks every name, but only here is it known to be a file's.
            if (!named(models.get(i)) && Files.exists(Path.of(models.get(i)))
                    && !InferenceServer.isModelName(names.get(i))) {
                throw new IllegalArgumentException("model name '" + names.get(i) + "', the file's name, must be "
                        + InferenceServer.MODEL_NAME_RULE + ": serve it as NAME=" + models.get(i));
            }
        }
        Map<String, Supplier<DgModel>> sources = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
            if (sources.containsKey(names.get(i))) {
                throw new IllegalArgumentException("two models are named '" + names.get(i)
                        + "': name one of them with NAME=FILE");
            }
            String location = location(models.get(i));
            requireNoClash(names.get(i), location);
            sources.put(names.get(i), () -> ModelArgument.open(location));
        }
        // Before the models, which may take long to read: a bad --threads is found at once.
        CpuDevice device = threads.device();
        try {
            return new Serving(listen(config, sources, device), config, device);
        } catch (RuntimeException | IOException e) {
            Closeables.closeAfter(e, List.of(device));
            throw e;
        }
    }

    /**
     * Refuses a MODEL named as a file of the model repository, unless it is that file: then it is that model of the
     * repository, loaded at start. Two models of one name would leave a client guessing which one a load loads.
     */
    private void requireNoClash(String name, String location) throws IOException {
        if (repository == null) {
            return;
        }
        Path file = repository.resolve(name + DgModel.FILE_EXTENSION);
        if (Files.exists(file) && !(Files.exists(Path.of(location)) && Files.isSameFile(file, Path.of(location)))) {
            throw new IllegalArgumentException("model '" + name + "' is both " + location + " and the model "
                    + "repository's " + file + ": serve the MODEL as NAME=" + location);
        }
    }

    private InferenceServer listen(ServerConfig config, Map<String, Supplier<DgModel>> models, CpuDevice device)
            throws IOException {
        try {
            return repository == null ? InferenceServer.startOwning(config, models, device)
                    : InferenceServer.startOwning(config, models, repository, device);
        } catch (SocketException e) {
            // In use, not this machine's, or no address at all ("Unresolved address").
            throw new IOException("cannot listen on " + config.host() + ":" + config.port() + " (--host, --port): "
                    + e.getMessage(), e);
        }
    }

    /** What the server serves, for the first line: the models given, and the model repository. */
    private String served() {
        List<String> served = new ArrayList<>(names());
        if (repository != null) {
            served.add("the model repository " + repository);
        }
        return String.join(", ", served);
    }

    private List<String> names() {
        return models.stream().map(m -> named(m) ? m.substring(0, m.indexOf('=')) : ModelArgument.name(m)).toList();
    }

    private static String location(String model) {
        return named(model) ? model.substring(model.indexOf('=') + 1) : model;
    }

    /** NAME=MODEL, unless a file of that whole name exists. */
    private static boolean named(String model) {
        return model.indexOf('=') > 0 && !Files.exists(Path.of(model));
    }
}
