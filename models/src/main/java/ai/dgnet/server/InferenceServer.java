package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Shape;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * DG-Net models over HTTP with the Open Inference Protocol (KServe v2) REST API, on the JDK's own HTTP server.
 * Each model has one worker thread that owns its session and runs queued requests of one instance shape as one
 * batch (see {@link ServerConfig} for the limits). {@link #close()} is graceful: it answers new requests 503, runs
 * every request already queued, then stops. The server does not own the device, nor the models given to
 * {@link #start}: close them after the server.
 *
 * <p>The models are those the server was started with and, where it has a model repository (a directory, see
 * {@link #startOwning(ServerConfig, Map, Path, Device)}), one per model file in it, loaded only when a client asks, as
 * with Triton's explicit model control. The model repository extension unloads a model (its queued requests answered,
 * its session closed) and loads it (again: from the same source, warmed up as at start). A load of a model served
 * already loads it anew, as Triton's does, and the new load serves once it has warmed up; the old one serves
 * meanwhile, or on where the load fails, and runs the requests that found it before it is closed.
 *
 * <p>Once a model has warmed up, the server sends it {@link ServerConfig#warmupRuns()} requests of one image as JSON
 * and as many as binary tensor data, in turns, over loopback, so that the JIT has compiled the request path (the HTTP
 * server's, the codec's, the queue's code) before the first client's request: DG-MobileNetV2's first binary request
 * took 39-65 ms without, 21-23 ms after ten such requests ({@code bench/RESULTS.md}). They carry a header with a
 * value only this server knows, and no metric counts them; the server reports ready after them. Where no model was
 * loaded at start, the first model a client loads gets them instead, before its load is answered.
 */
public final class InferenceServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InferenceServer.class.getName());
    /** The JDK HTTP server's switch for TCP_NODELAY, off by default. */
    static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";
    static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
    private static final int MAX_REQUEST_SECONDS = 60;
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** What {@link #MODEL_NAME} takes, in words. */
    public static final String MODEL_NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit";
    /** How long {@link #close()} lets answered requests finish writing their responses to slow clients. */
    private static final Duration RESPONSE_GRACE = Duration.ofSeconds(10);

    private final HttpServer http;
    /** The address asked for, which names the server in its URL where it listens on every interface. */
    private final InetAddress listenAddress;
    private final ExecutorService executor;
    private final ModelSlots models;
    private final String warmupToken = UUID.randomUUID().toString();
    private final CountDownLatch warmedUp = new CountDownLatch(1);
    private final AtomicInteger warmupRequests = new AtomicInteger();
    /** The server's own requests per model it warms up, JSON and binary each ({@link ServerConfig#warmupRuns()}). */
    private final int warmupRuns;
    /** Whether a model has had the server's own requests: the JIT has compiled the request path, for every model. */
    private final AtomicBoolean requestPathWarm = new AtomicBoolean();
    private volatile Thread warmup;
    private volatile ApiHandler handler;
    private volatile boolean closing;
    private boolean closed;

    private InferenceServer(HttpServer http, InetAddress listenAddress, ExecutorService executor, ModelSlots models,
                            int warmupRuns) {
        this.http = http;
        this.listenAddress = listenAddress;
        this.executor = executor;
        this.models = models;
        this.warmupRuns = warmupRuns;
    }

    /**
     * Starts serving {@code models} (by name: letters, digits, '.', '_' and '-', in the URL paths) on
     * {@code device}. They stay the caller's: an unload (the model repository extension) closes a model's session,
     * and a load serves the same model again, with a new session.
     *
     * @throws IOException when the address cannot be bound
     */
    public static InferenceServer start(ServerConfig config, Map<String, DgModel> models, Device device)
            throws IOException {
        return start(config, models, device, WorkerHooks.NONE, HeapBudget.halfOfHeap());
    }

    /**
     * Starts serving the models {@code sources} open, by name as {@link #start(ServerConfig, Map, Device)} does. The
     * server owns them: it opens each at start and at each load (the model repository extension), and closes it at
     * its unload, at {@link #close()}, and once a later load has taken its place and the requests it was running are
     * answered. A source may throw, with a message naming the model, when it cannot open it: at start that fails the
     * start, at a load that load.
     *
     * @throws IOException when the address cannot be bound
     */
    public static InferenceServer startOwning(ServerConfig config, Map<String, Supplier<DgModel>> sources,
                                              Device device) throws IOException {
        return start(config, sources, true, null, device, WorkerHooks.NONE, HeapBudget.halfOfHeap());
    }

    /**
     * As {@link #startOwning(ServerConfig, Map, Device)}, {@code sources} loaded at start (none is fine), and the model
     * repository {@code repository} besides: each file {@code NAME.safetensors} in that directory (not in its
     * subdirectories) is a model named NAME, not loaded until a client loads it (the model repository extension). The
     * directory is listed again at each index and load request, so that a file added later is loaded without a
     * restart; a model whose file is removed serves on (it has the file mapped) until it is unloaded, and then leaves
     * the index. Clients name models, never files: a name is matched against the listing alone, and a file that is a
     * link to one outside the directory is neither listed nor opened. A file named as a model of {@code sources} is
     * not listed: that model keeps its name.
     *
     * @throws IllegalArgumentException where {@code repository} is no directory
     * @throws IOException              when the address cannot be bound
     */
    public static InferenceServer startOwning(ServerConfig config, Map<String, Supplier<DgModel>> sources,
                                              Path repository, Device device) throws IOException {
        return start(config, sources, true, Objects.requireNonNull(repository, "repository"), device,
                WorkerHooks.NONE, HeapBudget.halfOfHeap());
    }

    /** Whether a model may be served under {@code name}: {@value #MODEL_NAME_RULE}. */
    public static boolean isModelName(String name) {
        return MODEL_NAME.matcher(name).matches();
    }

    static InferenceServer start(ServerConfig config, Map<String, DgModel> models, Device device, WorkerHooks hooks,
                                 HeapBudget heapBudget) throws IOException {
        Map<String, Supplier<DgModel>> sources = new LinkedHashMap<>();
        models.forEach((name, model) -> sources.put(name, () -> model));
        return start(config, sources, false, null, device, hooks, heapBudget);
    }

    /** The models of {@code repository} (null for none) are the server's to open and close, whatever {@code owned}. */
    static InferenceServer start(ServerConfig config, Map<String, Supplier<DgModel>> models, boolean owned,
                                 Path repository, Device device, WorkerHooks hooks, HeapBudget heapBudget)
            throws IOException {
        if (models.isEmpty() && repository == null) {
            throw new IllegalArgumentException("no model to serve");
        }
        for (String name : models.keySet()) {
            if (!isModelName(name)) {
                throw new IllegalArgumentException("model name '" + name + "' must be " + MODEL_NAME_RULE);
            }
        }
        httpPropertiesUnlessSet();
        ServerMetrics metrics = new ServerMetrics(config.maxBatch());
        metrics.heapBudget(heapBudget);
        Map<String, ModelSlot> slots = new LinkedHashMap<>();
        models.forEach((name, source) -> slots.put(name, new ModelSlot(name, source, owned, device, config, metrics,
                hooks)));
        // Listed before any model is read: a bad directory is found at once.
        ModelSlots all = new ModelSlots(slots, repository,
                (name, source) -> new ModelSlot(name, source, true, device, config, metrics, hooks));
        HttpServer http;
        InetSocketAddress listenAddress;
        // The models before the address: a model that cannot be opened is named as such whatever the port.
        try {
            for (ModelSlot slot : slots.values()) {
                slot.load();
            }
            listenAddress = new InetSocketAddress(config.host(), config.port());
            http = HttpServer.create(listenAddress, 0);
        } catch (RuntimeException | IOException e) {
            stop(slots.values());
            throw e;
        }
        // Handlers mostly wait (for a body, for their batch): a virtual thread each. The queues bound the work.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        InferenceServer server = new InferenceServer(http, listenAddress.getAddress(), executor, all,
                config.warmupRuns());
        byte[] metadata = V2Json.serverMetadata(version(), List.of("binary_tensor_data", "classify",
                "model_repository"));
        server.handler = new ApiHandler(all, config.maxRequestBytes(), heapBudget, metrics,
                () -> !server.closing, () -> server.warmedUp.getCount() == 0, server.warmupToken, metadata,
                indexPage(), server::warmRequestPath);
        http.createContext("/", server.handler);
        http.setExecutor(executor);
        http.start();
        server.warmup = Thread.ofVirtual().name("dgnet-serve-warmup").start(server::warmUp);
        return server;
    }

    /**
     * Once each model has warmed up, sends it {@link #warmupRuns} JSON requests and as many binary ones of one image of
     * its input size, in turns, through the HTTP server; then the server is ready. A failure is logged and ends that
     * model's warm-up alone: the next models are warmed up all the same, and the server serves them all. A model
     * unloaded meanwhile is left; one loaded later needs no such warm-up, the request path being compiled, unless no
     * model was loaded at start ({@link #warmRequestPath}).
     */
    private void warmUp() {
        try {
            for (ModelSlot model : models.all()) {
                ApiHandler.Served served = model.served();
                if (served == null) {
                    continue;
                }
                served.worker().awaitWarm(Long.MAX_VALUE);
                if (warmupRuns > 0) {
                    requestPathWarm.set(true);
                    warmUp(model, served.worker(), warmupRuns);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            warmedUp.countDown();
        }
    }

    /**
     * After a client's load of {@code model}, before it is answered: where no model has had the server's own requests
     * yet (the server started with none loaded, as with a model repository alone), sends them to this one, so that its
     * first clients find the request path compiled too.
     */
    private void warmRequestPath(ModelSlot model) {
        ApiHandler.Served served = model.served();
        if (warmupRuns > 0 && served != null && requestPathWarm.compareAndSet(false, true)) {
            warmUp(model, served.worker(), warmupRuns);
        }
    }

    private void warmUp(ModelSlot model, ModelWorker worker, int runs) {
        ModelConfig config = worker.model().config();
        Shape shape = Shape.of(1, config.inChannels(), config.imageSize(), config.imageSize());
        float[] values = DeterministicWeights.generate("input", shape.dims(), ModelWorker.WARMUP_SEED);
        byte[] json = V2Json.inferRequest(shape, values);
        V2Json.BinaryRequest binary = V2Json.binaryInferRequest(shape, values);
        URI infer = loopbackUri().resolve("v2/models/" + worker.name() + "/infer");
        try {
            for (int i = 0; i < 2 * runs && !closing && model.served() != null; i++) {
                if (i % 2 == 0) {
                    post(infer, json, "application/json", null);
                } else {
                    post(infer, binary.body(), "application/octet-stream", binary.jsonBytes());
                }
                warmupRequests.incrementAndGet();
            }
        } catch (IOException e) {
            if (!closing && model.served() != null) {
                LOG.log(Level.WARNING, "model '" + worker.name() + "': the server's HTTP warm-up stopped: "
                        + e.getMessage());
            }
        }
    }

    /**
     * Sends one warm-up request, with {@code Inference-Header-Content-Length} where {@code jsonBytes} is given, and
     * reads its whole response.
     */
    private void post(URI uri, byte[] body, String type, Integer jsonBytes) throws IOException {
        // Straight to itself, whatever proxy the JVM was told to use.
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        try {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", type);
            connection.setRequestProperty(ApiHandler.WARMUP_HEADER, warmupToken);
            if (jsonBytes != null) {
                connection.setRequestProperty(ApiHandler.INFERENCE_HEADER_LENGTH, jsonBytes.toString());
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                byte[] answer = in == null ? new byte[0] : in.readAllBytes();
                if (status != 200 && !closing) {
                    throw new IOException(uri.getPath() + " answered " + status + ": "
                            + new String(answer, StandardCharsets.UTF_8));
                }
            }
        } finally {
            connection.disconnect();
        }
    }

    /** The warm-up requests the server has had answered so far. */
    int warmupRequests() {
        return warmupRequests.get();
    }

    /**
     * Sets the JDK's HTTP server's properties this server needs, unless the JVM was told otherwise; the JDK reads them
     * once, when it makes its first server.
     * <ul>
     * <li>TCP_NODELAY on its connections: with Nagle's algorithm a response written in more than one piece waits for
     * the client's delayed acknowledgement, 40 ms on Linux. On loopback that took a JSON request of one 224x224 image
     * from 27 to 68 ms at the median (see {@code bench/RESULTS.md}).</li>
     * <li>At most {@value #MAX_REQUEST_SECONDS} s to read a request, headers and body (not to answer it): a request
     * holds its share of the heap budget while its body arrives (an image's twice its declared length), and without
     * a limit clients that sent headers and then nothing would hold it for good, every other request answered 503.
     * Past the limit the connection is closed, which gives the share back. 60 s reads the default largest body,
     * 32 MiB, at 4.5 Mbit/s.</li>
     * </ul>
     */
    private static void httpPropertiesUnlessSet() {
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
        if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
            System.setProperty(MAX_REQUEST_TIME_PROPERTY, Integer.toString(MAX_REQUEST_SECONDS));
        }
    }

    /**
     * Waits until every model has warmed up ({@link ServerConfig#warmupRuns()}); requests sent before then wait in
     * their model's queue. Returns whether the server is ready: false when it was closed meanwhile.
     */
    public boolean awaitReady() throws InterruptedException {
        return awaitReady(Duration.ofNanos(Long.MAX_VALUE));
    }

    /**
     * As {@link #awaitReady()}, for at most {@code timeout} (one past 292 years waits as long as that): false also
     * when the models are still warming up.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        // The sum may wrap; the differences below unwrap it, as System.nanoTime() asks.
        long deadline = System.nanoTime() + ModelWorker.nanos(timeout);
        for (ModelSlot model : models.all()) {
            ApiHandler.Served served = model.served();
            if (served != null && !served.worker().awaitWarm(deadline - System.nanoTime())) {
                return false;
            }
        }
        return warmedUp.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) && !closing;
    }

    /**
     * Per model loaded, in the order served, the batch sizes its warm-up ran at without failing; call once
     * {@link #awaitReady()} has returned true.
     */
    public Map<String, List<Integer>> warmedBatchSizes() {
        Map<String, List<Integer>> sizes = new LinkedHashMap<>();
        for (ModelSlot model : models.all()) {
            ApiHandler.Served served = model.served();
            if (served != null) {
                sizes.put(model.name(), served.worker().warmedBatchSizes());
            }
        }
        return sizes;
    }

    /** The port the server listens on (the one picked when the configuration asked for port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * The server's base URL, {@code http://HOST:PORT/}. Every interface is named as asked: a dual-stack socket asked
     * for IPv4's 0.0.0.0 listens on IPv6's wildcard, which would read {@code [0:0:0:0:0:0:0:0]}.
     */
    public URI uri() {
        InetAddress address = http.getAddress().getAddress();
        return uri(address.isAnyLocalAddress() ? listenAddress : address);
    }

    /** The base URL the server reaches itself at: over loopback where it listens on every address. */
    private URI loopbackUri() {
        InetAddress address = http.getAddress().getAddress();
        return uri(address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address);
    }

    private URI uri(InetAddress address) {
        String host = address.getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /**
     * Stops gracefully: new inference requests are answered 503 and readiness turns false (400; liveness stays 200),
     * every request already queued is run and answered (one whose body is still arriving is answered 503), answers
     * being written get up to 10 s to go out, then the listener, the connections and the workers' sessions are closed,
     * and the models where the server owns them ({@link #startOwning}). A load in progress ends with the stop.
     */
    @Override
    public void close() {
        close(RESPONSE_GRACE);
    }

    /** {@link #close()}, giving the answers being written at most {@code grace} before their connections close. */
    synchronized void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        stop(models.close());
        // The warm-up's request in flight, if any, was answered as the workers drained: it ends now.
        joinUninterruptibly(warmup);
        // Our own count of handlers, not the JDK server's: it never counts an exchange as finished once writing its
        // answer failed (a client gone), so its stop(delay) would always wait out the whole delay after one.
        handler.awaitIdle(grace);
        http.stop(0);
        executor.close();
    }

    /** Stops every model of {@code slots}, their queues drained together, and closes those the server owns. */
    private static void stop(Collection<ModelSlot> slots) {
        slots.forEach(ModelSlot::beginStop);
        slots.forEach(ModelSlot::awaitStopped);
    }

    /** Waits for {@code thread} to end, an interrupt meanwhile kept for the caller to see. */
    static void joinUninterruptibly(Thread thread) {
        awaitUninterruptibly(() -> !thread.isAlive(), thread::join);
    }

    /** A wait that an interrupt may end early. */
    @FunctionalInterface
    interface Wait {
        void await() throws InterruptedException;
    }

    /**
     * Waits by {@code wait} until {@code done}, however long, for a wait that ends by itself (a thread's, a warm-up's);
     * an interrupt meanwhile is kept for the caller to see.
     */
    static void awaitUninterruptibly(BooleanSupplier done, Wait wait) {
        boolean interrupted = false;
        while (!done.getAsBoolean()) {
            try {
                wait.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String version() {
        String version = InferenceServer.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /** The page at {@code /}, from the class path; null when this build has none. */
    private static byte[] indexPage() {
        try (InputStream page = InferenceServer.class.getResourceAsStream("index.html")) {
            return page == null ? null : page.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page at /: " + e.getMessage(), e);
        }
    }
}
