package ai.dgnet.server;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.SessionOptions;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server on a free local port, driven by {@link HttpClient}. Every answer is checked against an independent
 * {@link Session} run on the same input; tests that need a worker to hold still block it inside a run with a
 * latch (no sleeps).
 */
class InferenceServerTest {
    private static final String MODEL = "cifar";
    private static final int CLASSES = 10;
    private static final List<String> LABELS = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long WAIT_SECONDS = 60;

    @TempDir
    static Path dir;
    /** CIFAR-sized preprocessing (crop 32), which the server's tests give their models so that runs are quick. */
    static final ModelConfig.Preprocess CIFAR_PREPROCESS = new ModelConfig.Preprocess(36, 32,
            new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f});
    /** The served model's configuration; labels let classify's answer name classes. */
    private static final ModelConfig CONFIG = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC,
            ModelConfig.DEFAULT_THRESHOLD, CLASSES, 3, LABELS, CIFAR_PREPROCESS);

    private static DgModel model;
    private static CpuDevice device;
    private static Session reference;
    private static HttpClient client;

    @BeforeAll
    static void setUp() {
        Path file = dir.resolve("cifar.safetensors");
        try (DgModel random = DgModel.random(CONFIG, 3)) {
            random.save(file);
        }
        model = DgModel.load(file);
        device = CpuDevice.create(1);
        reference = model.session(device);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void tearDown() {
        client.close();
        reference.close();
        device.close();
        model.close();
    }

    private static ServerConfig config() {
        return ServerConfig.defaults().withPort(0);
    }

    /** A server whose model has warmed up. */
    private static InferenceServer start(ServerConfig config, WorkerHooks hooks) throws Exception {
        return start(config, hooks, HeapBudget.halfOfHeap());
    }

    private static InferenceServer start(ServerConfig config, WorkerHooks hooks, HeapBudget heap) throws Exception {
        InferenceServer server = InferenceServer.start(config, Map.of(MODEL, model), device, hooks, heap);
        assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
        return server;
    }

    // ---- metadata and health

    @Test
    void serverAndModelMetadataAndHealth() throws Exception {
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            HttpResponse<String> meta = get(server, "/v2");
            assertEquals(200, meta.statusCode());
            assertEquals("application/json", meta.headers().firstValue("Content-Type").orElseThrow());
            JsonNode server1 = JSON.readTree(meta.body());
            assertEquals("dgnet", server1.get("name").asText());
            assertTrue(server1.get("version").isTextual());
            assertEquals("[\"binary_tensor_data\",\"classify\",\"model_repository\"]",
                    server1.get("extensions").toString());
            assertEquals("true", System.getProperty(InferenceServer.NO_DELAY_PROPERTY), "TCP_NODELAY asked for");
            assertEquals("60", System.getProperty(InferenceServer.MAX_REQUEST_TIME_PROPERTY), "a request read in 60 s");
            HttpResponse<String> index = post(server, "/v2/repository/index", "{}");
            assertEquals(200, index.statusCode());
            assertEquals("[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"READY\"}]", index.body());

            for (String path : List.of("/v2/health/live", "/v2/health/ready", "/v2/models/cifar/ready",
                    "/v2/models/cifar/versions/1/ready")) {
                HttpResponse<String> health = get(server, path);
                assertEquals(200, health.statusCode(), path);
                assertEquals("", health.body(), path);
            }

            for (String path : List.of("/v2/models/cifar", "/v2/models/cifar/versions/1")) {
                HttpResponse<String> response = get(server, path);
                assertEquals(200, response.statusCode(), path);
                JsonNode m = JSON.readTree(response.body());
                assertEquals(MODEL, m.get("name").asText());
                assertEquals("[\"1\"]", m.get("versions").toString());
                assertEquals("dgnet", m.get("platform").asText());
                assertEquals("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,3,-1,-1]}]",
                        m.get("inputs").toString());
                // ResNet-20: three stages of three blocks, so every stage has a 4x4 adjacency matrix.
                List<String> outputs = new ArrayList<>();
                m.get("outputs").forEach(o -> outputs.add(o.get("name").asText() + o.get("shape")));
                assertEquals(List.of("logits[-1,10]", "adjacency.0[-1,4,4]", "router.0[-1,4,4]",
                        "adjacency.1[-1,4,4]", "router.1[-1,4,4]", "adjacency.2[-1,4,4]", "router.2[-1,4,4]"),
                        outputs);
                assertEquals("resnet20", m.get("parameters").get("arch").asText());
            }

            HttpResponse<String> page = get(server, "/");
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(page.body().contains("<title>DG-Net</title>"), page.body());
        }
    }

    /**
     * HEAD, which HTTP asks every server to take wherever it takes GET ({@code curl -I}, uptime monitors), was
     * answered 405, and each answer wrote a two-line warning of the JDK's server to the log.
     */
    @Test
    void headIsAnsweredAsGetWithoutTheBody() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("com.sun.net.httpserver");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            for (String path : List.of("/", "/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/cifar",
                    "/v2/models/cifar/ready", "/v2/models/other", "/nowhere")) {
                HttpResponse<String> got = get(server, path);
                HttpResponse<String> head = client.send(request(server, path)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(got.statusCode(), head.statusCode(), path);
                assertEquals("", head.body(), path);
                assertEquals(got.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"),
                        path);
                assertEquals(String.valueOf(got.body().getBytes(StandardCharsets.UTF_8).length),
                        head.headers().firstValue("Content-Length").orElseThrow(), path);
            }
            HttpResponse<String> headInfer = client.send(request(server, "/v2/models/cifar/infer")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, headInfer.statusCode());
            assertEquals("POST", headInfer.headers().firstValue("Allow").orElseThrow());
            HttpResponse<String> postMetadata = post(server, "/v2", "{}");
            assertError(postMetadata, 405, "POST is not allowed here: server_metadata takes GET or HEAD");
            assertEquals("GET, HEAD", postMetadata.headers().firstValue("Allow").orElseThrow());
        } finally {
            log.removeHandler(handler);
        }
        assertEquals(List.of(), warnings);
    }

    // ---- inference

    @Test
    void inferGivesTheSessionsLogitsAndRequestedOutputs() throws Exception {
        Shape shape = Shape.of(2, 3, 32, 32);
        float[] input = input(shape, 11);
        Result expected = reference.run(input, shape);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            HttpResponse<String> response = post(server, "/v2/models/cifar/infer", "{\"id\":\"req-7\","
                    + "\"inputs\":[" + tensor(shape, flat(input)) + "],"
                    + "\"outputs\":[{\"name\":\"adjacency.1\"},{\"name\":\"logits\"},{\"name\":\"router.2\"}]}");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(MODEL, body.get("model_name").asText());
            assertEquals("req-7", body.get("id").asText());
            JsonNode outputs = body.get("outputs");
            assertEquals(3, outputs.size());

            JsonNode adjacency = outputs.get(0);
            assertEquals("adjacency.1", adjacency.get("name").asText());
            assertEquals("FP32", adjacency.get("datatype").asText());
            assertEquals("[2,4,4]", adjacency.get("shape").toString());
            assertArrayEquals(expected.trace(1).adjacencyRowMajor(), floats(adjacency.get("data")));

            JsonNode logits = outputs.get(1);
            assertEquals("logits", logits.get("name").asText());
            assertEquals("[2,10]", logits.get("shape").toString());
            assertClose(expected.logitsRowMajor(), floats(logits.get("data")));

            JsonNode router = outputs.get(2);
            assertEquals("[2,4,4]", router.get("shape").toString());
            assertClose(expected.trace(2).routerRowMajor(), floats(router.get("data")));

            // Nested data, the versioned path, no id and no outputs: as the protocol says, every output the model
            // has, in the order its metadata lists them, with the same values.
            HttpResponse<String> nested = post(server, "/v2/models/cifar/versions/1/infer",
                    "{\"inputs\":[" + tensor(shape, nested(input, shape)) + "]}");
            assertEquals(200, nested.statusCode(), nested.body());
            JsonNode nestedBody = JSON.readTree(nested.body());
            assertNull(nestedBody.get("id"));
            List<String> names = new ArrayList<>();
            nestedBody.get("outputs").forEach(output -> names.add(output.get("name").asText()));
            assertEquals(List.of("logits", "adjacency.0", "router.0", "adjacency.1", "router.1", "adjacency.2",
                    "router.2"), names);
            assertClose(expected.logitsRowMajor(), floats(nestedBody.get("outputs").get(0).get("data")));
            JsonNode all = nestedBody.get("outputs");
            assertArrayEquals(expected.trace(1).adjacencyRowMajor(), floats(all.get(3).get("data")));
            assertClose(expected.trace(2).routerRowMajor(), floats(all.get(6).get("data")));
        }
    }

    /**
     * The binary tensor data extension: the input after the JSON as little-endian FP32 gives the same outputs, to the
     * bit, as the same values in JSON, and outputs asked for as binary come back after the JSON, the same values.
     */
    @Test
    void binaryTensorDataGoesInAndOutAfterTheJson() throws Exception {
        Shape shape = Shape.of(2, 3, 32, 32);
        float[] input = input(shape, 12);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            String outputs = "\"outputs\": [{\"name\": \"logits\"}, {\"name\": \"router.0\"}]";
            HttpResponse<String> json = post(server, "/v2/models/cifar/infer",
                    "{\"inputs\": [" + tensor(shape, flat(input)) + "], " + outputs + "}");
            assertEquals(200, json.statusCode(), json.body());
            JsonNode viaJson = JSON.readTree(json.body()).get("outputs");

            // Binary in, JSON out; the logits asked for as binary by the request, the router's output kept in JSON.
            String header = "{\"parameters\": {\"binary_data_output\": true}, \"inputs\": ["
                    + binaryTensor(shape, input.length * 4L) + "], \"outputs\": [{\"name\": \"logits\"}, "
                    + "{\"name\": \"router.0\", \"parameters\": {\"binary_data\": false}}]}";
            HttpResponse<byte[]> binary = client.send(binaryRequest(server, header, littleEndian(input),
                    utf8Length(header)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, binary.statusCode(), new String(binary.body(), StandardCharsets.UTF_8));
            assertEquals("application/octet-stream", binary.headers().firstValue("Content-Type").orElseThrow());
            int jsonBytes = Integer.parseInt(binary.headers().firstValue("Inference-Header-Content-Length")
                    .orElseThrow());
            JsonNode viaBinary = JSON.readTree(Arrays.copyOf(binary.body(), jsonBytes)).get("outputs");
            assertEquals(2, viaBinary.size());
            JsonNode logits = viaBinary.get(0);
            assertEquals("[2,10]", logits.get("shape").toString());
            assertNull(logits.get("data"), logits.toString());
            assertEquals(2 * 10 * 4, logits.get("parameters").get("binary_data_size").asInt());
            assertEquals(jsonBytes + 2 * 10 * 4, binary.body().length);
            assertArrayEquals(floats(viaJson.get(0).get("data")), fromLittleEndian(binary.body(), jsonBytes, 20));
            assertEquals(viaJson.get(1), viaBinary.get(1), "the router's output, in JSON both times");

            // JSON in, one output asked for as binary: the header says where the JSON ends.
            HttpResponse<byte[]> out = client.send(request(server, "/v2/models/cifar/infer")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\": [" + tensor(shape, flat(input)) + "], \"outputs\": [{\"name\": \"router.0\", "
                                    + "\"parameters\": {\"binary_data\": true}}]}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, out.statusCode());
            int routerJson = Integer.parseInt(out.headers().firstValue("Inference-Header-Content-Length")
                    .orElseThrow());
            assertArrayEquals(floats(viaJson.get(1).get("data")), fromLittleEndian(out.body(), routerJson, 2 * 16));
        }
    }

    @Test
    void badBinaryRequestsAreAnsweredWithTheirStatusAndAMessage() throws Exception {
        Shape shape = Shape.of(1, 3, 2, 2);
        float[] input = input(shape, 1);
        byte[] data = littleEndian(input);
        String header = "{\"inputs\": [" + binaryTensor(shape, data.length) + "]}";
        long length = utf8Length(header);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            assertError(sendBinary(server, header, data, "twelve"), 400, "'twelve' is not a byte count");
            assertError(sendBinary(server, header, data, "-1"), 400, "'-1' is not a byte count");
            assertError(sendBinary(server, header, data, "+" + length), 400,
                    "Inference-Header-Content-Length '+" + length + "' is not a byte count: give its digits alone");
            assertError(client.send(binaryRequest(server, header, data, length).header(
                    "Inference-Header-Content-Length", "5").build(), HttpResponse.BodyHandlers.ofString()), 400,
                    "Inference-Header-Content-Length is given 2 times ('" + length + "', '5'): give the JSON's length "
                            + "once");
            assertError(sendBinary(server, header, new byte[0], Long.toString(length + 1)), 400,
                    "the JSON that Inference-Header-Content-Length declares has " + (length + 1) + " bytes, more "
                            + "than the " + length + " left in the body");
            assertError(post(server, "/v2/models/cifar/infer", header), 400,
                    "no Inference-Header-Content-Length header");
            // The body's declared length tells before the data is read.
            assertError(sendBinary(server, header, Arrays.copyOf(data, data.length - 4), Long.toString(length)), 400,
                    "input 'input''s binary data has 48 bytes, more than the 44 left in the body");
            assertError(sendBinary(server, header, Arrays.copyOf(data, data.length + 4), Long.toString(length)), 400,
                    "more bytes after the JSON");
            String odd = "{\"inputs\": [" + binaryTensor(shape, 47) + "]}";
            assertError(sendBinary(server, odd, data, Long.toString(utf8Length(odd))), 400,
                    "has 47 bytes of binary data, but its shape [1, 3, 2, 2] holds 12 FP32 values");
            String both = "{\"inputs\": [" + tensor(shape, flat(input)).replace("}", ", \"parameters\": "
                    + "{\"binary_data_size\": 48}}") + "]}";
            assertError(sendBinary(server, both, data, Long.toString(utf8Length(both))), 400,
                    "both 'data' and a 'binary_data_size' parameter");
            float[] withNan = input.clone();
            withNan[5] = Float.NaN;
            assertError(sendBinary(server, header, littleEndian(withNan), Long.toString(length)), 400,
                    "value NaN (index 5) is not a finite FP32 number");
            String notFlag = "{\"inputs\": [" + binaryTensor(shape, data.length) + "], \"outputs\": [{\"name\": "
                    + "\"logits\", \"parameters\": {\"binary_data\": \"yes\"}}]}";
            assertError(sendBinary(server, notFlag, data, Long.toString(utf8Length(notFlag))), 400,
                    "an output's 'binary_data' must be true or false, got \"yes\"");
            String negative = "{\"inputs\": [" + binaryTensor(shape, -4) + "]}";
            assertError(sendBinary(server, negative, data, Long.toString(utf8Length(negative))), 400,
                    "'binary_data_size' must be a byte count >= 0, got -4");

            // The worker took none of that amiss.
            HttpResponse<String> good = sendBinary(server, header, data, Long.toString(length));
            assertEquals(200, good.statusCode(), good.body());
            assertEquals("application/json", good.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    /**
     * An {@code Inference-Header-Content-Length} past the end of the body is the client's mistake, 400, however large:
     * the body's declared length tells before its JSON is read, so no heap is taken for bytes that cannot come.
     */
    @Test
    void aJsonLengthPastTheBodyIs400WhateverTheHeapBudget() throws Exception {
        Shape shape = Shape.of(1, 3, 2, 2);
        byte[] data = littleEndian(input(shape, 1));
        String header = "{\"inputs\": [" + binaryTensor(shape, data.length) + "]}";
        long length = utf8Length(header) + data.length;
        HeapBudget heap = new HeapBudget(1 << 20);
        try (InferenceServer server = start(config(), WorkerHooks.NONE, heap)) {
            assertError(sendBinary(server, header, data, Long.toString(100L << 20)), 400,
                    "the JSON that Inference-Header-Content-Length declares has 104857600 bytes, more than the "
                            + length + " left in the body");
            assertEquals(0, heap.held());
        }
    }

    /**
     * A compressed body (Content-Encoding) is refused 415 naming its coding, with the Accept-Encoding that says the
     * server takes bodies as sent: read as it came, it failed as JSON with a control character at column 2.
     */
    @Test
    void aCompressedBodyIs415NamingItsCoding() throws Exception {
        Shape shape = Shape.of(1, 3, 2, 2);
        float[] input = input(shape, 1);
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write(inferBody(shape, input).getBytes(StandardCharsets.UTF_8));
        }
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            for (String path : List.of("/v2/models/cifar/infer", "/v2/repository/index")) {
                HttpResponse<String> refused = client.send(request(server, path)
                        .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertError(refused, 415, "the request body has Content-Encoding 'gzip': this server takes bodies "
                        + "as sent, not compressed");
                assertEquals("identity", refused.headers().firstValue("Accept-Encoding").orElseThrow());
            }
            assertAnswered(client.send(request(server, "/v2/models/cifar/infer")
                    .header("Content-Type", "application/json").header("Content-Encoding", "identity")
                    .POST(HttpRequest.BodyPublishers.ofString(inferBody(shape, input))).build(),
                    HttpResponse.BodyHandlers.ofString()), input, shape);
        }
    }

    /**
     * A few bytes of input may ask for an answer of megabytes: each 1x1 instance is 12 bytes of binary data, its every
     * output as JSON over a kilobyte. The answer's heap is taken from the budget before the run, so that a request
     * whose answer the budget cannot hold is refused without a run, not run and then written until the heap runs out.
     */
    @Test
    void anAnswerPastTheHeapBudgetIsRefusedBeforeItsRun() throws Exception {
        Shape many = Shape.of(4000, 3, 1, 1);
        byte[] data = littleEndian(input(many, 1));
        String header = "{\"inputs\": [" + binaryTensor(many, data.length) + "]}";
        AtomicInteger runs = new AtomicInteger();
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) {
                runs.incrementAndGet();
            }
        };
        HeapBudget heap = new HeapBudget(1 << 20);
        try (InferenceServer server = start(config().withWarmupRuns(0), hooks, heap)) {
            assertError(sendBinary(server, header, data, Long.toString(utf8Length(header))), 413,
                    "the request needs more than the server's 1 MiB of Java heap for requests (the answer would take ");
            assertEquals(0, runs.get(), "the request was run");
            awaitHeld(heap, 0);

            Shape few = Shape.of(8, 3, 1, 1);
            float[] input = input(few, 2);
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(few, input)), input, few);
            awaitHeld(heap, 0);
        }
    }

    @Test
    void concurrentRequestsOfOneShapeRunAsOneBatch() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(4);
        ServerConfig config = config().withBatching(8, Duration.ofMillis(200));
        try (InferenceServer server = start(config, hooks)) {
            List<Shape> shapes = List.of(Shape.of(1, 3, 32, 32), Shape.of(1, 3, 32, 32), Shape.of(2, 3, 32, 32),
                    Shape.of(2, 3, 32, 32), Shape.of(1, 3, 16, 16));
            List<float[]> inputs = IntStream.range(0, shapes.size()).mapToObj(i -> input(shapes.get(i), 20 + i))
                    .toList();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            responses.add(postAsync(server, inferBody(shapes.getFirst(), inputs.getFirst())));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS), "the first request never ran");
            for (int i = 1; i < shapes.size(); i++) {
                responses.add(postAsync(server, inferBody(shapes.get(i), inputs.get(i))));
            }
            assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS), "the other requests never queued");
            hooks.release.countDown();

            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < shapes.size(); i++) {
                HttpResponse<String> response = responses.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                // Each request alone, through the reference session: batching must not change any result.
                expected.add(reference.run(inputs.get(i), shapes.get(i)).logitsRowMajor());
                assertClose(expected.get(i), floats(JSON.readTree(response.body()).get("outputs").get(0).get("data")));
            }
            // The requests' answers differ, so rows handed to the wrong request would have shown above.
            for (int i = 1; i < 4; i++) {
                assertFalse(Arrays.equals(expected.get(0), Arrays.copyOf(expected.get(i), CLASSES)));
            }
            // Runs: the first request alone; the three 32x32 requests (five instances, run padded to eight)
            // together; the 16x16 one.
            String metrics = get(server, "/metrics").body();
            assertEquals(3, metric(metrics, "dgnet_server_batch_size_count{model=\"cifar\"}"));
            assertEquals(1 + 5 + 1, metric(metrics, "dgnet_server_batch_size_sum{model=\"cifar\"}"));
            assertEquals(5, metric(metrics, "dgnet_server_batch_size_max{model=\"cifar\"}"));
        }
    }

    @Test
    void batchesArePaddedToPowersOfTwoUpToTheMaximum() {
        int[][] cases = {{1, 8, 1}, {2, 8, 2}, {3, 8, 4}, {4, 8, 4}, {5, 8, 8}, {8, 8, 8}, {9, 8, 9}, {5, 6, 6},
            {3, 3, 3}, {1, 1, 1}, {17, 32, 32}};
        for (int[] c : cases) {
            assertEquals(c[2], config().withBatching(c[1], Duration.ZERO).paddedBatch(c[0]),
                    c[0] + " instances, maximum " + c[1]);
        }
    }

    @Test
    void aRequestLargerThanTheMaximumBatchRunsAlone() throws Exception {
        Shape shape = Shape.of(3, 3, 8, 8);
        float[] input = input(shape, 41);
        try (InferenceServer server = start(config().withBatching(2, Duration.ZERO), WorkerHooks.NONE)) {
            HttpResponse<String> response = post(server, "/v2/models/cifar/infer", inferBody(shape, input));
            assertAnswered(response, input, shape);
            assertEquals(3, metric(get(server, "/metrics").body(), "dgnet_server_batch_size_max{model=\"cifar\"}"));
        }
    }

    @Test
    void metricsCountRequestsByModelEndpointAndStatus() throws Exception {
        Shape shape = Shape.of(1, 3, 8, 8);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            assertEquals(200, post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 1))).statusCode());
            assertEquals(404, get(server, "/v2/models/nope").statusCode());
            HttpResponse<String> response = get(server, "/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
            String metrics = response.body();
            assertEquals(1, metric(metrics,
                    "dgnet_server_requests_total{endpoint=\"infer\",model=\"cifar\",status=\"200\"}"));
            assertEquals(1, metric(metrics,
                    "dgnet_server_requests_total{endpoint=\"model_metadata\",model=\"\",status=\"404\"}"));
            assertEquals(1, metric(metrics,
                    "dgnet_server_request_duration_seconds_count{endpoint=\"infer\",model=\"cifar\"}"));
            assertTrue(metrics.contains("dgnet_server_request_duration_seconds_bucket{endpoint=\"infer\""), metrics);
            assertEquals(0, metric(metrics, "dgnet_server_queue_depth{model=\"cifar\"}"));
            assertEquals(1, metric(metrics, "dgnet_server_inference_duration_seconds_count{model=\"cifar\"}"));
            assertEquals(1, metric(metrics, "dgnet_server_batch_size_bucket{model=\"cifar\",le=\"1.0\"}"));
        }
    }

    @Test
    void aRequestIsCountedBeforeItsClientReadsTheAnswer() throws Exception {
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            for (int i = 1; i <= 50; i++) {
                assertEquals(404, get(server, "/v2/models/nope").statusCode());
                assertEquals(i, metric(get(server, "/metrics").body(),
                        "dgnet_server_requests_total{endpoint=\"model_metadata\",model=\"\",status=\"404\"}"),
                        "scrape " + i + " right after the answer");
            }
        }
    }

    /**
     * Two requests in flight at once are each counted under their own status: a request that fails while another
     * waits for its batch must not take the other's entry in the metrics.
     */
    @Test
    void requestsInFlightAtOnceAreEachCountedWithTheirOwnStatus() throws Exception {
        CountDownLatch failing = new CountDownLatch(1);
        CountDownLatch failNow = new CountDownLatch(1);
        CountDownLatch queued = new CountDownLatch(1);
        CountDownLatch answerNow = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void queued(String model, int depth) {
                if (runs.get() > 0) {
                    queued.countDown();
                }
            }

            @Override
            public void beforeRun(String model, int instances) throws InterruptedException {
                if (runs.getAndIncrement() == 0) {
                    failing.countDown();
                    failNow.await();
                    throw new IllegalStateException("injected fault");
                }
                answerNow.await();
            }
        };
        Shape shape = Shape.of(1, 3, 8, 8);
        try (InferenceServer server = start(config(), hooks)) {
            CompletableFuture<HttpResponse<String>> fails = postAsync(server, inferBody(shape, input(shape, 1)));
            assertTrue(failing.await(WAIT_SECONDS, TimeUnit.SECONDS), "the first request never ran");
            CompletableFuture<HttpResponse<String>> answered = postAsync(server, inferBody(shape, input(shape, 2)));
            try {
                assertTrue(queued.await(WAIT_SECONDS, TimeUnit.SECONDS), "the second request never queued");
                failNow.countDown();
                assertError(fails.get(WAIT_SECONDS, TimeUnit.SECONDS), 500, "injected fault");
            } finally {
                failNow.countDown();
                answerNow.countDown();
            }
            assertAnswered(answered.get(WAIT_SECONDS, TimeUnit.SECONDS), input(shape, 2), shape);
            String metrics = get(server, "/metrics").body();
            assertEquals(1, metric(metrics,
                    "dgnet_server_requests_total{endpoint=\"infer\",model=\"cifar\",status=\"500\"}"));
            assertEquals(1, metric(metrics,
                    "dgnet_server_requests_total{endpoint=\"infer\",model=\"cifar\",status=\"200\"}"));
        }
    }

    @Test
    void classifyAnswersTheTopClassesOfAnUploadedImage() throws Exception {
        byte[] png = image("png", 45, 38);
        byte[] jpeg = image("jpeg", 50, 40);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            for (byte[] bytes : List.of(png, jpeg)) {
                String type = bytes == png ? "image/png" : "image/jpeg";
                ImagePreprocessor images = ImagePreprocessor.of(model.config());
                float[] logits = reference.run(images.decode(bytes, "test"), Shape.of(1, 3, 32, 32)).logits()[0];
                List<Prediction> expected = Prediction.top(logits, 3, LABELS);

                HttpResponse<String> response = upload(server, "/v2/models/cifar/classify?top=3", type, bytes);
                assertEquals(200, response.statusCode(), response.body());
                JsonNode body = JSON.readTree(response.body());
                assertEquals(MODEL, body.get("model_name").asText());
                assertNull(body.get("graph_svg"));
                JsonNode predictions = body.get("predictions");
                assertEquals(3, predictions.size());
                for (int i = 0; i < 3; i++) {
                    assertEquals(expected.get(i).classIndex(), predictions.get(i).get("class").asInt());
                    assertEquals(expected.get(i).label(), predictions.get(i).get("label").asText());
                    assertEquals(expected.get(i).probability(), predictions.get(i).get("probability").floatValue(),
                            1e-5f);
                }
            }

            HttpResponse<String> withGraph = upload(server, "/v2/models/cifar/versions/1/classify?graph=1", "image/png",
                    png);
            assertEquals(200, withGraph.statusCode(), withGraph.body());
            JsonNode body = JSON.readTree(withGraph.body());
            assertEquals(ClassifyQuery.DEFAULT_TOP, body.get("predictions").size());
            String svg = body.get("graph_svg").asText();
            assertTrue(svg.startsWith("<svg") && svg.strip().endsWith("</svg>"), svg);
        }
    }

    /**
     * An image sent chunked (no Content-Length) takes from the heap budget what arrives, not what the size limit
     * would allow: with a limit past the budget, a small upload is answered, and the heap it held is given back.
     */
    @Test
    void aChunkedUploadHoldsTheHeapItsBytesTakeNotTheSizeLimit() throws Exception {
        byte[] png = image("png", 45, 38);
        HeapBudget heap = new HeapBudget(1 << 20);
        try (InferenceServer server = start(config().withMaxRequestBytes(64L << 20), WorkerHooks.NONE, heap)) {
            HttpResponse<String> chunked = client.send(request(server, "/v2/models/cifar/classify?top=3")
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(png))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chunked.statusCode(), chunked.body());
            assertEquals(upload(server, "/v2/models/cifar/classify?top=3", "image/png", png).body(), chunked.body());
            awaitHeld(heap, 0);
        }
    }

    @Test
    void classifyRefusesWhatIsNoImage() throws Exception {
        byte[] png = image("png", 40, 40);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            String classify = "/v2/models/cifar/classify";
            assertError(upload(server, classify, "image/png", "not an image".getBytes(StandardCharsets.UTF_8)), 400,
                    "not a JPEG or PNG image");
            assertError(upload(server, classify, "image/png", Arrays.copyOf(png, png.length / 2)), 400,
                    "the uploaded image");
            assertError(upload(server, classify, "image/gif", png), 415, "image/jpeg or image/png, got 'image/gif'");
            assertError(upload(server, classify, "multipart/form-data; boundary=x", png), 415, "multipart/form-data");
            assertError(upload(server, classify + "?top=0", "image/png", png), 400, "top must be an integer >= 1");
            assertError(upload(server, classify + "?top=many", "image/png", png), 400, "got 'many'");
            assertError(upload(server, classify + "?graph=yes", "image/png", png), 400, "graph must be");
            assertError(upload(server, classify + "?k=3", "image/png", png), 400, "unknown query parameter 'k'");
            assertError(get(server, classify), 405, "classify takes POST");
            assertEquals(200, upload(server, classify + "?top=1", "image/png", png).statusCode());
            // The last of two was taken, silently.
            assertError(upload(server, classify + "?top=2&top=3", "image/png", png), 400,
                    "query parameter 'top' is given twice");
            // Past an int, still "every class": it was refused as "must be an integer >= 1".
            HttpResponse<String> all = upload(server, classify + "?top=99999999999", "image/png", png);
            assertEquals(200, all.statusCode(), all.body());
            assertEquals(CLASSES, JSON.readTree(all.body()).get("predictions").size());
        }
    }

    // ---- limits

    @Test
    void fullQueueIsAnswered503WithRetryAfter() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(1);
        Shape shape = Shape.of(1, 3, 8, 8);
        try (InferenceServer server = start(config().withQueueCapacity(1), hooks)) {
            CompletableFuture<HttpResponse<String>> first = postAsync(server, inferBody(shape, input(shape, 1)));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
            CompletableFuture<HttpResponse<String>> second = postAsync(server, inferBody(shape, input(shape, 2)));
            assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS));

            HttpResponse<String> third = post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 3)));
            assertError(third, 503, "requests waiting");
            assertEquals("1", third.headers().firstValue("Retry-After").orElseThrow());

            hooks.release.countDown();
            assertEquals(200, first.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertEquals(200, post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 3))).statusCode());
        }
    }

    @Test
    void aLargeBodyRefusedBeforeItWasReadStillGetsItsAnswer() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(1);
        Shape shape = Shape.of(1, 3, 8, 8);
        // Far more than the JDK server drains by itself after an answer, and than loopback's socket buffers hold:
        // unless the server reads it, the client's writes fail before it can read the 503.
        int length = 24 << 20;
        try (InferenceServer server = start(config().withQueueCapacity(1).withMaxRequestBytes(32 << 20), hooks)) {
            CompletableFuture<HttpResponse<String>> first = postAsync(server, inferBody(shape, input(shape, 1)));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
            CompletableFuture<HttpResponse<String>> second = postAsync(server, inferBody(shape, input(shape, 2)));
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS));
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] spaces = new byte[1 << 16];
                Arrays.fill(spaces, (byte) ' ');
                for (int sent = 0; sent < length; sent += spaces.length) {
                    out.write(spaces, 0, Math.min(spaces.length, length - sent));
                }
                out.flush();
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 503 Service Unavailable", status);
            } finally {
                hooks.release.countDown();
            }
            assertEquals(200, first.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void aClientSlowToSendItsBodyHoldsNoPlaceInTheQueue() throws Exception {
        Shape shape = Shape.of(1, 3, 40, 40);
        HeapBudget heap = HeapBudget.halfOfHeap();
        byte[] body = inferBody(shape, input(shape, 1)).getBytes(StandardCharsets.US_ASCII);
        try (InferenceServer server = start(config().withQueueCapacity(1), WorkerHooks.NONE, heap);
             Socket slow = new Socket("127.0.0.1", server.port())) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            // Its values are read into arrays taken from the budget as they arrive: its handler is reading them.
            assertTrue(awaitHeld(heap, held -> held > 0), "the slow request's body is not being read");

            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 2))), input(shape, 2),
                    shape);
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(slow.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 200 OK", status);
        }
    }

    @Test
    void bodiesOverTheLimitAre413WithOrWithoutContentLength() throws Exception {
        Shape small = Shape.of(1, 3, 2, 2);
        String fits = inferBody(small, input(small, 1));
        long limit = fits.length() + 16;
        Shape big = Shape.of(1, 3, 32, 32);
        byte[] tooBig = inferBody(big, input(big, 1)).getBytes(StandardCharsets.UTF_8);
        try (InferenceServer server = start(config().withMaxRequestBytes(limit), WorkerHooks.NONE)) {
            assertEquals(200, post(server, "/v2/models/cifar/infer", fits).statusCode());

            HttpResponse<String> declared = client.send(request(server, "/v2/models/cifar/infer")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(tooBig)).build(), HttpResponse.BodyHandlers.ofString());
            assertError(declared, 413, "limit of " + limit + " bytes");

            // ofInputStream has no length: the body goes chunked and only reading finds it too large.
            HttpResponse<String> chunked = client.send(request(server, "/v2/models/cifar/infer")
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooBig)))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertError(chunked, 413, "limit of " + limit + " bytes");

            assertEquals(200, post(server, "/v2/models/cifar/infer", fits).statusCode());
        }
    }

    /**
     * A chunked body found over the limit is answered 413 at once, with {@code Connection: close}, and the connection
     * closed: the server does not read on for more of it first (here the client sends no more, so a server that
     * drained would answer only when its request time ran out and it dropped the connection).
     */
    @Test
    void aChunkedBodyOverTheLimitIsAnswered413WithoutReadingTheRest() throws Exception {
        int limit = 1024;
        try (InferenceServer server = start(config().withMaxRequestBytes(limit), WorkerHooks.NONE);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(Math.toIntExact(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)));
            OutputStream out = socket.getOutputStream();
            byte[] spaces = new byte[limit + 1];
            Arrays.fill(spaces, (byte) ' ');
            out.write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(spaces.length) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(spaces);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertTooLargeAndClosed(socket, "limit of " + limit + " bytes");
        }
    }

    /**
     * A 413 found before the body is read, as its declared length is more than a Java array holds or than the heap
     * budget gives a request, is answered at once with {@code Connection: close}, as one over the size limit is: the
     * server does not read the body first (here the client sends none of it, so a server that drained it would
     * answer only when its request time ran out and it dropped the connection).
     */
    @Test
    void a413FoundBeforeTheBodyIsReadIsAnsweredWithoutReadingIt() throws Exception {
        try (InferenceServer server = start(config().withWarmupRuns(0).withMaxRequestBytes(4L << 30),
                WorkerHooks.NONE, new HeapBudget(60_000))) {
            Map<Long, String> refusals = Map.of(3L << 30, "larger than the 2147483639 bytes a Java array holds",
                    100_000L, "the request needs more than the server's 59 KiB of Java heap for requests");
            for (Map.Entry<Long, String> refusal : refusals.entrySet()) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setSoTimeout(Math.toIntExact(TimeUnit.SECONDS.toMillis(10)));
                    socket.getOutputStream().write(("POST /v2/models/cifar/classify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: image/png\r\nContent-Length: " + refusal.getKey() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    assertTooLargeAndClosed(socket, refusal.getValue());
                }
            }
        }
    }

    /**
     * A client that goes on sending its body after a 413 it has not read yet (as one that sends all of a request before
     * reading its answer does) sends it all, then reads its answer: the server answers at once, then reads and drops
     * what the client still sends before it closes the connection, instead of closing with bytes unread, which made
     * the kernel answer the client's next bytes with a reset, ending its writes and perhaps the answer unread.
     */
    @Test
    void aClientStillSendingAfterA413ReadsItsAnswer() throws Exception {
        int limit = 1024;
        int length = 1 << 20;
        try (InferenceServer server = start(config().withWarmupRuns(0).withMaxRequestBytes(limit), WorkerHooks.NONE);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(Math.toIntExact(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] spaces = new byte[64 << 10];
            Arrays.fill(spaces, (byte) ' ');
            for (int sent = 0; sent < length; sent += spaces.length) {
                out.write(spaces);
                out.flush();
                Thread.sleep(5);
            }
            assertTooLargeAndClosed(socket, "limit of " + limit + " bytes");
        }
    }

    /**
     * What the server reads and drops after a 413 is bounded: a client that keeps sending has its connection closed
     * after {@link LingeringClose#BYTES}, one that sends nothing more after {@link LingeringClose#TIME} (not when its
     * request time runs out, a minute later).
     */
    @Test
    void whatTheServerReadsAfterA413IsBoundedInBytesAndTime() throws Exception {
        int limit = 1024;
        long length = 1L << 30;
        String head = "POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + length + "\r\n\r\n";
        try (InferenceServer server = start(config().withWarmupRuns(0).withMaxRequestBytes(limit), WorkerHooks.NONE)) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                byte[] spaces = new byte[64 << 10];
                Arrays.fill(spaces, (byte) ' ');
                // The sockets' buffers, a few megabytes on loopback, take what the server does not read.
                long most = 16 * LingeringClose.BYTES;
                assertThrows(IOException.class, () -> {
                    for (long sent = 0; sent < most; sent += spaces.length) {
                        out.write(spaces);
                    }
                }, "the server read on past " + most + " bytes");
            }
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                // Well short of the request time, well past the lingering's.
                socket.setSoTimeout(Math.toIntExact(LingeringClose.TIME.toMillis() + TimeUnit.SECONDS.toMillis(8)));
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            }
        }
    }

    /**
     * Reads a 413 answer with {@code Connection: close} and a message containing {@code message}, then ends the
     * request body, and checks that the server closes the connection.
     */
    private static void assertTooLargeAndClosed(Socket socket, String message) throws IOException {
        InputStream in = socket.getInputStream();
        assertEquals("HTTP/1.1 413 Request Entity Too Large", headerLine(in));
        long length = -1;
        boolean close = false;
        String line;
        while (!(line = headerLine(in)).isEmpty()) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
            close |= lower.equals("connection: close");
        }
        assertTrue(close, "the answer says the connection closes");
        String body = new String(in.readNBytes(Math.toIntExact(length)), StandardCharsets.UTF_8);
        assertTrue(body.contains(message), body);
        socket.shutdownOutput();
        assertEquals(-1, in.read(), "the server closes the connection");
    }

    @Test
    void requestsPastTheHeapBudgetAre503WhileOthersHoldItAnd413WhereTheyAloneNeedMore() throws Exception {
        // 40x40x3 values as JSON: read into arrays of 1024, 2048, 4096 and 8192 floats, each replacing the one before
        // (48 KiB at once at the last step), then kept as 4800 floats (18.75 KiB), with 9919 bytes for its answer of
        // every output (its rows of the result, 592 bytes, and thrice the 3109 bytes its JSON may have). A budget of
        // 60000 bytes takes one such request being read, and one held by its batch, but not a second one read beside
        // it.
        Shape shape = Shape.of(1, 3, 40, 40);
        HeapBudget heap = new HeapBudget(60_000);
        HoldFirstRun hooks = new HoldFirstRun(0);
        try (InferenceServer server = start(config(), hooks, heap)) {
            assertEquals(60_000, metric(get(server, "/metrics").body(), "dgnet_server_request_heap_limit_bytes"));
            CompletableFuture<HttpResponse<String>> first = postAsync(server, inferBody(shape, input(shape, 1)));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(4800 * Float.BYTES + 9919, heap.held(),
                    "the first request's values and answer, held while its batch runs");

            HttpResponse<String> second = post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 2)));
            assertError(second, 503, "busy: requests in flight hold 44 KiB of the 59 KiB of Java heap the server gives "
                    + "requests, and input 'input''s values needs 32 KiB more");
            assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());
            hooks.release.countDown();
            assertEquals(200, first.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            awaitHeld(heap, 0);

            Shape big = Shape.of(1, 3, 64, 64);
            assertError(post(server, "/v2/models/cifar/infer", inferBody(big, input(big, 3))), 413,
                    "the request needs more than the server's 59 KiB of Java heap for requests (input 'input''s "
                            + "values would take 64 KiB more, after 32 KiB)");
            assertError(upload(server, "/v2/models/cifar/classify", "image/png", image("png", 120, 100)), 413,
                    "the decoded image would take");
            assertEquals(200, upload(server, "/v2/models/cifar/classify", "image/png", image("png", 45, 38))
                    .statusCode());
            assertEquals(200, post(server, "/v2/models/cifar/infer", inferBody(shape, input(shape, 4))).statusCode());
            awaitHeld(heap, 0);
        }
    }

    /**
     * A client that does not read its answer holds no share of the heap budget: the request's values are garbage
     * once its batch has run, and the answer (megabytes here, more than the sockets' buffers take) waits on the client
     * for as long as it likes.
     */
    @Test
    void aClientSlowToReadItsAnswerHoldsNoShareOfTheHeapBudget() throws Exception {
        Shape shape = Shape.of(8192, 3, 2, 2);
        float[] input = input(shape, 9);
        String header = "{\"inputs\": [" + binaryTensor(shape, input.length * 4L) + "]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] data = littleEndian(input);
        CountDownLatch ran = new CountDownLatch(1);
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) {
                ran.countDown();
            }
        };
        HeapBudget heap = HeapBudget.halfOfHeap();
        try (InferenceServer server = start(config().withWarmupRuns(0), hooks, heap);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "application/octet-stream\r\nInference-Header-Content-Length: " + json.length
                    + "\r\nContent-Length: " + (json.length + data.length) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write(data);
            out.flush();
            assertTrue(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request never ran");
            awaitHeld(heap, 0);

            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", head);
            long length = -1;
            String line;
            while (!(line = headerLine(in)).isEmpty()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                }
            }
            JsonNode logits = JSON.readTree(in.readNBytes(Math.toIntExact(length))).get("outputs").get(0);
            assertEquals("logits", logits.get("name").asText());
            assertClose(reference.run(input, shape).logitsRowMajor(), floats(logits.get("data")));
        }
    }

    /** The rest of a response's line, without its CRLF. */
    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            assertTrue(c >= 0, "the response ends within its headers");
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    /** Waits for {@code heap} to hold {@code bytes}: a request gives its share back just before its answer is sent. */
    private static void awaitHeld(HeapBudget heap, long bytes) throws InterruptedException {
        awaitHeld(heap, held -> held == bytes);
        assertEquals(bytes, heap.held());
    }

    /** Waits until what {@code heap} holds passes {@code test}, at most {@value #WAIT_SECONDS} s; returns whether. */
    private static boolean awaitHeld(HeapBudget heap, LongPredicate test) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!test.test(heap.held()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return test.test(heap.held());
    }

    // ---- bad requests

    @Test
    void badRequestsAreAnsweredWithTheirStatusAndAMessage() throws Exception {
        Shape shape = Shape.of(1, 3, 2, 2);
        String data = flat(input(shape, 1));
        String good = tensor(shape, data);
        try (InferenceServer server = start(config(), WorkerHooks.NONE)) {
            String infer = "/v2/models/cifar/infer";
            HttpResponse<String> truncated = post(server, infer, "{\"inputs\": [");
            assertError(truncated, 400, "malformed JSON at line 1, column 13: Unexpected end-of-input");
            assertFalse(truncated.body().contains("Source"), truncated.body());
            assertError(post(server, infer, ""), 400, "must be a JSON object");
            assertError(post(server, infer, "[1, 2]"), 400, "must be a JSON object");
            assertError(post(server, infer, "{}"), 400, "no 'inputs'");
            assertError(post(server, infer, "{\"inputs\": []}"), 400, "has 0");
            assertError(post(server, infer, "{\"inputs\": [" + good + "," + good.replace("\"input\"", "\"x\"")
                    + "]}"), 400, "'input', 'x'");
            assertError(post(server, infer, "{\"inputs\": [" + good.replace("\"input\"", "\"image\"") + "]}"), 400,
                    "unknown input 'image'");
            assertError(post(server, infer, "{\"inputs\": [" + good.replace("FP32", "FP64") + "]}"), 400,
                    "datatype 'FP64'");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 4]", data) + "]}"), 400,
                    "shape [N, 3, H, W]");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 1, 2, 6]", data) + "]}"), 400,
                    "shape [N, 3, H, W]");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 0, 2]", "[]") + "]}"), 400,
                    "every dimension >= 1");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 2, 3]", data) + "]}"), 400,
                    "has 12 values, but its shape [1, 3, 2, 3] holds 18");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 2, 2]", "[1, 2, 3]") + "]}"), 400,
                    "has 3 values");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 2, 2]", "[1, \"2\", 3]") + "]}"),
                    400, "must hold numbers, found the string \"2\" at index 1");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 2, 2]", "[1, 1e39]") + "]}"), 400,
                    "out of the FP32 range");
            assertError(post(server, infer, "{\"inputs\": [" + tensor("[1, 3, 2, 2]", "[1, NaN]") + "]}"), 400,
                    "malformed JSON");
            assertError(post(server, infer, "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3, 2, 2]}]}"), 400,
                    "needs 'datatype', 'shape' and 'data'");
            assertError(post(server, infer, "{\"inputs\": [" + good + "], \"outputs\": [{\"name\": \"adjacency.7\"}]}"),
                    400, "unknown output 'adjacency.7': the model has logits, adjacency.0");
            assertError(post(server, infer, "{\"input\": [" + good + "]}"), 400, "unknown field 'input'");
            assertError(post(server, infer, "{\"in\\nputs\": [" + good + "]}"), 400,
                    "unknown field 'in\\u000aputs': an inference request has");
            assertError(post(server, infer, "{\"inputs\": [" + good + "]} {}"), 400, "");
            assertError(post(server, infer, "{\"id\": 7, \"inputs\": [" + good + "]}"), 400, "'id' must be a string");
            String deep = "[".repeat(1100) + "]".repeat(1100);
            // Without a shape before it, as with one the data is refused where it is deeper than the shape.
            assertError(post(server, infer, "{\"inputs\": [{\"name\": \"input\", \"data\": " + deep + "}]}"), 400,
                    "the request's JSON is past a limit: Document nesting depth (1001) exceeds the maximum allowed "
                            + "(1000)");
            assertError(post(server, infer, "{\"id\": \"" + "x".repeat(70_000) + "\", \"inputs\": [" + good + "]}"),
                    400, "the request's JSON is past a limit: String value length");
            HttpResponse<String> longName = post(server, infer, "{\"inputs\": [" + good.replace("\"input\"",
                    "\"" + "n".repeat(50_000) + "\"") + "]}");
            assertError(longName, 400, "unknown input '" + "n".repeat(100) + "... (50000 characters)': the model");
            assertTrue(longName.body().length() < 300, "no client's megabytes echoed back");

            HttpResponse<String> wrongMethod = get(server, infer);
            assertError(wrongMethod, 405, "GET is not allowed");
            assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
            assertError(post(server, "/v2", "{}"), 405, "POST is not allowed");
            assertError(post(server, "/v2/models/other/infer", "{}"), 404, "unknown model 'other': this server has cifar");
            assertError(get(server, "/v2/models/cifar/versions/2"), 404, "no version '2'");
            assertError(get(server, "/v2/models/cifar/explain"), 404, "no endpoint at /v2/models/cifar/explain");
            assertError(get(server, "/v1/models"), 404, "no endpoint at /v1/models");

            // The worker took none of that amiss, and no request counted as a server failure.
            assertEquals(200, post(server, infer, "{\"inputs\": [" + good + "]}").statusCode());
            assertFalse(get(server, "/metrics").body().contains("status=\"500\""));
        }
    }

    @Test
    void aFailingRunFailsOnlyItsBatchAndTheWorkerCarriesOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        WorkerHooks hooks = new WorkerHooks() {
            @Override
            public void beforeRun(String model, int instances) {
                switch (runs.getAndIncrement()) {
                    case 0 -> throw new IllegalStateException("injected fault");
                    case 1 -> throw new InsufficientMemoryException("cannot prepare the network for input [1, 3, 8, "
                            + "8]: not enough memory for a buffer of 2.0 GiB: the process has 1.0 GiB available", true);
                    default -> {
                    }
                }
            }
        };
        Shape shape = Shape.of(1, 3, 8, 8);
        float[] input = input(shape, 5);
        try (InferenceServer server = start(config(), hooks)) {
            assertError(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), 500,
                    "inference failed: injected fault");
            HttpResponse<String> refused = post(server, "/v2/models/cifar/infer", inferBody(shape, input));
            assertError(refused, 503, "inference refused: cannot prepare the network for input [1, 3, 8, 8]: not "
                    + "enough memory for a buffer of 2.0 GiB");
            assertTrue(refused.headers().firstValue("Retry-After").isEmpty(), "no telling when memory comes back");
            HttpResponse<String> next = post(server, "/v2/models/cifar/infer", inferBody(shape, input));
            assertAnswered(next, input, shape);
        }
    }

    // ---- warm-up

    /**
     * Until its model has run every batch size it will pad batches to, the server is live but not ready, and a
     * request waits in the queue; then it is answered like any other, and the warm-up counts as no batch.
     */
    @Test
    void aModelIsReadyOnceItHasRunEveryBatchSizeAndARequestSentMeanwhileWaits() throws Exception {
        HoldWarmup hooks = new HoldWarmup(-1);
        ServerConfig config = config().withBatching(6, Duration.ZERO).withWarmupRuns(2);
        assertEquals(List.of(1, 2, 4, 6), config.batchSizes());
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 41);
        try (InferenceServer server = InferenceServer.start(config, Map.of(MODEL, model), device, hooks,
                HeapBudget.halfOfHeap())) {
            CompletableFuture<HttpResponse<String>> early;
            try {
                assertTrue(hooks.warming.await(WAIT_SECONDS, TimeUnit.SECONDS), "the warm-up never began");
                assertEquals(200, get(server, "/v2/health/live").statusCode());
                for (String path : List.of("/v2/health/ready", "/v2/models/cifar/ready")) {
                    assertNotReady(get(server, path), path);
                }
                assertEquals("[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"LOADING\"}]",
                        post(server, "/v2/repository/index", "{}").body());
                early = postAsync(server, inferBody(shape, input));
                assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request never queued");
                assertFalse(early.isDone(), "answered before the warm-up ended");
            } finally {
                hooks.release.countDown();
            }

            assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)));
            assertTrue(server.awaitReady(Duration.ofSeconds(Long.MAX_VALUE)), "a timeout past what nanoseconds hold");
            assertEquals(List.of(1, 2, 4, 6), hooks.sizes);
            HttpResponse<String> response = early.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertAnswered(response, input, shape);
            assertEquals(200, get(server, "/v2/health/ready").statusCode());
            assertEquals(200, get(server, "/v2/models/cifar/ready").statusCode());
            assertEquals("[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"READY\"}]",
                    post(server, "/v2/repository/index", "{}").body());
            assertEquals(1, metric(get(server, "/metrics").body(), "dgnet_server_batch_size_count{model=\"cifar\"}"),
                    "the warm-up's runs are not batches");
        }
    }

    /** The model repository extension's index request {@code {"ready": true}} asks for the ready models alone. */
    @Test
    void theRepositoryIndexListsOnlyReadyModelsWhereTheRequestAsks() throws Exception {
        HoldWarmup hooks = new HoldWarmup(-1);
        String index = "/v2/repository/index";
        String loading = "[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"LOADING\"}]";
        try (InferenceServer server = InferenceServer.start(config().withWarmupRuns(1), Map.of(MODEL, model), device,
                hooks, HeapBudget.halfOfHeap())) {
            try {
                assertTrue(hooks.warming.await(WAIT_SECONDS, TimeUnit.SECONDS), "the warm-up never began");
                assertEquals("[]", post(server, index, "{\"ready\": true}").body());
                assertEquals(loading, post(server, index, "{\"ready\": false}").body());
                assertEquals(loading, post(server, index, "").body(), "no body: every model, as {} asks");
                assertError(post(server, index, "{\"ready\": \"yes\"}"), 400,
                        "the index request's 'ready' must be true or false, got the string \"yes\"");
                assertError(post(server, index, "[true]"), 400, "an index request must be a JSON object");
                assertError(post(server, index, "{\"ready\": tru"), 400, "malformed JSON at line 1");
            } finally {
                hooks.release.countDown();
            }
            assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)));
            assertEquals("[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"READY\"}]",
                    post(server, index, "{\"ready\": true}").body());
        }
    }

    @Test
    void aFailedWarmupSizeLeavesTheModelReadyAndServing() throws Exception {
        HoldWarmup hooks = new HoldWarmup(2);
        hooks.release.countDown();
        Shape shape = Shape.of(2, 3, 32, 32);
        float[] input = input(shape, 42);
        try (InferenceServer server = start(config().withWarmupRuns(1), hooks)) {
            assertEquals(List.of(1, 2, 4, 8), hooks.sizes, "the sizes after the failed one are warmed up too");
            assertEquals(Map.of("cifar", List.of(1, 4, 8)), server.warmedBatchSizes());
            HttpResponse<String> response = post(server, "/v2/models/cifar/infer", inferBody(shape, input));
            assertAnswered(response, input, shape);
        }
    }

    @Test
    void aWarmupSizeRefusedMemoryEndsTheWarmupAndTheModelServesAllTheSame() throws Exception {
        HoldWarmup hooks = new HoldWarmup(2, new InsufficientMemoryException("not enough memory for a buffer of 9.0 "
                + "GiB: the process has 1.0 GiB available", false));
        hooks.release.countDown();
        Shape shape = Shape.of(3, 3, 32, 32);
        float[] input = input(shape, 43);
        try (InferenceServer server = start(config().withWarmupRuns(1), hooks)) {
            assertEquals(List.of(1, 2), hooks.sizes, "the sizes above the refused one are left");
            assertEquals(Map.of("cifar", List.of(1)), server.warmedBatchSizes());
            HttpResponse<String> response = post(server, "/v2/models/cifar/infer", inferBody(shape, input));
            assertAnswered(response, input, shape);
        }
    }

    @Test
    void noWarmupRunsMeansReadyAtOnce() throws Exception {
        HoldWarmup hooks = new HoldWarmup(-1);
        try (InferenceServer server = start(config().withWarmupRuns(0), hooks)) {
            assertEquals(200, get(server, "/v2/health/ready").statusCode());
            assertEquals(List.of(), hooks.sizes);
            assertEquals(0, server.warmupRequests());
        }
    }

    /**
     * Before it reports ready the server sends itself a JSON and a binary request of one image per warm-up run, so
     * that the JIT has compiled its request path; no metric counts them, and a client cannot pass for one.
     */
    @Test
    void theServerWarmsItsRequestPathUpWithRequestsNoMetricCounts() throws Exception {
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 43);
        try (InferenceServer server = start(config().withWarmupRuns(3), WorkerHooks.NONE)) {
            assertEquals(6, server.warmupRequests(), "answered before the server reported ready");
            String scrape = get(server, "/metrics").body();
            assertFalse(scrape.contains("endpoint=\"infer\""), scrape);
            assertFalse(scrape.contains("dgnet_server_batch_size_count"), scrape);

            HttpResponse<String> forged = client.send(request(server, "/v2/models/cifar/infer")
                    .header("Content-Type", "application/json").header("Dgnet-Warmup", "guess")
                    .POST(HttpRequest.BodyPublishers.ofString(inferBody(shape, input))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertAnswered(forged, input, shape);
            scrape = get(server, "/metrics").body();
            assertEquals(1, metric(scrape, "dgnet_server_requests_total{endpoint=\"infer\",model=\"cifar\","
                    + "status=\"200\"}"), "a client's request counts, whatever header it sends");
            assertEquals(1, metric(scrape, "dgnet_server_batch_size_count{model=\"cifar\"}"));
        }
    }

    /**
     * A model whose requests of one image the heap budget refuses (64x64 read as JSON takes more than 59 KiB; the
     * 32x32 model's fit) fails its HTTP warm-up; the model served after it is warmed up all the same.
     */
    @Test
    void aModelWhoseHttpWarmupFailsLeavesTheNextModelsWarmup() throws Exception {
        ModelConfig large = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, ModelConfig.DEFAULT_THRESHOLD, CLASSES, 3,
                LABELS, new ModelConfig.Preprocess(72, 64, CIFAR_PREPROCESS.mean(), CIFAR_PREPROCESS.std()));
        Map<String, DgModel> models = new LinkedHashMap<>();
        try (DgModel first = DgModel.random(large, 5)) {
            models.put("large", first);
            models.put(MODEL, model);
            try (InferenceServer server = InferenceServer.start(config().withWarmupRuns(2), models, device,
                    WorkerHooks.NONE, new HeapBudget(60_000))) {
                assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
                assertEquals(4, server.warmupRequests(), "the second model's two JSON and two binary requests");
                Shape shape = Shape.of(1, 3, 32, 32);
                float[] input = input(shape, 8);
                assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
            }
        }
    }

    @Test
    void closingDuringTheWarmupEndsItAndTheServerNeverReportsReady() throws Exception {
        HoldWarmup hooks = new HoldWarmup(-1);
        InferenceServer server = InferenceServer.start(config(), Map.of(MODEL, model), device, hooks,
                HeapBudget.halfOfHeap());
        assertTrue(hooks.warming.await(WAIT_SECONDS, TimeUnit.SECONDS), "the warm-up never began");
        Thread closer = Thread.ofPlatform().start(server::close);
        try {
            // Readiness is false already, for the warm-up: the repository index tells the stop.
            awaitAnswer(() -> post(server, "/v2/repository/index", "{}"), 200, "UNAVAILABLE");
            assertNotReady(get(server, "/v2/health/ready"), "while closing");
            assertEquals(200, get(server, "/v2/health/live").statusCode(), "live while it closes");
        } finally {
            hooks.release.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive(), "close() did not return");
        assertFalse(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)));
        assertEquals(List.of(1), hooks.sizes, "no batch size after the stop");
    }

    @Test
    void warmupRunsMustNotBeNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config().withWarmupRuns(-1));
        assertEquals("warm-up runs must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config().withJitWarmup(Duration.ofMillis(-1)));
        assertEquals("JIT warm-up must be >= 0 ms, got -1 ms", e.getMessage());
        // Past what a long counts in nanoseconds: still the message, not an overflow.
        e = assertThrows(IllegalArgumentException.class, () -> config().withJitWarmup(Duration.ofDays(-400L * 365)));
        assertEquals("JIT warm-up must be >= 0 ms, got -12614400000000 ms", e.getMessage());
    }

    @Test
    void aRequestOfAnotherShapeTakesThePlaceOfTheShapeRunLeastRecently() throws Exception {
        ServerConfig one = new ServerConfig("127.0.0.1", 0, 1, Duration.ZERO, 4, 1 << 20,
                SessionOptions.defaults().withMaxShapes(1), 0, Duration.ZERO);
        try (InferenceServer server = start(one, WorkerHooks.NONE)) {
            for (Shape shape : List.of(Shape.of(1, 3, 32, 32), Shape.of(1, 3, 24, 24), Shape.of(1, 3, 32, 32),
                    Shape.of(2, 3, 16, 16))) {
                float[] values = input(shape, shape.dim(2));
                assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, values)), values, shape);
            }
        }
    }

    @Test
    void eachModelKeepsNetworksForAtLeastEveryBatchSizeRunsTake() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 128), config().withBatching(128, Duration.ZERO).batchSizes());
        assertEquals(List.of(1, 2, 4, 5), ServerConfig.batchSizes(5));
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 128, 129), ServerConfig.batchSizes(129));
        assertEquals(List.of(1), ServerConfig.batchSizes(1));
        assertEquals(List.of(), ServerConfig.batchSizes(0));
        // The largest maximum: 2^30 doubled overflows an int, and a pass over every instance count would take minutes.
        List<Integer> largest = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> ServerConfig.batchSizes(Integer.MAX_VALUE));
        assertEquals(32, largest.size());
        assertEquals(List.of(1 << 29, 1 << 30, Integer.MAX_VALUE), largest.subList(29, 32));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new ServerMetrics(Integer.MAX_VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config().withBatching(129, Duration.ZERO));
        assertEquals("each model would keep networks for 8 input shapes, fewer than the 9 batch sizes runs take (1, "
                + "2, 4, ... up to 129): every batch would prepare its network again", e.getMessage());
    }

    // ---- shutdown

    @Test
    void closeAnswersEveryQueuedRequestThenStops() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(2);
        Shape shape = Shape.of(1, 3, 8, 8);
        List<float[]> inputs = List.of(input(shape, 31), input(shape, 32), input(shape, 33));
        InferenceServer server = start(config(), hooks);
        Thread closer;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        try {
            responses.add(postAsync(server, inferBody(shape, inputs.get(0))));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
            responses.add(postAsync(server, inferBody(shape, inputs.get(1))));
            responses.add(postAsync(server, inferBody(shape, inputs.get(2))));
            assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS));

            closer = Thread.ofPlatform().start(server::close);
            // Closing begins at once; the worker is still held inside its run.
            for (String path : List.of("/v2/health/ready", "/v2/models/cifar/ready")) {
                awaitAnswer(() -> get(server, path), 400, "");
                assertNotReady(get(server, path), path);
            }
            assertEquals(200, get(server, "/v2/health/live").statusCode(), "live while it answers the queued requests");
            assertError(post(server, "/v2/models/cifar/infer", inferBody(shape, inputs.get(0))), 503,
                    "shutting down");
        } finally {
            hooks.release.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive(), "close() did not return");
        for (int i = 0; i < inputs.size(); i++) {
            HttpResponse<String> response = responses.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertAnswered(response, inputs.get(i), shape);
        }
        assertThrows(ConnectException.class, () -> get(server, "/v2/health/live"));
    }

    /**
     * A client gone before its answer is written leaves an exchange the JDK's server never counts as finished. Its
     * {@code stop(delay)} waited out the whole delay after one; the server's own count of handlers ends the wait once
     * every answer is out. The grace here is ten minutes, so a close that waits for it fails the test.
     */
    @Test
    void aClientGoneBeforeItsAnswerDoesNotHoldTheClose() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(1);
        Shape shape = Shape.of(1, 3, 8, 8);
        float[] input = input(shape, 34);
        InferenceServer server = start(config(), hooks);
        Thread closer;
        try {
            CompletableFuture<HttpResponse<String>> held = postAsync(server, inferBody(shape, input));
            assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
            sendAndReset(server, inferBody(shape, input), hooks);
            hooks.release.countDown();
            assertAnswered(held.get(WAIT_SECONDS, TimeUnit.SECONDS), input, shape);
            closer = Thread.ofPlatform().start(() -> server.close(Duration.ofMinutes(10)));
        } finally {
            hooks.release.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive(), "close() waited for the client that had gone");
    }

    /**
     * An answer whose client had gone (reset its connection) before it was written is counted as answered, as its
     * response started, and also as failed: the scrape tells the answers that never reached their clients.
     */
    @Test
    void anAnswerTheClientHadGoneForIsCountedAsFailed() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(1);
        Shape shape = Shape.of(1, 3, 8, 8);
        float[] input = input(shape, 35);
        try (InferenceServer server = start(config(), hooks)) {
            try {
                CompletableFuture<HttpResponse<String>> held = postAsync(server, inferBody(shape, input));
                assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
                sendAndReset(server, inferBody(shape, input), hooks);
                hooks.release.countDown();
                assertAnswered(held.get(WAIT_SECONDS, TimeUnit.SECONDS), input, shape);
            } finally {
                hooks.release.countDown();
            }
            String failed = "dgnet_server_responses_failed_total{endpoint=\"infer\",model=\"cifar\",status=\"200\"}";
            // The gone client's handler may still be writing when the other answer arrives: wait for its count.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            String metrics;
            while (!(metrics = get(server, "/metrics").body()).contains(failed + " ")) {
                assertTrue(System.nanoTime() < deadline, "the failed answer was never counted:\n" + metrics);
                Thread.sleep(10);
            }
            assertEquals(1, metric(metrics, failed), "the client that read its answer is no failure");
            assertEquals(2, metric(metrics,
                    "dgnet_server_requests_total{endpoint=\"infer\",model=\"cifar\",status=\"200\"}"));
            assertFalse(metrics.contains("dgnet_server_responses_failed_total{endpoint=\"metrics\""), metrics);
        }
    }

    // ---- helpers

    /**
     * Sends an inference request on a connection of its own, waits until {@code hooks} has it queued, then resets the
     * connection: a reset, not a FIN, so that the server's write of the answer fails instead of filling a buffer.
     */
    private static void sendAndReset(InferenceServer server, String inferBody, HoldFirstRun hooks)
            throws IOException, InterruptedException {
        byte[] body = inferBody.getBytes(StandardCharsets.UTF_8);
        try (Socket gone = new Socket("127.0.0.1", server.port())) {
            gone.getOutputStream().write(("POST /v2/models/cifar/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            gone.getOutputStream().write(body);
            gone.getOutputStream().flush();
            assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request was never queued");
            gone.setSoLinger(true, 0);
        }
    }

    // ---- the model repository extension: unload and load

    private static final String READY_INDEX = "[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"READY\"}]";
    private static final String UNLOADED_INDEX =
            "[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"UNAVAILABLE\",\"reason\":\"unloaded\"}]";

    @Test
    void anUnloadedModelIsAnsweredAsNotServedUntilItIsLoadedAgain() throws Exception {
        HoldLoad hooks = new HoldLoad();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 51);
        try (InferenceServer server = start(quickLoads(), hooks)) {
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertEquals("[]", post(server, "/v2/repository/index", "{\"ready\": true}").body());
            assertError(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), 404,
                    "model 'cifar' is not loaded (unloaded): POST /v2/repository/models/cifar/load loads it");
            assertError(get(server, "/v2/models/cifar"), 404, "model 'cifar' is not loaded");
            assertError(upload(server, "/v2/models/cifar/classify", "image/png", image("png", 40, 30)), 404,
                    "model 'cifar' is not loaded");
            assertNotReady(get(server, "/v2/models/cifar/ready"), "an unloaded model");
            assertEquals(200, get(server, "/v2/health/ready").statusCode(), "a model unloaded is not served");
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "{}").statusCode(),
                    "unloading an unloaded model changes nothing");
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertEquals(1, hooks.warmups.availablePermits());

            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
            assertEquals(2, hooks.warmups.availablePermits(), "loading warms the model up again");
            assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertEquals(200, get(server, "/v2/models/cifar/ready").statusCode());
            assertEquals(200, get(server, "/v2/models/cifar").statusCode());
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "{}").statusCode());
            assertEquals(3, hooks.warmups.availablePermits(), "loading a ready model loads it again");
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
        }
    }

    @Test
    void everyRequestQueuedAtAnUnloadIsAnsweredBeforeItEnds() throws Exception {
        HoldFirstRun hooks = new HoldFirstRun(2);
        Shape shape = Shape.of(1, 3, 8, 8);
        List<float[]> inputs = List.of(input(shape, 52), input(shape, 53), input(shape, 54));
        try (InferenceServer server = start(quickLoads(), hooks)) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            CompletableFuture<HttpResponse<String>> unload;
            try {
                responses.add(postAsync(server, inferBody(shape, inputs.get(0))));
                assertTrue(hooks.running.await(WAIT_SECONDS, TimeUnit.SECONDS));
                responses.add(postAsync(server, inferBody(shape, inputs.get(1))));
                responses.add(postAsync(server, inferBody(shape, inputs.get(2))));
                assertTrue(hooks.queued.await(WAIT_SECONDS, TimeUnit.SECONDS));
                unload = postAsync(server, "/v2/repository/models/cifar/unload", "");
                awaitAnswer(() -> post(server, "/v2/repository/index", "{}"), 200,
                        "{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"UNLOADING\",\"reason\":\"unloaded\"}");
                assertError(post(server, "/v2/models/cifar/infer", inferBody(shape, inputs.get(0))), 404,
                        "model 'cifar' is not loaded (unloaded)");
                assertFalse(unload.isDone(), "the unload ended before the queued requests were answered");
            } finally {
                hooks.release.countDown();
            }
            assertEquals(200, unload.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            for (int i = 0; i < inputs.size(); i++) {
                assertAnswered(responses.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS), inputs.get(i), shape);
            }
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
        }
    }

    /** The server opens the models it owns: an unload closes the model file, a load opens it again. */
    @Test
    void anOwnedModelsFileIsClosedAtUnloadAndOpenedAgainAtLoad() throws Exception {
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 55);
        try (InferenceServer server = startOwning(dir.resolve("cifar.safetensors"), opened, WorkerHooks.NONE,
                HeapBudget.halfOfHeap())) {
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
            assertClosed(opened.getFirst(), shape, input);
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
            assertEquals(2, opened.size(), "the file opened again");
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
        }
        assertClosed(opened.getLast(), shape, input);
    }

    /**
     * A server owning its model, which each load opens from {@code file} and adds to {@code opened}; once it has
     * warmed up.
     */
    private static InferenceServer startOwning(Path file, List<DgModel> opened, WorkerHooks hooks, HeapBudget heap)
            throws Exception {
        InferenceServer server = InferenceServer.start(quickLoads(), Map.of(MODEL, () -> {
            DgModel loaded = DgModel.load(file);
            opened.add(loaded);
            return loaded;
        }), true, null, device, hooks, heap);
        assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
        return server;
    }

    /** A closed model refuses a session's first run, which reads its weights from the file. */
    private static void assertClosed(DgModel model, Shape shape, float[] input) {
        try (Session session = model.session(device)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.run(input, shape));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void loadAndUnloadTakeOnlyTheModelsTheServerWasStartedWith() throws Exception {
        try (InferenceServer server = start(quickLoads(), WorkerHooks.NONE)) {
            for (String action : List.of("load", "unload")) {
                assertError(post(server, "/v2/repository/models/other/" + action, ""), 400,
                        "unknown model 'other': this server loads only the models it was started with, cifar");
            }
            assertError(post(server, "/v2/repository/models/cifar/load",
                    "{\"parameters\": {\"file:1/model.safetensors\": \"AAAA\"}}"), 400,
                    "the load parameter 'file:1/model.safetensors' is not taken: this server loads models from "
                            + "their own files alone");
            assertError(post(server, "/v2/repository/models/cifar/load", "{\"parameters\": {\"config\": \"{}\"}}"),
                    400, "the load parameter 'config' is not taken");
            assertError(post(server, "/v2/repository/models/cifar/load", "[]"), 400,
                    "a load or unload request must be a JSON object");
            assertError(post(server, "/v2/repository/models/cifar/reload", ""), 404,
                    "no endpoint at /v2/repository/models/cifar/reload");
            assertError(get(server, "/v2/repository/models/cifar/load"), 405, "GET is not allowed here");
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload",
                    "{\"parameters\": {\"unload_dependents\": true}}").statusCode());
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
        }
    }

    /** Two loads at once warm the model up once, and both are answered once it is ready. */
    @Test
    void aLoadWhileTheModelLoadsWaitsForThatLoad() throws Throwable {
        HoldLoad hooks = new HoldLoad();
        try (InferenceServer server = start(quickLoads(), hooks)) {
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
            assertTwoLoadsWarmUpOnce(server, hooks, "one warm-up for both loads", () -> {
                assertEquals("[{\"name\":\"cifar\",\"version\":\"1\",\"state\":\"LOADING\"}]",
                        post(server, "/v2/repository/index", "{}").body());
                assertNotReady(get(server, "/v2/health/ready"), "while a model loads");
            });
            assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
        }
    }

    /** An unload during a load's warm-up stops it: the load is answered 409, the model left unloaded. */
    @Test
    void anUnloadDuringTheWarmupEndsTheLoad() throws Exception {
        HoldLoad hooks = new HoldLoad();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 56);
        try (InferenceServer server = start(quickLoads(), hooks)) {
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
            hooks.release = new CountDownLatch(1);
            CompletableFuture<HttpResponse<String>> load;
            CompletableFuture<HttpResponse<String>> early;
            CompletableFuture<HttpResponse<String>> unload;
            try {
                load = postAsync(server, "/v2/repository/models/cifar/load", "");
                assertTrue(hooks.warming.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the load never warmed up");
                early = postAsync(server, inferBody(shape, input));
                assertTrue(hooks.queued.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the request never queued");
                unload = postAsync(server, "/v2/repository/models/cifar/unload", "");
                awaitAnswer(() -> post(server, "/v2/repository/index", "{}"), 200, "UNLOADING");
            } finally {
                hooks.release.countDown();
            }
            assertEquals(200, unload.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertError(load.get(WAIT_SECONDS, TimeUnit.SECONDS), 409,
                    "model 'cifar' was unloaded before it had loaded");
            assertAnswered(early.get(WAIT_SECONDS, TimeUnit.SECONDS), input, shape);
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode(), "loads again");
            assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
        }
    }

    /** The server's stop during a load ends the load with the stop's 503, and closes the model the load opened. */
    @Test
    void aStopDuringALoadEndsItAndClosesWhatItOpened() throws Exception {
        HoldLoad hooks = new HoldLoad();
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        Shape shape = Shape.of(1, 3, 32, 32);
        InferenceServer server = startOwning(dir.resolve("cifar.safetensors"), opened, hooks, HeapBudget.halfOfHeap());
        Thread closer;
        CompletableFuture<HttpResponse<String>> load;
        try {
            assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
            hooks.release = new CountDownLatch(1);
            load = postAsync(server, "/v2/repository/models/cifar/load", "");
            assertTrue(hooks.warming.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the load never warmed up");
            closer = Thread.ofPlatform().start(server::close);
            awaitAnswer(() -> post(server, "/v2/repository/index", "{}"), 200, "the server is shutting down");
            assertError(post(server, "/v2/repository/models/cifar/load", ""), 503, "the server is shutting down");
        } finally {
            hooks.release.countDown();
        }
        assertError(load.get(WAIT_SECONDS, TimeUnit.SECONDS), 503, "the server is shutting down");
        closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(closer.isAlive(), "close() did not return");
        assertEquals(2, opened.size());
        for (DgModel model : opened) {
            assertClosed(model, shape, input(shape, 57));
        }
    }

    /**
     * A load of a model served already opens its file again, as Triton's does: once the load is answered the file's
     * new model answers, while a request that had found the model before is run by the old one, which is closed as
     * that request ends.
     */
    @Test
    void aLoadOfAServedModelReadsItsFileAgainAndLeavesTheOldToTheRequestsThatFoundIt() throws Exception {
        Path file = dir.resolve("reloaded.safetensors");
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 58);
        float[] before = saveRandom(file, 11, input, shape);
        HoldRequest hooks = new HoldRequest();
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        try (InferenceServer server = startOwning(file, opened, hooks, HeapBudget.halfOfHeap())) {
            CompletableFuture<HttpResponse<String>> found;
            float[] after;
            try {
                hooks.armed = true;
                found = postAsync(server, inferBody(shape, input));
                assertTrue(hooks.holding.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request never found the model");
                after = saveRandom(file, 12, input, shape);
                assertFalse(Arrays.equals(before, after), "the two models answer alike");
                assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
                assertEquals(2, opened.size(), "the file opened again");
                assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
                assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), after);
                assertFalse(found.isDone(), "the request that found the old model was answered before it queued");
                try (Session session = opened.getFirst().session(device)) {
                    assertClose(before, session.run(input, shape).logitsRowMajor());
                }
            } finally {
                hooks.release.release();
            }
            assertLogits(found.get(WAIT_SECONDS, TimeUnit.SECONDS), before);
            assertClosed(opened.getFirst(), shape, input);
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), after);
        }
        assertClosed(opened.getLast(), shape, input);
    }

    /**
     * A load of a model served already that fails (its file damaged, then gone) is answered 400 naming the file and
     * why, the model served on as loaded before; a good file is loaded again.
     */
    @Test
    void aFailedLoadOfAServedModelNamesTheFileAndLeavesTheModelServing() throws Exception {
        Path file = dir.resolve("damaged.safetensors");
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 59);
        float[] before = saveRandom(file, 13, input, shape);
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        try (InferenceServer server = startOwning(file, opened, WorkerHooks.NONE, HeapBudget.halfOfHeap())) {
            // Replaced by a rename, as a file is replaced under a server that maps it.
            Path part = dir.resolve("damaged.part");
            Files.write(part, Arrays.copyOf(Files.readAllBytes(file), 100));
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<String> damaged = post(server, "/v2/repository/models/cifar/load", "");
            assertError(damaged, 400, "cannot load model 'cifar': " + file + ": ");
            assertError(damaged, 400, "truncated");
            assertError(damaged, 400, "; it is served on as loaded before");
            assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), before);

            Files.delete(file);
            HttpResponse<String> missing = post(server, "/v2/repository/models/cifar/load", "");
            assertError(missing, 400, "cannot load model 'cifar': " + file + ": ");
            assertError(missing, 400, "no such file");
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), before);
            assertEquals(1, opened.size());

            float[] after = saveRandom(file, 14, input, shape);
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), after);
            assertClosed(opened.getFirst(), shape, input);
        }
    }

    /** A load while the model loads again waits for that load, the model served meanwhile: one warm-up for both. */
    @Test
    void aLoadWhileTheModelLoadsAgainWaitsForThatLoadAndTheModelServesMeanwhile() throws Throwable {
        HoldLoad hooks = new HoldLoad();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 60);
        try (InferenceServer server = start(quickLoads(), hooks)) {
            assertTwoLoadsWarmUpOnce(server, hooks, "the start's warm-up, and one for both loads", () -> {
                assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
                assertEquals(200, get(server, "/v2/health/ready").statusCode());
                assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
            });
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
        }
    }

    /**
     * Two loads of the model, the second sent while {@code hooks} hold the first's warm-up: {@code meanwhile} runs
     * during that warm-up, the second load must wait for the first, and both are answered 200 once it ends, after
     * which the hooks have seen two warm-ups in all ({@code warmups} says which).
     */
    private static void assertTwoLoadsWarmUpOnce(InferenceServer server, HoldLoad hooks, String warmups,
                                                 Executable meanwhile) throws Throwable {
        hooks.release = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> first;
        CompletableFuture<HttpResponse<String>> second;
        try {
            first = postAsync(server, "/v2/repository/models/cifar/load", "");
            assertTrue(hooks.warming.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the load never warmed up");
            meanwhile.execute();
            second = postAsync(server, "/v2/repository/models/cifar/load", "");
            assertTrue(hooks.joined.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the second load never came");
            assertFalse(second.isDone(), "a load answered before the load it waits for ended");
            assertFalse(first.isDone(), "a load answered before its warm-up ended");
        } finally {
            hooks.release.countDown();
        }
        assertEquals(200, first.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
        assertEquals(200, second.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
        assertEquals(2, hooks.warmups.availablePermits(), warmups);
    }

    /**
     * A request that found the model just before an unload, and would queue after it, is answered as every request
     * after the unload is (404): the unload does not wait for it and closes the model, and the request holds nothing
     * once answered.
     */
    @Test
    void aRequestThatFoundTheModelBeforeAnUnloadIsAnsweredAsNotLoaded() throws Exception {
        HoldRequest hooks = new HoldRequest();
        HeapBudget heap = HeapBudget.halfOfHeap();
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 61);
        try (InferenceServer server = startOwning(dir.resolve("cifar.safetensors"), opened, hooks, heap)) {
            CompletableFuture<HttpResponse<String>> found;
            try {
                hooks.armed = true;
                found = postAsync(server, inferBody(shape, input));
                assertTrue(hooks.holding.await(WAIT_SECONDS, TimeUnit.SECONDS), "the request never found the model");
                assertEquals(200, post(server, "/v2/repository/models/cifar/unload", "").statusCode());
                assertClosed(opened.getFirst(), shape, input);
            } finally {
                hooks.release.release();
            }
            assertError(found.get(WAIT_SECONDS, TimeUnit.SECONDS), 404,
                    "model 'cifar' is not loaded (unloaded): POST /v2/repository/models/cifar/load loads it");
            assertEquals(0L, heap.held(), "heap still held by the refused request");
            assertEquals(UNLOADED_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
            assertAnswered(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), input, shape);
        }
        assertEquals(2, opened.size());
        assertClosed(opened.getLast(), shape, input);
    }

    /**
     * A load whose handler's thread is interrupted while it waits for the warm-up (here once it has read the file) ends
     * as any load: the file's new model serves and the old one is closed, and the next load reads the file again.
     */
    @Test
    void aLoadWhoseThreadIsInterruptedEndsAsAnyOther() throws Exception {
        Path file = dir.resolve("interrupted.safetensors");
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 62);
        saveRandom(file, 15, input, shape);
        List<DgModel> opened = new CopyOnWriteArrayList<>();
        AtomicBoolean interrupt = new AtomicBoolean();
        try (InferenceServer server = InferenceServer.start(quickLoads(), Map.of(MODEL, () -> {
            DgModel loaded = DgModel.load(file);
            opened.add(loaded);
            if (interrupt.getAndSet(false)) {
                Thread.currentThread().interrupt();
            }
            return loaded;
        }), true, null, device, WorkerHooks.NONE, HeapBudget.halfOfHeap())) {
            assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
            float[] after = saveRandom(file, 16, input, shape);
            interrupt.set(true);
            // Its answer, if any: an interrupted thread's write closes the connection instead.
            postAsync(server, "/v2/repository/models/cifar/load", "").handle((response, e) -> response)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(2, opened.size(), "the file opened again");
            assertEquals(READY_INDEX, post(server, "/v2/repository/index", "{}").body());
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), after);
            assertClosed(opened.getFirst(), shape, input);

            float[] again = saveRandom(file, 17, input, shape);
            assertEquals(200, post(server, "/v2/repository/models/cifar/load", "").statusCode());
            assertEquals(3, opened.size(), "the file opened once more");
            assertLogits(post(server, "/v2/models/cifar/infer", inferBody(shape, input)), again);
            assertClosed(opened.get(1), shape, input);
        }
        assertClosed(opened.getLast(), shape, input);
    }

    /** A thread interrupted while it waits for a load, the model's first or a load again, still sees its interrupt. */
    @Test
    void aLoadKeepsTheInterruptOfTheThreadWaitingForIt() throws Exception {
        ModelSlot slot = new ModelSlot(MODEL, () -> model, false, device, quickLoads(), new ServerMetrics(1),
                WorkerHooks.NONE);
        try {
            for (String load : List.of("first load", "load again")) {
                ApiHandler.Served loading = slot.load();
                Thread.currentThread().interrupt();
                boolean served;
                try {
                    served = slot.awaitLoaded(loading);
                } finally {
                    assertTrue(Thread.interrupted(), "the " + load + " lost the interrupt");
                }
                assertTrue(served, load);
                assertSame(loading, slot.served(), load);
            }
        } finally {
            slot.beginStop();
            slot.awaitStopped();
        }
    }

    // ---- the model repository directory: models loaded when a client asks

    /**
     * A server of a model repository alone lists its model files, loads none until asked, then serves the one loaded
     * as a session of its file answers; a file added later is loaded without a restart, and is reported as any other.
     */
    @Test
    void aModelRepositoryListsItsFilesAndLoadsEachWhenAskedOneAddedLaterToo() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-listed"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 70);
        float[] alpha = saveRandom(repository.resolve("alpha.safetensors"), 21, input, shape);
        saveRandom(repository.resolve("beta.safetensors"), 22, input, shape);
        // Neither is a model file: no such name, and a folder.
        Files.writeString(repository.resolve("notes.txt"), "not a model");
        Files.createDirectory(repository.resolve("folder.safetensors"));
        try (InferenceServer server = startRepository(repository, WorkerHooks.NONE)) {
            assertEquals(index(never("alpha"), never("beta")), post(server, "/v2/repository/index", "{}").body());
            assertEquals("[]", post(server, "/v2/repository/index", "{\"ready\": true}").body());
            assertEquals(200, get(server, "/v2/health/ready").statusCode(), "no model is loaded: none is waited for");
            assertError(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), 404,
                    "model 'alpha' is not loaded (never loaded): POST /v2/repository/models/alpha/load loads it");

            assertEquals(0, server.warmupRequests());
            assertEquals(200, post(server, "/v2/repository/models/alpha/load", "").statusCode());
            assertEquals(2, server.warmupRequests(), "the first model loaded warms the request path up");
            assertEquals(index(ready("alpha"), never("beta")), post(server, "/v2/repository/index", "{}").body());
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), alpha);

            // No index request in between: the load lists the directory again.
            float[] gamma = saveRandom(repository.resolve("gamma.safetensors"), 23, input, shape);
            assertFalse(Arrays.equals(alpha, gamma), "the two models answer alike");
            assertEquals(200, post(server, "/v2/repository/models/gamma/load", "").statusCode());
            assertLogits(post(server, "/v2/models/gamma/infer", inferBody(shape, input)), gamma);
            assertEquals(2, server.warmupRequests(), "the request path is warm already");
            assertEquals(index(ready("alpha"), never("beta"), ready("gamma")),
                    post(server, "/v2/repository/index", "{}").body());
            assertEquals(200, get(server, "/v2/health/ready").statusCode());
            String scrape = get(server, "/metrics").body();
            assertEquals(0, metric(scrape, "dgnet_server_queue_depth{model=\"gamma\"}"));
            assertEquals(1, metric(scrape, "dgnet_server_requests_total{endpoint=\"infer\",model=\"gamma\","
                    + "status=\"200\"}"));
        }
    }

    /**
     * A load names a model of the directory's listing, never a file: names that would be paths, files in a folder
     * below, and a link out of the directory load nothing; a link to a file inside is a model. A model loaded through
     * a link its owner then turns to a file outside is not opened again.
     */
    @Test
    void aLoadNamesAModelOfTheListingNeverAPath() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-paths"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 71);
        float[] alpha = saveRandom(repository.resolve("alpha.safetensors"), 24, input, shape);
        saveRandom(Files.createDirectory(repository.resolve("folder")).resolve("inner.safetensors"), 25, input, shape);
        Path outside = dir.resolve("cifar.safetensors");
        Files.createSymbolicLink(repository.resolve("escape.safetensors"), outside);
        Path alias = Files.createSymbolicLink(repository.resolve("alias.safetensors"), Path.of("alpha.safetensors"));
        try (InferenceServer server = startRepository(repository, WorkerHooks.NONE)) {
            assertEquals(index(never("alias"), never("alpha")), post(server, "/v2/repository/index", "{}").body());
            for (String name : List.of("..", "%2E%2E", "..%2Fcifar", "%2Fetc%2Fpasswd", "folder%2Finner", "folder",
                    "inner", "escape", "cifar", "alpha.safetensors", "")) {
                HttpResponse<String> load = post(server, "/v2/repository/models/" + name + "/load", "");
                assertError(load, 400, "unknown model '");
                assertFalse(load.body().contains("\\n"), load.body());
            }
            assertError(post(server, "/v2/repository/models/../load", ""), 400,
                    "unknown model '..': a model name is letters, digits");
            assertError(post(server, "/v2/repository/models/escape/load", ""), 400, "unknown model 'escape': the "
                    + "model repository has no file escape.safetensors, nor was the server started with it");
            assertError(post(server, "/v2/repository/models/folder/inner/load", ""), 404, "no endpoint at");
            assertEquals(index(never("alias"), never("alpha")), post(server, "/v2/repository/index", "{}").body());

            assertEquals(200, post(server, "/v2/repository/models/alias/load", "").statusCode());
            assertLogits(post(server, "/v2/models/alias/infer", inferBody(shape, input)), alpha);
            Files.delete(alias);
            Files.createSymbolicLink(alias, outside);
            HttpResponse<String> escaped = post(server, "/v2/repository/models/alias/load", "");
            assertError(escaped, 400, "cannot load model 'alias': " + alias + ": a link to " + outside.toRealPath()
                    + ", outside the model repository: not loaded; it is served on as loaded before");
            assertLogits(post(server, "/v2/models/alias/infer", inferBody(shape, input)), alpha);
        }
    }

    /**
     * A damaged file is refused 400 with the loader's message and the server serves on; a model of the repository
     * loaded again is read anew from its file, the model loaded before serving until the new one is warm.
     */
    @Test
    void aDamagedFileIsRefusedAndARepositoryModelIsLoadedAgainAsAnyOther() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-damaged"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 72);
        Path file = repository.resolve("alpha.safetensors");
        float[] before = saveRandom(file, 26, input, shape);
        Path broken = Files.write(repository.resolve("broken.safetensors"), Arrays.copyOf(Files.readAllBytes(file),
                100));
        HoldLoad hooks = new HoldLoad();
        try (InferenceServer server = startRepository(repository, hooks)) {
            HttpResponse<String> damaged = post(server, "/v2/repository/models/broken/load", "");
            assertError(damaged, 400, "cannot load model 'broken': " + broken.toRealPath() + ": ");
            assertError(damaged, 400, "truncated");
            assertFalse(damaged.body().contains("\\n"), damaged.body());
            String index = post(server, "/v2/repository/index", "{}").body();
            assertTrue(index.startsWith("[" + never("alpha") + ",{\"name\":\"broken\",\"version\":\"1\",\"state\":"
                    + "\"UNAVAILABLE\",\"reason\":\"its load failed: " + broken.toRealPath() + ": "), index);
            assertEquals(200, get(server, "/v2/health/live").statusCode());

            assertEquals(200, post(server, "/v2/repository/models/alpha/load", "").statusCode());
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), before);
            float[] after = saveRandom(file, 27, input, shape);
            assertFalse(Arrays.equals(before, after), "the two models answer alike");
            hooks.release = new CountDownLatch(1);
            CompletableFuture<HttpResponse<String>> reload;
            try {
                reload = postAsync(server, "/v2/repository/models/alpha/load", "");
                assertTrue(hooks.warming.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the load never warmed up");
                assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), before);
                assertFalse(reload.isDone(), "the load was answered before its warm-up ended");
            } finally {
                hooks.release.countDown();
            }
            assertEquals(200, reload.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), after);
        }
    }

    /**
     * A model whose file is removed serves on from the file it has mapped, and stays in the index, until it is
     * unloaded; then it leaves the index and the metrics' queue depths, and its name is unknown. One unloaded before
     * its file is removed, and one never loaded, leave with their files.
     */
    @Test
    void aModelWhoseFileIsRemovedServesOnUntilUnloadedThenLeaves() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-removed"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 73);
        Path file = repository.resolve("alpha.safetensors");
        float[] alpha = saveRandom(file, 28, input, shape);
        saveRandom(repository.resolve("beta.safetensors"), 29, input, shape);
        saveRandom(repository.resolve("gamma.safetensors"), 30, input, shape);
        try (InferenceServer server = startRepository(repository, WorkerHooks.NONE)) {
            assertEquals(200, post(server, "/v2/repository/models/alpha/load", "").statusCode());
            assertEquals(200, post(server, "/v2/repository/models/beta/load", "").statusCode());
            assertEquals(200, post(server, "/v2/repository/models/beta/unload", "").statusCode());
            assertEquals(index(ready("alpha"), "{\"name\":\"beta\",\"version\":\"1\",\"state\":\"UNAVAILABLE\","
                    + "\"reason\":\"unloaded\"}", never("gamma")), post(server, "/v2/repository/index", "{}").body());
            for (String name : List.of("alpha", "beta", "gamma")) {
                Files.delete(repository.resolve(name + ".safetensors"));
            }
            assertEquals(index(ready("alpha")), post(server, "/v2/repository/index", "{}").body());
            assertFalse(get(server, "/metrics").body().contains("dgnet_server_queue_depth{model=\"beta\"}"));
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), alpha);
            HttpResponse<String> gone = post(server, "/v2/repository/models/alpha/load", "");
            assertError(gone, 400, "cannot load model 'alpha': " + file + ": no such file; it is served on as loaded "
                    + "before");
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), alpha);

            assertEquals(200, post(server, "/v2/repository/models/alpha/unload", "").statusCode());
            assertEquals("[]", post(server, "/v2/repository/index", "{}").body());
            assertError(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), 404,
                    "unknown model 'alpha'");
            assertError(post(server, "/v2/repository/models/alpha/load", ""), 400, "unknown model 'alpha': the model "
                    + "repository has no file alpha.safetensors");
            assertFalse(get(server, "/metrics").body().contains("dgnet_server_queue_depth{model=\"alpha\"}"));
        }
    }

    /**
     * A model repository whose directory is gone (moved, or its volume unmounted) can no longer be listed, so an index
     * or a load is a 500; the models loaded from it still serve, and an unload, which needs no listing, frees them.
     * The unload listed the directory first and failed with the index's 500, leaving the model loaded.
     */
    @Test
    void aModelOfARepositoryThatIsGoneIsStillUnloaded() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-gone"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 74);
        float[] alpha = saveRandom(repository.resolve("alpha.safetensors"), 31, input, shape);
        try (InferenceServer server = startRepository(repository, WorkerHooks.NONE)) {
            assertEquals(200, post(server, "/v2/repository/models/alpha/load", "").statusCode());
            Files.move(repository, dir.resolve("repository-moved"));
            assertError(post(server, "/v2/repository/index", "{}"), 500, "cannot list the model repository "
                    + repository + ": no such directory");
            assertLogits(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), alpha);

            assertEquals(200, post(server, "/v2/repository/models/alpha/unload", "").statusCode());
            assertError(post(server, "/v2/models/alpha/infer", inferBody(shape, input)), 404,
                    "model 'alpha' is not loaded (unloaded)");
        }
    }

    /**
     * A model the server was started with comes from its own file, not from the model repository: a load of it again
     * needs no listing, and was refused with the index's 500 while the repository's directory was gone.
     */
    @Test
    void aModelStartedWithLoadsAgainWhileTheRepositoryIsGone() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository-gone-beside"));
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = input(shape, 75);
        Path file = dir.resolve("started-beside.safetensors");
        float[] started = saveRandom(file, 32, input, shape);
        try (InferenceServer server = InferenceServer.start(quickLoads(), Map.of("started", () -> DgModel.load(file)),
                true, repository, device, WorkerHooks.NONE, HeapBudget.halfOfHeap())) {
            assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
            Files.delete(repository);

            assertEquals(200, post(server, "/v2/repository/models/started/load", "").statusCode());
            assertLogits(post(server, "/v2/models/started/infer", inferBody(shape, input)), started);
            assertError(post(server, "/v2/repository/models/other/load", ""), 500, "cannot list the model "
                    + "repository " + repository + ": no such directory");
        }
    }

    /** A server of the model repository {@code repository} alone, with no model loaded; once ready. */
    private static InferenceServer startRepository(Path repository, WorkerHooks hooks) throws Exception {
        InferenceServer server = InferenceServer.start(quickLoads(), Map.of(), false, repository, device, hooks,
                HeapBudget.halfOfHeap());
        assertTrue(server.awaitReady(Duration.ofSeconds(WAIT_SECONDS)), "the server was not ready in time");
        return server;
    }

    /** The repository index of {@code entries}. */
    private static String index(String... entries) {
        return "[" + String.join(",", entries) + "]";
    }

    private static String ready(String model) {
        return "{\"name\":\"" + model + "\",\"version\":\"1\",\"state\":\"READY\"}";
    }

    private static String never(String model) {
        return "{\"name\":\"" + model + "\",\"version\":\"1\",\"state\":\"UNAVAILABLE\",\"reason\":\"never loaded\"}";
    }

    /** Saves a random model of the served configuration to {@code file}; returns its logits on {@code input}. */
    private static float[] saveRandom(Path file, long seed, float[] input, Shape shape) {
        try (DgModel random = DgModel.random(CONFIG, seed); Session session = random.session(device)) {
            random.save(file);
            return session.run(input, shape).logitsRowMajor();
        }
    }

    /** One batch size, one warm-up run and no JIT warm-up: a load warms up in a run or two. */
    private static ServerConfig quickLoads() {
        return config().withBatching(1, Duration.ZERO).withWarmupRuns(1).withJitWarmup(Duration.ZERO);
    }

    /**
     * Counts the model's warm-ups ({@code warmups}, one permit each) and holds each before its first batch size while
     * {@code release} is closed ({@code warming}, a permit once it is held); counts queued requests, and loads that
     * found another in progress ({@code joined}).
     */
    private static final class HoldLoad implements WorkerHooks {
        volatile CountDownLatch release = new CountDownLatch(0);
        final Semaphore warmups = new Semaphore(0);
        final Semaphore warming = new Semaphore(0);
        final Semaphore queued = new Semaphore(0);
        final Semaphore joined = new Semaphore(0);

        @Override
        public void queued(String model, int depth) {
            queued.release();
        }

        @Override
        public void joinedLoad(String model) {
            joined.release();
        }

        @Override
        public void beforeWarmup(String model, int batch) throws InterruptedException {
            warmups.release();
            CountDownLatch gate = release;
            if (gate.getCount() > 0) {
                warming.release();
                gate.await();
            }
        }
    }

    /**
     * Once {@code armed}, holds the next request that finds its model there ({@code holding} opens) until
     * {@code release} has a permit.
     */
    private static final class HoldRequest implements WorkerHooks {
        volatile boolean armed;
        final CountDownLatch holding = new CountDownLatch(1);
        final Semaphore release = new Semaphore(0);

        @Override
        public void held(String model) {
            if (armed) {
                armed = false;
                holding.countDown();
                release.acquireUninterruptibly();
            }
        }
    }

    /**
     * Holds the worker inside its first run until {@code release} opens, and counts the requests queued behind it,
     * so that a test fills the queue with latches instead of sleeps.
     */
    private static final class HoldFirstRun implements WorkerHooks {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch queued;
        private final AtomicInteger runs = new AtomicInteger();

        HoldFirstRun(int queuedBehind) {
            this.queued = new CountDownLatch(queuedBehind);
        }

        @Override
        public void queued(String model, int depth) {
            if (runs.get() > 0) {
                queued.countDown();
            }
        }

        @Override
        public void beforeRun(String model, int instances) throws InterruptedException {
            if (runs.getAndIncrement() == 0) {
                running.countDown();
                release.await();
            }
        }
    }

    /**
     * Records the batch sizes the worker warms up at; holds it before the first until {@code release} opens (and
     * counts the requests queued meanwhile), and fails the warm-up at size {@code failAt} (-1: none).
     */
    private static final class HoldWarmup implements WorkerHooks {
        final CountDownLatch warming = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch queued = new CountDownLatch(1);
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        private final int failAt;
        private final RuntimeException fault;

        HoldWarmup(int failAt) {
            this(failAt, new IllegalStateException("injected warm-up fault"));
        }

        HoldWarmup(int failAt, RuntimeException fault) {
            this.failAt = failAt;
            this.fault = fault;
        }

        @Override
        public void queued(String model, int depth) {
            queued.countDown();
        }

        @Override
        public void beforeWarmup(String model, int batch) throws InterruptedException {
            sizes.add(batch);
            warming.countDown();
            release.await();
            if (batch == failAt) {
                throw fault;
            }
        }
    }

    private static float[] input(Shape shape, long seed) {
        return DeterministicWeights.generate("input", shape.dims(), seed);
    }

    private static String inferBody(Shape shape, float[] values) {
        return "{\"inputs\": [" + tensor(shape, flat(values)) + "]}";
    }

    private static String tensor(Shape shape, String data) {
        return tensor(Arrays.toString(shape.dims()), data);
    }

    private static String tensor(String shape, String data) {
        return "{\"name\": \"input\", \"shape\": " + shape + ", \"datatype\": \"FP32\", \"data\": " + data + "}";
    }

    /** The input described in JSON, its {@code bytes} of values after the JSON (the binary tensor data extension). */
    private static String binaryTensor(Shape shape, long bytes) {
        return "{\"name\": \"input\", \"shape\": " + Arrays.toString(shape.dims()) + ", \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": " + bytes + "}}";
    }

    private static long utf8Length(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static float[] fromLittleEndian(byte[] bytes, int offset, int count) {
        assertEquals(offset + count * Float.BYTES, bytes.length, "the body's bytes after its JSON");
        float[] values = new float[count];
        ByteBuffer.wrap(bytes, offset, count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** A POST to the infer endpoint of {@code json} and then {@code data}, the JSON's length in the header given. */
    private static HttpRequest.Builder binaryRequest(InferenceServer server, String json, byte[] data,
                                                     long jsonLength) {
        return binaryRequest(server, json, data, Long.toString(jsonLength));
    }

    private static HttpRequest.Builder binaryRequest(InferenceServer server, String json, byte[] data,
                                                     String headerLength) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(head, head.length + data.length);
        System.arraycopy(data, 0, body, head.length, data.length);
        return request(server, "/v2/models/cifar/infer").header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", headerLength)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static HttpResponse<String> sendBinary(InferenceServer server, String json, byte[] data,
                                                   String headerLength) throws Exception {
        return client.send(binaryRequest(server, json, data, headerLength).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String flat(float[] values) {
        return IntStream.range(0, values.length).mapToObj(i -> Float.toString(values[i]))
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** The values as nested arrays, one level per dimension. */
    private static String nested(float[] values, Shape shape) {
        return nested(values, shape.dims(), 0, 0);
    }

    private static String nested(float[] values, int[] dims, int axis, int offset) {
        if (axis == dims.length) {
            return Float.toString(values[offset]);
        }
        int stride = 1;
        for (int a = axis + 1; a < dims.length; a++) {
            stride *= dims[a];
        }
        int step = stride;
        return IntStream.range(0, dims[axis]).mapToObj(i -> nested(values, dims, axis + 1, offset + i * step))
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    /** Relative error {@code ||actual - expected|| / ||expected|| <= 1e-5}. */
    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (actual[i] - expected[i]) * (double) (actual[i] - expected[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm), "relative error " + Math.sqrt(diff / norm));
    }

    /** A 200 whose logits are the reference session's on {@code input}. */
    private static void assertAnswered(HttpResponse<String> response, float[] input, Shape shape) throws IOException {
        assertLogits(response, reference.run(input, shape).logitsRowMajor());
    }

    /** A 200 whose logits are {@code expected}. */
    private static void assertLogits(HttpResponse<String> response, float[] expected) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        assertClose(expected, floats(JSON.readTree(response.body()).get("outputs").get(0).get("data")));
    }

    private static void assertError(HttpResponse<String> response, int status, String message) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(1, body.size(), response.body());
        assertTrue(body.get("error").asText().contains(message), response.body());
    }

    /** The value of the sample named exactly {@code sample} in a Prometheus scrape. */
    private static double metric(String scrape, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        assertTrue(m.find(), "no sample " + sample + " in\n" + scrape);
        return Double.parseDouble(m.group(1));
    }

    /**
     * The protocol's health answer for false: a 4xx (400, as Triton answers) with an empty body, as health answers
     * have; no {@code Retry-After}, which belongs to 503.
     */
    private static void assertNotReady(HttpResponse<String> response, String what) {
        assertEquals(400, response.statusCode(), what);
        assertEquals("", response.body(), what);
        assertTrue(response.headers().firstValue("Retry-After").isEmpty(), what);
    }

    /**
     * Sends {@code request} until it is answered {@code status} with a body containing {@code text}: closing is
     * observable only from outside.
     */
    private static void awaitAnswer(Callable<HttpResponse<String>> request, int status, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        HttpResponse<String> response;
        while ((response = request.call()).statusCode() != status || !response.body().contains(text)) {
            assertTrue(System.nanoTime() < deadline, response.request().uri() + " never answered " + status
                    + " with '" + text + "'");
            Thread.sleep(10);
        }
    }

    /** A smooth colour gradient with a disc, encoded by the JDK: an image every decoder reads the same way. */
    static byte[] image(String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean disc = Math.hypot(x - width / 2.0, y - height / 3.0) < height / 4.0;
                image.setRGB(x, y, disc ? 0xF0E010 : (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), format);
        return out.toByteArray();
    }

    private static HttpResponse<String> upload(InferenceServer server, String path, String type, byte[] bytes)
            throws Exception {
        return client.send(request(server, path).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder request(InferenceServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(WAIT_SECONDS));
    }

    private static HttpResponse<String> get(InferenceServer server, String path) throws Exception {
        return client.send(request(server, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(InferenceServer server, String path, String body) throws Exception {
        return client.send(request(server, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(InferenceServer server, String body) {
        return postAsync(server, "/v2/models/cifar/infer", body);
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(InferenceServer server, String path,
                                                                     String body) {
        return client.sendAsync(request(server, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
