package ai.dgnet.bench;

import ai.dgnet.cli.OneLineErrors;
import ai.dgnet.models.Agreement;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.server.InferenceServer;
import ai.dgnet.server.ServerConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inference server under load, on loopback: at each concurrency level, that many clients send inference
 * requests (Open Inference Protocol JSON) back to back until a request count or a time limit is reached. Every
 * answer is checked against the model run directly on the same input; the report gives requests per second,
 * p50/p99 latency and the batch sizes the server formed, and the exit status is 1 when any accepted request, warm-up
 * requests included, was not answered correctly (503s, the server's overload answer, are counted, not lost), or
 * when a level had no answer to check; {@link #UNREACHABLE} when the server could not be reached.
 */
@Command(name = "load-test", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test dgnet's inference server on loopback: requests per second and latency at several "
                + "concurrency levels, every answer checked.",
                "Exit status 1 when an accepted request, warm-up requests included, got a wrong answer or none, or "
                        + "when a level got no answer at all (every request rejected), a request whose whole answer "
                        + "had not come within --request-timeout-s counting as one without an answer; 2 for a bad "
                        + "option; 3 when the server could not be reached or talked to (a connection refused or "
                        + "closed on it, or /metrics not answered in full within --request-timeout-s)."})
public final class LoadTest implements Callable<Integer> {
    /** Reads an answer's JSON to its end: a second value after it is not one answer. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final String INFERENCE_HEADER_LENGTH = "Inference-Header-Content-Length";
    /** Exit status when the server could not be reached or talked to: 1 is a failed check, 2 a bad option. */
    static final int UNREACHABLE = 3;
    /**
     * How long the clients wait for a connection: on loopback one is made or refused at once, so this bounds only a
     * server too busy to accept (or the request's timeout, where that is shorter, comes first).
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern BATCH_METRIC = Pattern.compile(
            "^dgnet_server_batch_size_(sum|count)\\{[^}]*} ([0-9.eE+-]+)$", Pattern.MULTILINE);

    @Option(names = "--arch", defaultValue = "resnet50", description = "Architecture (default: ${DEFAULT-VALUE}).")
    private String arch;

    @Option(names = "--mode", defaultValue = "dynamic", description = "dynamic or static (default: ${DEFAULT-VALUE}).")
    private String mode;

    @Option(names = "--size", defaultValue = "224", description = "Image height and width (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16", paramLabel = "C",
            description = "Concurrent clients per level, comma-separated (default: ${DEFAULT-VALUE}).")
    private List<Integer> concurrency;

    @Option(names = "--requests", defaultValue = "200", paramLabel = "N",
            description = "Requests per level (default: ${DEFAULT-VALUE}).")
    private int requests;

    @Option(names = "--time-limit", defaultValue = "60", paramLabel = "S",
            description = "Seconds per level after which clients send no new request (default: ${DEFAULT-VALUE}).")
    private int timeLimit;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "W",
            description = "Untimed requests per client before each level, so that the JIT has compiled the HTTP "
                    + "path for that level's load (the server warms its model up itself before it is ready); their "
                    + "answers are checked like the timed ones' (default: ${DEFAULT-VALUE}).")
    private int warmup;

    /**
     * Only keeps a hung server from hanging the run: the default is twice the 60 s the server allows itself to read
     * a request (a large JSON body on a slow machine), the slowest answers measured took 2-3 s (DG-MobileNetV2 at 64
     * clients, a full queue ahead of them).
     */
    @Option(names = "--request-timeout-s", defaultValue = "120", paramLabel = "S",
            description = "Seconds a request may take, from sending it to the last byte of its answer: past them "
                    + "it counts as failed, or, for /metrics, the run ends with exit status 3 "
                    + "(default: ${DEFAULT-VALUE}).")
    private int requestTimeoutS;

    @Option(names = "--max-batch", defaultValue = "8", description = "Server's maximum batch (default: ${DEFAULT-VALUE}).")
    private int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "5",
            description = "Server's maximum queue delay (default: ${DEFAULT-VALUE}).")
    private long maxDelayMs;

    @Option(names = "--queue", defaultValue = "64", description = "Server's queue capacity (default: ${DEFAULT-VALUE}).")
    private int queue;

    @Option(names = "--inputs", defaultValue = "8",
            description = "Distinct inputs the clients cycle through (default: ${DEFAULT-VALUE}).")
    private int inputs;

    @Option(names = "--binary",
            description = "Send each image, and take its logits back, as binary tensor data after the JSON (the "
                    + "protocol's binary tensor data extension) instead of JSON numbers.")
    private boolean binary;

    @Option(names = "--threads", paramLabel = "T", description = "The server's threads (default: all cores).")
    private Integer threads;

    @Option(names = "--out", defaultValue = "bench/target/load-test.md",
            description = "Where the report is written too, checked before the run; - for standard output alone "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path out;

    @Spec
    private CommandSpec spec;

    /** Starts the server that the clients load. */
    private final ServerStart serverStart;

    public LoadTest() {
        this(LoadTest::inProcess);
    }

    /** The clients load the server that {@code serverStart} gives: in tests, a proxy in front of a shared one. */
    LoadTest(ServerStart serverStart) {
        this.serverStart = serverStart;
    }

    /** Starts a server for the clients to load and waits until it is ready. */
    @FunctionalInterface
    interface ServerStart {
        ReadyServer start(ServerConfig config, Map<String, DgModel> models, CpuDevice device)
                throws IOException, InterruptedException;
    }

    /** A ready server: where the clients send their requests, and what stops it. */
    record ReadyServer(URI uri, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    /** The inference server in this process, once it has warmed up. */
    private static ReadyServer inProcess(ServerConfig config, Map<String, DgModel> models, CpuDevice device)
            throws IOException, InterruptedException {
        InferenceServer server = InferenceServer.start(config, models, device);
        try {
            if (!server.awaitReady()) {
                throw new IllegalStateException("the server closed while warming up");
            }
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return new ReadyServer(server.uri(), server::close);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(new LoadTest());
    }

    /**
     * The command line of {@code test}: one-line errors, whose exit status is {@link #UNREACHABLE} where the server
     * could not be reached or talked to.
     */
    static CommandLine commandLine(LoadTest test) {
        CommandLine cmd = OneLineErrors.commandLine(test);
        CommandLine.IExecutionExceptionHandler oneLine = cmd.getExecutionExceptionHandler();
        return cmd.setExecutionExceptionHandler((e, failed, parsed) -> {
            int status = oneLine.handleExecutionException(e, failed, parsed);
            return e instanceof UnreachableException ? UNREACHABLE : status;
        });
    }

    /**
     * The server could not be reached or talked to (a connection refused or closed on it): neither an answer
     * found wrong nor bad input, so that a script can tell it from both.
     */
    static final class UnreachableException extends IllegalStateException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One concurrency level's outcome; {@code meanBatch} is null until the server's summary is read. */
    record Level(int clients, int sent, int answered, int wrong, int rejected, int failed, double seconds,
                 double[] latencyMs, MeanBatch meanBatch, Map<String, Integer> failures) {
        double requestsPerSecond() {
            return answered / seconds;
        }

        double percentile(double p) {
            if (latencyMs.length == 0) {
                return Double.NaN;
            }
            double[] sorted = latencyMs.clone();
            Arrays.sort(sorted);
            return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
        }

        Level withMeanBatch(MeanBatch mean) {
            return new Level(clients, sent, answered, wrong, rejected, failed, seconds, latencyMs, mean, failures);
        }

        /** Every request the server accepted was answered, and correctly. */
        boolean nothingLost() {
            return wrong == 0 && failed == 0 && answered + rejected == sent;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || timeLimit < 1 || inputs < 1 || warmup < 0 || size < 1 || requestTimeoutS < 1
                || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests, --time-limit, --inputs, "
                    + "--size, --request-timeout-s and every --concurrency must be >= 1, --warmup >= 0");
        }
        Duration timeout = Duration.ofSeconds(requestTimeoutS);
        ModelConfig config;
        ServerConfig serverConfig;
        try {
            config = ModelConfig.of(Arch.parse(arch), Mode.parse(mode));
            serverConfig = ServerConfig.defaults().withPort(0)
                    .withBatching(maxBatch, Duration.ofMillis(maxDelayMs)).withQueueCapacity(queue);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ReportFile.check(spec.commandLine(), out);
        Shape one = Shape.of(1, config.inChannels(), size, size);
        List<Request> bodies = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        List<Level> warmUps = new ArrayList<>();
        List<Level> levels = new ArrayList<>();
        try (CpuDevice device = device();
             DgModel model = DgModel.random(config, 3)) {
            err.println("load-test: logits of " + inputs + " inputs from the model run directly");
            try (Session session = model.session(device)) {
                for (int k = 0; k < inputs; k++) {
                    float[] input = DeterministicWeights.generate("input", one.dims(), 100 + k);
                    expected.add(session.run(input, one).logits()[0].clone());
                    bodies.add(binary ? binaryRequest(k, one, input) : jsonRequest(k, one, input));
                }
            }
            long warming = System.nanoTime();
            try (ReadyServer server = serverStart.start(serverConfig, Map.of(arch, model), device);
                 HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                         .connectTimeout(CONNECT_TIMEOUT).build()) {
                err.printf(Locale.ROOT, "load-test: server ready: warmed up in %.1f s%n",
                        (System.nanoTime() - warming) / 1e9);
                URI base = server.uri();
                URI infer = base.resolve("/v2/models/" + arch + "/infer");
                URI metrics = base.resolve("/metrics");
                for (int clients : concurrency) {
                    err.println("load-test: " + clients + " clients");
                    warmUps.add(run(client, infer, timeout, bodies, expected, clients, clients * warmup,
                            Long.MAX_VALUE));
                    double[] before = batchMetric(client, metrics, timeout);
                    Level level = run(client, infer, timeout, bodies, expected, clients, requests,
                            System.nanoTime() + timeLimit * 1_000_000_000L);
                    double[] after = batchMetric(client, metrics, timeout);
                    levels.add(level.withMeanBatch(MeanBatch.between(before, after)));
                }
            }
        }
        String report = report(warmUps, levels,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads);
        spec.commandLine().getOut().print(report);
        spec.commandLine().getOut().flush();
        if (ReportFile.write(out, report)) {
            err.println("load-test: report written to " + out);
        }
        return allAnswered(warmUps, levels) ? 0 : 1;
    }

    /**
     * Every accepted request was answered correctly, in the warm-ups as in the timed levels, and every timed level
     * had an answer to check: one whose every request was rejected says nothing of the answers.
     */
    private static boolean allAnswered(List<Level> warmUps, List<Level> levels) {
        return warmUps.stream().allMatch(Level::nothingLost)
                && levels.stream().allMatch(l -> l.nothingLost() && l.answered > 0);
    }

    /** The server's device; a thread count it refuses is a usage error like the other options'. */
    private CpuDevice device() {
        try {
            return threads == null ? CpuDevice.create() : CpuDevice.create(threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * {@code clients} threads sending {@code count} requests in all, no new one after {@code deadline}; one whose
     * whole answer has not come within {@code timeout} fails.
     */
    private static Level run(HttpClient client, URI infer, Duration timeout, List<Request> bodies,
                             List<float[]> expected, int clients, int count, long deadline)
            throws InterruptedException {
        AtomicInteger tickets = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        LongAdder sent = new LongAdder();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Integer> failures = new ConcurrentSkipListMap<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().name("client-" + c).start(() -> {
                int ticket;
                while ((ticket = tickets.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    int k = ticket % bodies.size();
                    sent.increment();
                    long t = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = exchange(client, bodies.get(k).to(infer),
                                HttpResponse.BodyHandlers.ofByteArray(), timeout);
                        double millis = (System.nanoTime() - t) / 1e6;
                        if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()) {
                            rejected.incrementAndGet();
                        } else if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            failures.merge("HTTP " + response.statusCode() + ": "
                                    + new String(response.body(), StandardCharsets.UTF_8), 1, Integer::sum);
                        } else {
                            answered.incrementAndGet();
                            latencies.add(millis);
                            try {
                                int jsonBytes = response.headers().firstValue(INFERENCE_HEADER_LENGTH)
                                        .map(Integer::parseInt).orElse(-1);
                                if (!correct(response.body(), jsonBytes, k, expected.get(k))) {
                                    wrong.incrementAndGet();
                                }
                            } catch (IOException | RuntimeException e) {
                                // Thrown on, it would end this client with the answer counted as a correct one.
                                wrong.incrementAndGet();
                                failures.merge("unreadable answer: " + e, 1, Integer::sum);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        failures.merge(e.toString(), 1, Integer::sum);
                    } catch (TimeoutException e) {
                        failed.incrementAndGet();
                        failures.merge("no whole answer within " + timeout.toSeconds() + " s (--request-timeout-s)",
                                1, Integer::sum);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] millis = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        return new Level(clients, sent.intValue(), answered.get(), wrong.get(), rejected.get(), failed.get(), seconds,
                millis, null, failures);
    }

    /**
     * The answer carries this request's id and one image's logits, FP32 of shape {@code [1, classes]} within the
     * spec's fp32 tolerance of the direct run, in its JSON or, when {@code jsonBytes} (its
     * {@code Inference-Header-Content-Length}) is 0 or more, as the binary data after the JSON's first
     * {@code jsonBytes} bytes.
     */
    static boolean correct(byte[] body, int jsonBytes, int k, float[] expected) throws IOException {
        JsonNode answer = jsonBytes < 0 ? JSON.readTree(body) : JSON.readTree(Arrays.copyOf(body, jsonBytes));
        JsonNode logits = answer.path("outputs").path(0);
        if (!answer.path("id").asText().equals(Integer.toString(k)) || !logits.path("name").asText().equals("logits")
                || !logits.path("datatype").asText().equals("FP32")
                || !logits.path("shape").equals(JSON.createArrayNode().add(1).add(expected.length))) {
            return false;
        }
        float[] actual = new float[expected.length];
        if (jsonBytes < 0) {
            JsonNode data = logits.path("data");
            if (data.size() != expected.length) {
                return false;
            }
            for (int i = 0; i < actual.length; i++) {
                // asDouble would read "1.5", a string, as a number.
                if (!data.get(i).isNumber()) {
                    return false;
                }
                actual[i] = (float) data.get(i).asDouble();
            }
        } else {
            if (logits.path("parameters").path("binary_data_size").asLong() != (long) expected.length * Float.BYTES
                    || body.length != jsonBytes + expected.length * Float.BYTES) {
                return false;
            }
            ByteBuffer.wrap(body, jsonBytes, body.length - jsonBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(actual);
        }
        return Agreement.relativeError(actual, expected) <= Agreement.LOGITS_TOLERANCE;
    }

    /**
     * {@code request}'s answer, its body read to the end, within {@code timeout}, or a {@link TimeoutException} and
     * the exchange cancelled: a request's own timeout bounds only the wait for the answer's headers, so a server that
     * stalls in the body would hang the run.
     */
    private static <T> HttpResponse<T> exchange(HttpClient client, HttpRequest request,
                                                HttpResponse.BodyHandler<T> body, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        CompletableFuture<HttpResponse<T>> answer = client.sendAsync(request, body);
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            // Closes the connection of an exchange still running, which would otherwise keep the client open.
            answer.cancel(true);
        }
    }

    /** A request's body; {@code jsonBytes} >= 0 when binary tensor data follows that many bytes of JSON. */
    private record Request(byte[] body, int jsonBytes) {
        HttpRequest to(URI infer) {
            HttpRequest.Builder request = HttpRequest.newBuilder(infer)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            return jsonBytes < 0 ? request.header("Content-Type", "application/json").build()
                    : request.header("Content-Type", "application/octet-stream")
                            .header(INFERENCE_HEADER_LENGTH, Integer.toString(jsonBytes)).build();
        }
    }

    /** Request {@code k} with its input in JSON. */
    private static Request jsonRequest(int k, Shape shape, float[] input) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("id", Integer.toString(k));
        var data = inputTensor(request, shape).putArray("data");
        for (float v : input) {
            data.add(v);
        }
        return new Request(JSON.writeValueAsBytes(request), -1);
    }

    /** Request {@code k} with its input, and the logits it asks for, as binary data after the JSON. */
    private static Request binaryRequest(int k, Shape shape, float[] input) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("id", Integer.toString(k));
        inputTensor(request, shape).putObject("parameters").put("binary_data_size", (long) input.length * Float.BYTES);
        request.putArray("outputs").addObject().put("name", "logits").putObject("parameters").put("binary_data", true);
        byte[] json = JSON.writeValueAsBytes(request);
        ByteBuffer body = ByteBuffer.allocate(json.length + input.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json).asFloatBuffer().put(input);
        return new Request(body.array(), json.length);
    }

    /** Adds the input tensor, without its data, to {@code request}'s inputs. */
    private static ObjectNode inputTensor(ObjectNode request, Shape shape) {
        ObjectNode tensor = request.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        Arrays.stream(shape.dims()).forEach(tensor.putArray("shape")::add);
        return tensor;
    }

    /**
     * The server's batch-size summary: {@code {sum, count}}, zero before the first batch; null where its metrics have
     * none. An error answer fails the run: read as no batches, it would report a mean batch of 0; where the server
     * cannot be reached or talked to, or its whole answer has not come within {@code timeout}, the run ends with
     * {@link #UNREACHABLE}.
     */
    private static double[] batchMetric(HttpClient client, URI metrics, Duration timeout)
            throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = exchange(client, HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString(),
                    timeout);
        } catch (TimeoutException e) {
            throw new UnreachableException("the server at " + metrics + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new UnreachableException("cannot reach the server at " + metrics + ": " + e, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the server's /metrics answered HTTP " + response.statusCode()
                    + ": no mean batch size");
        }
        double[] sumCount = new double[2];
        boolean[] found = new boolean[2];
        Matcher m = BATCH_METRIC.matcher(response.body());
        while (m.find()) {
            int i = m.group(1).equals("sum") ? 0 : 1;
            sumCount[i] += Double.parseDouble(m.group(2));
            found[i] = true;
        }
        return found[0] && found[1] ? sumCount : null;
    }

    /**
     * The mean size of the batches the server ran during a level, or why it is not known ({@code value} NaN):
     * rather than a made-up number in the report.
     */
    record MeanBatch(double value, String unknown) {
        /** Between two readings of the server's batch-size summary ({@code {sum, count}}, null where it had none). */
        static MeanBatch between(double[] before, double[] after) {
            if (before == null || after == null) {
                return new MeanBatch(Double.NaN, "the server's /metrics has no dgnet_server_batch_size summary");
            }
            double batches = after[1] - before[1];
            return batches > 0 ? new MeanBatch((after[0] - before[0]) / batches, null)
                    : new MeanBatch(Double.NaN, "the server ran no batch during the level");
        }

        /** The report's table cell: the mean, or n/a. */
        String cell() {
            return unknown == null ? String.format(Locale.ROOT, "%.2f", value) : "n/a";
        }
    }

    /** The levels' table and failures, then each warm-up that lost a request: its counts and failures. */
    private String report(List<Level> warmUps, List<Level> levels, int threads) {
        StringBuilder text = new StringBuilder("## Inference server load test\n\n");
        Machine.describe(threads).forEach(line -> text.append(line).append('\n'));
        text.append(String.format(Locale.ROOT, "- model: %s %s, %dx%d, deterministic weights; server: max batch %d, "
                + "max queue delay %d ms, queue %d; %s requests of one image on loopback%n%n", arch, mode, size,
                size, maxBatch, maxDelayMs, queue, binary ? "binary (tensor data after the JSON)" : "JSON"));
        MarkdownTable table = new MarkdownTable(0, "clients", "sent", "answered", "correct", "503", "failed",
                "req/s", "p50 ms", "p99 ms", "mean batch");
        for (Level l : levels) {
            table.add(Integer.toString(l.clients), Integer.toString(l.sent), Integer.toString(l.answered),
                    Integer.toString(l.answered - l.wrong), Integer.toString(l.rejected), Integer.toString(l.failed),
                    String.format(Locale.ROOT, "%.1f", l.requestsPerSecond()),
                    String.format(Locale.ROOT, "%.1f", l.percentile(0.5)),
                    String.format(Locale.ROOT, "%.1f", l.percentile(0.99)),
                    l.meanBatch.cell());
        }
        text.append(table).append('\n');
        for (Level l : levels) {
            l.failures.forEach((why, n) -> text.append(String.format(Locale.ROOT, "- %d clients: %d x %s%n",
                    l.clients, n, why)));
            if (l.meanBatch.unknown() != null) {
                text.append(String.format(Locale.ROOT, "- %d clients: mean batch n/a: %s%n", l.clients,
                        l.meanBatch.unknown()));
            }
            if (l.answered == 0) {
                text.append(String.format(Locale.ROOT, "- %d clients: no request was answered, so none was checked%n",
                        l.clients));
            }
        }
        for (Level w : warmUps) {
            if (!w.nothingLost()) {
                text.append(String.format(Locale.ROOT, "- %d clients, warm-up: %d sent, %d answered, %d correct, "
                        + "%d 503, %d failed%n", w.clients, w.sent, w.answered, w.answered - w.wrong, w.rejected,
                        w.failed));
                w.failures.forEach((why, n) -> text.append(String.format(Locale.ROOT,
                        "- %d clients, warm-up: %d x %s%n", w.clients, n, why)));
            }
        }
        text.append(allAnswered(warmUps, levels)
                ? "Every accepted request was answered, and correctly, warm-up requests included (logits within 1e-4 "
                        + "of the model run directly).\n"
                : "Some accepted requests were answered wrongly or not at all, or a level had no answer to check "
                        + "(see 'correct', 'answered' and 'failed', and the lines above).\n");
        return text.toString();
    }
}
