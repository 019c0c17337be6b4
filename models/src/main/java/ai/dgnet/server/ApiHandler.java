package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Shape;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Every request of the server: finds the endpoint, checks the method, answers, and counts the answer. Whatever
 * a client sends ends in a status and {@code {"error": message}} (a health answer's status alone says not ready);
 * only a failure of the server itself is a 500.
 */
final class ApiHandler implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    private static final String JSON_TYPE = "application/json";
    /** A response with binary tensor data: JSON, then bytes (the binary tensor data extension). */
    private static final String BINARY_TYPE = "application/octet-stream";
    private static final String REPOSITORY_MODELS = "/v2/repository/models/";
    static final String INFERENCE_HEADER_LENGTH = "Inference-Header-Content-Length";
    /** The header of the server's own warm-up requests (see {@link InferenceServer}). */
    static final String WARMUP_HEADER = "Dgnet-Warmup";
    /** The first buffer of a body sent chunked; each next one doubles it. */
    private static final int BODY_CHUNK = 64 << 10;
    /** The longest array the JVM allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** A loaded model: its worker, the outputs it offers and its metadata, made once per load. */
    record Served(ModelWorker worker, List<OutputTensor> outputs, byte[] metadata) {
        static Served of(ModelWorker worker) {
            ModelConfig config = worker.model().config();
            List<OutputTensor> outputs = OutputTensor.of(config);
            return new Served(worker, outputs, V2Json.modelMetadata(worker.name(), config, worker.threshold(),
                    outputs));
        }

        String name() {
            return worker.name();
        }

        ModelConfig config() {
            return worker.model().config();
        }
    }

    private interface Action {
        void answer(HttpExchange exchange, ModelSlot model) throws IOException;
    }

    /** Where a request goes; {@code model} and {@code version} are as the path gives them, null for none. */
    private record Target(String endpoint, String method, String model, String version, Action action) {
        /** What the endpoint takes: HTTP has every GET taken as HEAD too, answered without the body. */
        List<String> methods() {
            return method.equals("GET") ? List.of("GET", "HEAD") : List.of(method);
        }

        boolean takes(String requestMethod) {
            return methods().contains(requestMethod);
        }
    }

    /**
     * The {@link Answer} of the request the current thread handles. Not an exchange attribute: the JDK's server keeps
     * those in its context's one map, so that concurrent requests took each other's entries.
     */
    private static final ScopedValue<Answer> ANSWER = ScopedValue.newInstance();

    /**
     * A request's entry in the metrics, counted once: as its response starts, so that a client that has read the
     * response finds it counted (a later scrape, for one), or at the end where no response went out. A response
     * that then fails to go out in full (the client gone) is counted once more, as failed.
     */
    private static final class Answer {
        private final ServerMetrics metrics;
        private final long start;
        String endpoint = "unknown";
        String model = "";
        private boolean counted;
        private boolean skipped;
        private int status;
        private boolean failed;

        Answer(ServerMetrics metrics, long start) {
            this.metrics = metrics;
            this.start = start;
        }

        /** Leaves the request out of the metrics: one of the server's own warm-up requests. */
        void skip() {
            counted = true;
            skipped = true;
        }

        void count(int status) {
            if (!counted) {
                counted = true;
                this.status = status;
                metrics.request(model, endpoint, status, System.nanoTime() - start);
            }
        }

        /** Counts the response counted as answered as failed too: writing it failed. */
        void failed() {
            if (counted && !skipped && !failed) {
                failed = true;
                metrics.failedResponse(model, endpoint, status);
            }
        }
    }

    private final ModelSlots models;
    private final long maxRequestBytes;
    private final ServerMetrics metrics;
    /** Requests being handled, guarded by itself: {@link #awaitIdle} waits for none to be left. */
    private final Object idle = new Object();
    private int inFlight;
    /** Whether the server still takes requests: false once it is closing. */
    private final BooleanSupplier open;
    /** Whether the server has warmed its HTTP path up: until then no model reports ready. */
    private final BooleanSupplier warmedUp;
    /** The {@link #WARMUP_HEADER} value that marks the server's own warm-up requests, known to it alone. */
    private final String warmupToken;
    private final byte[] serverMetadata;
    private final byte[] indexPage;
    private final Semaphore decoding = new Semaphore(Runtime.getRuntime().availableProcessors());
    private final HeapBudget heapBudget;
    /** Called with the model of a client's load once it serves, before the load is answered. */
    private final Consumer<ModelSlot> loaded;

    ApiHandler(ModelSlots models, long maxRequestBytes, HeapBudget heapBudget, ServerMetrics metrics,
               BooleanSupplier open, BooleanSupplier warmedUp, String warmupToken, byte[] serverMetadata,
               byte[] indexPage, Consumer<ModelSlot> loaded) {
        this.models = models;
        this.maxRequestBytes = maxRequestBytes;
        this.heapBudget = heapBudget;
        this.metrics = metrics;
        this.open = open;
        this.warmedUp = warmedUp;
        this.warmupToken = warmupToken;
        this.serverMetadata = serverMetadata;
        this.indexPage = indexPage;
        this.loaded = loaded;
    }

    @Override
    public void handle(HttpExchange exchange) {
        synchronized (idle) {
            inFlight++;
        }
        try {
            Answer answer = new Answer(metrics, System.nanoTime());
            if (warmup(exchange)) {
                answer.skip();
            }
            ScopedValue.where(ANSWER, answer).run(() -> handle(exchange, answer));
        } finally {
            synchronized (idle) {
                if (--inFlight == 0) {
                    idle.notifyAll();
                }
            }
        }
    }

    /**
     * Waits until no request is being handled, or {@code timeout} has passed; an interrupt meanwhile is kept for the
     * caller to see.
     */
    void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        synchronized (idle) {
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange, Answer answer) {
        try (exchange) {
            try {
                Target target = route(exchange.getRequestURI().getRawPath());
                answer.endpoint = target.endpoint();
                ModelSlot model = target.model() == null ? null : model(target.model(), target.version());
                answer.model = model == null ? "" : model.name();
                if (!target.takes(exchange.getRequestMethod())) {
                    throw new RequestException(405, exchange.getRequestMethod() + " is not allowed here: "
                            + target.endpoint() + " takes " + String.join(" or ", target.methods()),
                            Map.of("Allow", String.join(", ", target.methods())));
                }
                target.action().answer(exchange, model);
            } catch (RequestException e) {
                e.headers().forEach(exchange.getResponseHeaders()::set);
                discardBody(exchange);
                send(exchange, e.status(), JSON_TYPE, V2Json.error(e.getMessage()));
            } catch (IOException e) {
                if (exchange.getResponseCode() != -1) {
                    // The answer had started: it is its write that failed (the client went away), not the body's read.
                    throw e;
                }
                // The body could not be read (the client went away or broke its chunked encoding): answer if the
                // connection still takes it.
                send(exchange, 400, JSON_TYPE, V2Json.error("cannot read the request body: " + e.getMessage()));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "unexpected failure answering " + exchange.getRequestURI(), e);
                send(exchange, 500, JSON_TYPE, V2Json.error("internal error: "
                        + e.toString().lines().findFirst().orElse("")));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot answer " + exchange.getRequestURI() + ": " + e.getMessage());
        } finally {
            answer.count(exchange.getResponseCode());
        }
    }

    private Target route(String path) {
        return switch (path) {
            case "/" -> new Target("index", "GET", null, null, (exchange, m) -> index(exchange));
            case "/metrics" -> new Target("metrics", "GET", null, null, (exchange, m) -> send(exchange, 200,
                    ServerMetrics.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8)));
            case "/v2", "/v2/" -> new Target("server_metadata", "GET", null, null,
                    (exchange, m) -> send(exchange, 200, JSON_TYPE, serverMetadata));
            case "/v2/health/live" -> new Target("health_live", "GET", null, null,
                    (exchange, m) -> empty(exchange, 200));
            case "/v2/health/ready" -> new Target("health_ready", "GET", null, null,
                    (exchange, m) -> empty(exchange, open.getAsBoolean() && models.all().stream()
                            .allMatch(model -> model.served() == null || ready(model)) ? 200 : 400));
            case "/v2/repository/index" -> new Target("repository_index", "POST", null, null,
                    (exchange, m) -> repositoryIndex(exchange));
            default -> path.startsWith(REPOSITORY_MODELS) ? repositoryRoute(path) : modelRoute(path);
        };
    }

    /**
     * {@code /v2/repository/models/NAME/load} and {@code /unload}. The model is found by the action, not by the
     * routing: a name the server does not have is a 400, as Triton answers a load it cannot make.
     */
    private Target repositoryRoute(String path) {
        List<String> parts = Arrays.asList(path.substring(REPOSITORY_MODELS.length()).split("/", -1));
        if (parts.size() != 2) {
            throw notFound(path);
        }
        String name = parts.getFirst();
        return switch (parts.get(1)) {
            case "load" -> new Target("repository_load", "POST", null, null, (exchange, m) -> load(exchange, name));
            case "unload" -> new Target("repository_unload", "POST", null, null,
                    (exchange, m) -> unload(exchange, name));
            default -> throw notFound(path);
        };
    }

    /** {@code /v2/models/NAME[/versions/VERSION][/ready|/infer|/classify]}. */
    private Target modelRoute(String path) {
        String prefix = "/v2/models/";
        if (!path.startsWith(prefix)) {
            throw notFound(path);
        }
        List<String> parts = Arrays.asList(path.substring(prefix.length()).split("/", -1));
        String name = parts.getFirst();
        String version = null;
        int at = 1;
        if (parts.size() >= 3 && parts.get(1).equals("versions")) {
            version = parts.get(2);
            at = 3;
        }
        List<String> rest = parts.subList(at, parts.size());
        String action = rest.isEmpty() ? "" : rest.getFirst();
        if (rest.size() > 1) {
            throw notFound(path);
        }
        return switch (action) {
            case "" -> new Target("model_metadata", "GET", name, version,
                    (exchange, m) -> send(exchange, 200, JSON_TYPE, m.servedOrRefuse().metadata()));
            case "ready" -> new Target("model_ready", "GET", name, version,
                    (exchange, m) -> empty(exchange, open.getAsBoolean() && ready(m) ? 200 : 400));
            case "infer" -> new Target("infer", "POST", name, version, this::infer);
            case "classify" -> new Target("classify", "POST", name, version, this::classify);
            default -> throw notFound(path);
        };
    }

    private ModelSlot model(String name, String version) {
        ModelSlot model = models.find(name);
        if (model == null) {
            throw new RequestException(404, "unknown model '" + RequestException.shown(name) + "': this server has "
                    + String.join(", ", models.names()));
        }
        if (version != null && !version.equals(V2Json.VERSION)) {
            throw new RequestException(404, "model '" + name + "' has no version '" + RequestException.shown(version)
                    + "': it has version "
                    + V2Json.VERSION);
        }
        return model;
    }

    private static RequestException notFound(String path) {
        return new RequestException(404, "no endpoint at " + path);
    }

    /** Whether {@code exchange} is one of the server's own warm-up requests. */
    private boolean warmup(HttpExchange exchange) {
        return warmupToken.equals(exchange.getRequestHeaders().getFirst(WARMUP_HEADER));
    }

    /**
     * Whether {@code model} is loaded and has warmed up, and the server's HTTP path with it. Readiness, of the server
     * or of a model, is 200 for true and 400 for false, with no body either way: the protocol's health status is 200
     * for true and a 4xx for false, its health bodies empty, and 400 is the 4xx Triton answers. No
     * {@code Retry-After}, which a 503 carries: not ready is an answer, not a refusal. Why not (warming up, unloaded,
     * shutting down) the repository index tells, with each model's state. The server is ready when it is open and
     * every model loaded is; one unloaded is not served, and leaves the server ready.
     */
    private boolean ready(ModelSlot model) {
        return model.state(warmedUp.getAsBoolean()) == ModelSlot.State.READY;
    }

    /** The model repository's state of {@code model}, and why it is unavailable where it is. */
    private V2Json.IndexEntry indexEntry(ModelSlot model) {
        if (!open.getAsBoolean()) {
            return new V2Json.IndexEntry(model.name(), ModelSlot.State.UNAVAILABLE.name(),
                    "the server is shutting down");
        }
        // The reason read after the state: a load that ends in between shows a state with no reason, not the reverse.
        String state = model.state(warmedUp.getAsBoolean()).name();
        return new V2Json.IndexEntry(model.name(), state, model.reason());
    }

    /**
     * The model repository's index: every model, by name, or with {@code {"ready": true}} the ready ones alone; the
     * model repository's directory listed anew.
     */
    private void repositoryIndex(HttpExchange exchange) throws IOException {
        boolean readyOnly;
        try (CappedInputStream body = body(exchange)) {
            readyOnly = V2Json.readIndexRequest(body);
        }
        // Each model's state read once: the list and the states it shows agree while the server turns ready.
        send(exchange, 200, JSON_TYPE, V2Json.repositoryIndex(models.scan().stream()
                .map(this::indexEntry)
                .filter(entry -> !readyOnly || entry.state().equals(ModelSlot.State.READY.name()))
                .toList()));
    }

    /**
     * The model repository extension's load: serves a model the server was started with, opened again from the same
     * file, or one of its model repository's files, and answers once it has warmed up. A model served already is
     * loaded again, as Triton does (a file replaced meanwhile is read), and serves on meanwhile, and on where the load
     * fails; a load while one is in progress waits for that one. A request body may name no configuration or files:
     * the server loads only what it was started with and what its model repository holds.
     */
    private void load(HttpExchange exchange, String name) throws IOException {
        ModelSlot model = repositoryModel(name, true);
        try (CappedInputStream body = body(exchange)) {
            V2Json.readRepositoryRequest(body);
        }
        if (!open.getAsBoolean()) {
            // Before the model's turn: the stop holds it while the model's queue drains.
            throw RequestException.unavailable("the server is shutting down");
        }
        Served loading;
        try {
            loading = model.load();
        } catch (RequestException e) {
            throw e;
        } catch (RuntimeException e) {
            throw RequestException.badRequest("cannot load model '" + name + "': " + e.getMessage()
                    + (model.served() == null ? "" : "; it is served on as loaded before"));
        }
        boolean served = model.awaitLoaded(loading);
        if (!open.getAsBoolean()) {
            throw RequestException.unavailable("the server is shutting down");
        }
        if (!served) {
            throw new RequestException(409, "model '" + name + "' was unloaded before it had loaded");
        }
        loaded.accept(model);
        empty(exchange, 200);
    }

    /**
     * The model repository extension's unload: answers once every request the model had accepted is answered and its
     * session (and model file) closed; at once where it is not loaded.
     */
    private void unload(HttpExchange exchange, String name) throws IOException {
        ModelSlot model = repositoryModel(name, false);
        try (CappedInputStream body = body(exchange)) {
            V2Json.readRepositoryRequest(body);
        }
        model.unload();
        empty(exchange, 200);
    }

    /**
     * The model of a {@code load} or an unload, counted under its name; a 400 for a name the server does not have. The
     * model repository's directory is listed anew for a name not known yet and for a load of one of its models, whose
     * file may be gone; not for an unload, nor for a load of a model the server was started with, which comes from a
     * file of its own: a directory gone from the disk must not keep them as they are.
     */
    private ModelSlot repositoryModel(String name, boolean load) {
        ModelSlot known = models.find(name);
        if (known == null || load && models.fromDirectory(known)) {
            models.scan();
        }
        ModelSlot model = models.find(name);
        if (model == null) {
            throw RequestException.badRequest("unknown model '" + RequestException.shown(name) + "': "
                    + whyUnknown(name));
        }
        ANSWER.get().model = name;
        return model;
    }

    /** Why a load or unload finds no model named {@code name}. */
    private String whyUnknown(String name) {
        if (!models.hasRepository()) {
            return "this server loads only the models it was started with, " + String.join(", ", models.names());
        }
        if (!InferenceServer.isModelName(name)) {
            return "a model name is " + InferenceServer.MODEL_NAME_RULE;
        }
        return "the model repository has no file " + name + DgModel.FILE_EXTENSION + ", nor was the server started "
                + "with it";
    }

    private void index(HttpExchange exchange) throws IOException {
        if (indexPage == null) {
            throw new RequestException(404, "this build has no page at /: use the /v2 endpoints");
        }
        send(exchange, 200, "text/html; charset=utf-8", indexPage);
    }

    /**
     * {@code POST .../infer}: the request is run by the load of the model it finds, which it holds until its answer is
     * made, so that a load of the model meanwhile does not close it under the request (see {@link ModelSlot}).
     */
    private void infer(HttpExchange exchange, ModelSlot slot) throws IOException {
        long jsonBytes = jsonBytes(exchange);
        V2Json.Response response;
        try (ModelSlot.Hold hold = slot.hold(warmup(exchange)); HeapBudget.Claim heap = heapBudget.claim();
             CappedInputStream body = body(exchange)) {
            Served model = hold.served();
            model.worker().requireRoom();
            V2Json.InferRequest request = V2Json.readInfer(body, jsonBytes, model.config(), model.outputs(), heap);
            // Taken before the run: a few bytes of input may ask for an answer of gigabytes (1000 classes of each of
            // many 1x1 instances), which would otherwise exhaust the heap while it is written.
            heap.take(V2Json.answerHeap(model.name(), request, model.outputs()), "the answer");
            CompletableFuture<ModelWorker.Slice> result = model.worker().submit(request.values(), request.shape(),
                    warmup(exchange));
            response = V2Json.inferResponse(model.name(), request, outcome(result));
        }
        // The values and result are garbage now: a client slow to read its answer must not keep their share of the
        // budget.
        if (response.binary()) {
            exchange.getResponseHeaders().set(INFERENCE_HEADER_LENGTH, Integer.toString(response.jsonBytes()));
            send(exchange, 200, BINARY_TYPE, response.bytes());
        } else {
            send(exchange, 200, JSON_TYPE, response.bytes());
        }
    }

    /**
     * The binary tensor data extension's {@code Inference-Header-Content-Length}: how many bytes of the body are
     * JSON, binary tensor data following them; -1 when the request has no such header (its body is all JSON).
     */
    private static long jsonBytes(HttpExchange exchange) {
        List<String> headers = exchange.getRequestHeaders().get(INFERENCE_HEADER_LENGTH);
        if (headers == null) {
            return -1;
        }
        if (headers.size() > 1) {
            // As the JDK's server refuses a Content-Length given twice: which one is right is a guess.
            throw RequestException.badRequest(INFERENCE_HEADER_LENGTH + " is given " + headers.size() + " times ("
                    + headers.stream().map(h -> "'" + RequestException.shown(h) + "'").collect(Collectors.joining(", "))
                    + "): give the JSON's length once");
        }
        String value = headers.getFirst();
        // As HTTP has byte counts: ASCII digits alone, where Long.parseLong would take a sign or another script's too.
        if (!value.strip().chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw notByteCount(INFERENCE_HEADER_LENGTH, value);
        }
        return byteCount(INFERENCE_HEADER_LENGTH, value);
    }

    /**
     * {@code POST .../classify?top=K&graph=1} with a JPEG or PNG as the body: the image preprocessed as the model's
     * metadata says, run in the batches of its shape, answered with the top classes and, asked for, the picture
     * of the connectivity this image took. The model's load is held as {@link #infer} holds it.
     */
    private void classify(HttpExchange exchange, ModelSlot slot) throws IOException {
        Served model;
        ClassifyQuery query;
        ModelWorker.Slice slice;
        try (ModelSlot.Hold hold = slot.hold(warmup(exchange))) {
            model = hold.served();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mediaType.equals("image/jpeg") && !mediaType.equals("image/png")) {
                throw new RequestException(415, "classify takes the bytes of a JPEG or PNG image with Content-Type "
                        + "image/jpeg or image/png, got "
                        + (type == null ? "no Content-Type" : "'" + RequestException.shown(type) + "'"));
            }
            query = ClassifyQuery.parse(exchange.getRequestURI().getRawQuery());
            slice = classify(exchange, model);
        }
        send(exchange, 200, JSON_TYPE, V2Json.classifyResponse(model.name(), model.config().labels(), query.top(),
                query.graph(), slice));
    }

    /** The rows of the image in the body of {@code exchange}, preprocessed and run by {@code model}. */
    private ModelWorker.Slice classify(HttpExchange exchange, Served model) throws IOException {
        ImagePreprocessor images;
        try {
            images = ImagePreprocessor.of(model.config());
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("model '" + model.name() + "' cannot classify images: "
                    + e.getMessage());
        }
        try (HeapBudget.Claim heap = heapBudget.claim(); CappedInputStream body = body(exchange)) {
            model.worker().requireRoom();
            boolean declared = exchange.getRequestHeaders().getFirst("Content-Length") != null;
            float[] values = decode(images, readAll(body, declared, heap), heap);
            return outcome(model.worker().submit(values,
                    Shape.of(1, images.channels(), images.height(), images.width()), warmup(exchange)));
        }
    }

    /**
     * The whole body, each buffer taken from {@code heap} before it is allocated: one of the declared length, or for a
     * chunked body buffers that double as bytes arrive (old and new held together while copied), up to the size
     * limit, so that a small image sent chunked holds little of the budget whatever the limit.
     */
    private static byte[] readAll(CappedInputStream body, boolean declared, HeapBudget.Claim heap)
            throws IOException {
        byte[] buffer = new byte[0];
        int size = 0;
        while (true) {
            if (size == buffer.length) {
                long room = body.remaining();
                if (room == 0) {
                    // At the limit a chunked body must end here: one byte more fails the request with 413.
                    body.read();
                    break;
                }
                long capacity = buffer.length + (declared ? room : Math.min(room, Math.max(BODY_CHUNK, size)));
                if (capacity > MAX_ARRAY) {
                    throw RequestException.tooLarge("the request body is larger than the " + MAX_ARRAY
                            + " bytes a Java array holds");
                }
                heap.take(capacity, "the request body");
                byte[] old = buffer;
                buffer = Arrays.copyOf(old, (int) capacity);
                heap.give(old.length);
            }
            int n = body.read(buffer, size, buffer.length - size);
            if (n < 0) {
                break;
            }
            size += n;
        }
        if (size == buffer.length) {
            return buffer;
        }
        heap.take(size, "the request body");
        byte[] bytes = Arrays.copyOf(buffer, size);
        heap.give(buffer.length);
        return bytes;
    }

    /**
     * Decodes with at most one image per core at a time: decoding is the request's costliest work outside the
     * worker. A decoded image may take hundreds of megabytes: they are taken from {@code heap} once the image's header
     * has told its size, and given back when the preprocessed values are made.
     */
    private float[] decode(ImagePreprocessor images, byte[] bytes, HeapBudget.Claim heap) {
        decoding.acquireUninterruptibly();
        long[] decoded = {0};
        try {
            return images.decode(bytes, "the uploaded image", n -> {
                heap.take(n, "the decoded image");
                decoded[0] = n;
            });
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest(e.getMessage());
        } finally {
            heap.give(decoded[0]);
            decoding.release();
        }
    }

    /**
     * The request body, or a 413 when its declared length is over the limit; read with the declared length, or else
     * the limit, as its end. A compressed body is a 415: read as sent, it would fail as garbage JSON or image bytes.
     */
    private CappedInputStream body(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            throw new RequestException(415, "the request body has Content-Encoding '" + RequestException.shown(encoding)
                    + "': this server takes bodies as sent, not compressed", Map.of("Accept-Encoding", "identity"));
        }
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = declared == null ? maxRequestBytes : byteCount("Content-Length", declared);
        if (length > maxRequestBytes) {
            throw CappedInputStream.tooLarge(maxRequestBytes);
        }
        return new CappedInputStream(exchange.getRequestBody(), length);
    }

    /**
     * Reads and drops what is left of the request body, at most the size limit, before an error answer: a client
     * still sending a large body (a request refused 503 before its body was read, say) then reads the answer
     * instead of a connection reset. A body refused 413 ({@link RequestException#tooLarge}: over the limit, declared
     * or found so while a chunked one was read, or more than a Java array or the heap budget takes) is not read first:
     * it is answered at once, and the connection closes after what the client still sends has been read and dropped
     * for a bounded time and byte count ({@link LingeringClose}).
     */
    private void discardBody(HttpExchange exchange) {
        if (closes(exchange)) {
            return;
        }
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        boolean fits;
        try {
            fits = declared == null || byteCount("Content-Length", declared) <= maxRequestBytes;
        } catch (RequestException e) {
            fits = false;
        }
        if (fits) {
            try (InputStream rest = new CappedInputStream(exchange.getRequestBody(), maxRequestBytes)) {
                rest.transferTo(OutputStream.nullOutputStream());
                return;
            } catch (IOException | RequestException e) {
                LOG.log(Level.DEBUG, "request body not drained: " + e.getMessage());
            }
        }
        exchange.getResponseHeaders().set("Connection", "close");
    }

    /** Whether the answer to {@code exchange} closes its connection. */
    private static boolean closes(HttpExchange exchange) {
        return "close".equalsIgnoreCase(exchange.getResponseHeaders().getFirst("Connection"));
    }

    /**
     * The byte count a request header gives; a 400 naming the header where it is no number of 0 or more. A
     * Content-Length is read as the JDK's server read it to find the body's end, a '+' sign and all.
     */
    private static long byteCount(String name, String value) {
        try {
            long bytes = Long.parseLong(value.strip());
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // Answered below, as a negative count is.
        }
        throw notByteCount(name, value);
    }

    private static RequestException notByteCount(String name, String value) {
        return RequestException.badRequest(name + " '" + RequestException.shown(value) + "' is not a byte count: give "
                + "its digits alone");
    }

    /**
     * A batch's outcome: the request's rows, or an error saying what failed the batch: a 503 where memory was refused
     * (the server is short of it, not broken; with no {@code Retry-After}, as it cannot tell when memory comes back),
     * else a 500.
     */
    private static ModelWorker.Slice outcome(CompletableFuture<ModelWorker.Slice> result) {
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getMessage().lines().findFirst().orElse("");
            if (cause instanceof InsufficientMemoryException) {
                throw new RequestException(503, "inference refused: " + message);
            }
            throw new RequestException(500, "inference failed: " + message);
        }
    }

    private static void empty(HttpExchange exchange, int status) throws IOException {
        respond(exchange, status, -1);
    }

    /**
     * Sends {@code body}. An answer that closes the connection may have come before the client sent all its request
     * body: the rest is read and dropped, within bounds, before the connection closes ({@link LingeringClose}).
     */
    private static void send(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        respond(exchange, status, body.length == 0 ? -1 : body.length);
        if (isHead(exchange)) {
            return;
        }
        // The response stream closes first: closing it reads a little more of the body (the JDK's drain), in the time.
        try (LingeringClose linger = closes(exchange) ? LingeringClose.start() : null;
             OutputStream out = exchange.getResponseBody()) {
            out.write(body);
            if (linger != null) {
                out.flush();
                linger.discard(exchange.getRequestBody());
            }
        } catch (IOException e) {
            failed();
            throw e;
        }
    }

    /**
     * Counts the request, then starts its response: every response goes out through here. The count comes first, so
     * that it is there for a scrape the client sends once it has read the response.
     */
    private static void respond(HttpExchange exchange, int status, long length) throws IOException {
        if (ANSWER.isBound()) {
            ANSWER.get().count(status);
        }
        long sent = length;
        if (isHead(exchange)) {
            // The JDK's server sends no body for HEAD and takes its length only as a header: one passed to it is
            // logged as a warning, two lines per request.
            exchange.getResponseHeaders().set("Content-Length", Long.toString(Math.max(length, 0)));
            sent = -1;
        }
        try {
            exchange.sendResponseHeaders(status, sent);
        } catch (IOException e) {
            failed();
            throw e;
        }
    }

    private static boolean isHead(HttpExchange exchange) {
        return exchange.getRequestMethod().equals("HEAD");
    }

    /** Counts the current request's response, already counted as answered, as failed: it did not go out in full. */
    private static void failed() {
        if (ANSWER.isBound()) {
            ANSWER.get().failed();
        }
    }
}
