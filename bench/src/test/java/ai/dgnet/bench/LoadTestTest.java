package ai.dgnet.bench;

import ai.dgnet.cli.BrokenPipe;
import ai.dgnet.cli.OneLineErrors;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.server.InferenceServer;
import ai.dgnet.server.ServerConfig;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load test runs briefly against a real server, and its answer check catches wrong answers. The runs through a
 * proxy that spoils some answers share one server, started once: the one the load test starts with their options
 * (ResNet-20 at 32x32, the default batching, one thread).
 */
class LoadTestTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The configuration the load test gives its server by default, as the shared server's. */
    private static final ServerConfig SHARED_CONFIG = ServerConfig.defaults().withPort(0)
            .withBatching(8, Duration.ofMillis(5)).withQueueCapacity(64);
    private static CpuDevice sharedDevice;
    private static DgModel sharedModel;
    private static InferenceServer shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTheSharedServer() throws IOException, InterruptedException {
        sharedDevice = CpuDevice.create(1);
        sharedModel = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC), 3);
        shared = InferenceServer.start(SHARED_CONFIG, Map.of("resnet20", sharedModel), sharedDevice);
        assertTrue(shared.awaitReady());
    }

    @AfterAll
    static void stopTheSharedServer() {
        shared.close();
        sharedModel.close();
        sharedDevice.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aShortRunAnswersEveryRequestCorrectly(boolean binary) throws IOException {
        Path report = dir.resolve("load.md");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new LoadTest()).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(new StringWriter()));
        List<String> args = new ArrayList<>(List.of("--arch", "resnet20", "--size", "32", "--concurrency", "1,4",
                "--requests", "12", "--warmup", "1", "--max-delay-ms", "20", "--threads", "1", "--out",
                report.toString()));
        if (binary) {
            args.add("--binary");
        }
        int status = cmd.execute(args.toArray(String[]::new));
        assertEquals(0, status, out.toString());
        String text = Files.readString(report);
        assertEquals(out.toString(), text);
        List<String> rows = text.lines().filter(l -> l.matches("\\|\\s+\\d+ .*")).toList();
        assertEquals(2, rows.size(), text);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals("12", cells[2].strip(), row);
            assertEquals(cells[3].strip(), cells[4].strip(), "every answer correct: " + row);
            assertEquals("0", cells[6].strip(), "no failed request: " + row);
        }
        assertTrue(text.contains("Every accepted request was answered, and correctly"), text);
        assertTrue(text.contains(binary ? "; binary (tensor data after the JSON) requests" : "; JSON requests"), text);
    }

    /**
     * {@code --out -} wrote the report to a file named '-' in the working folder; it is standard output, as Unix tools
     * take it, where the report is printed anyway, and then alone: no file, and no line saying one was written.
     */
    @Test
    void outDashPrintsTheReportOnStandardOutputAlone() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        LoadTest test = new LoadTest((config, models, device) -> new LoadTest.ReadyServer(shared.uri(), () -> { }));
        int status = LoadTest.commandLine(test).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--arch", "resnet20", "--size", "32", "--concurrency", "1", "--requests", "4", "--warmup",
                        "1", "--threads", "1", "--out", "-");
        assertEquals(0, status, out + "\n" + err);
        assertTrue(out.toString().contains("Every accepted request was answered, and correctly"), out.toString());
        assertFalse(err.toString().contains("report written"), err.toString());
        assertFalse(Files.exists(Path.of("-")), "no file named '-'");
    }

    /**
     * With {@code --out -} standard output holds the only copy of the report: one that cannot be written there (its
     * reader gone, or its disk full) is a one-line error and a failed run, not an exit status 0.
     */
    @Test
    void aReportThatCannotBeWrittenToStandardOutputIsAnError() {
        StringWriter err = new StringWriter();
        LoadTest test = new LoadTest((config, models, device) -> new LoadTest.ReadyServer(shared.uri(), () -> { }));
        PrintStream before = System.out;
        int status;
        System.setOut(BrokenPipe.stream());
        try {
            status = LoadTest.commandLine(test).setErr(new PrintWriter(err)).execute("--arch", "resnet20", "--size",
                    "32", "--concurrency", "1", "--requests", "4", "--warmup", "1", "--threads", "1", "--out", "-");
        } finally {
            System.setOut(before);
        }
        assertEquals(OneLineErrors.BAD_INPUT, status, err.toString());
        assertEquals("load-test: i/o error: cannot write to standard output (its reader gone, or its disk full?)",
                err.toString().strip().lines().toList().getLast(), err.toString());
    }

    /**
     * A level's warm-up requests are checked as its timed ones are: one wrong answer among them (an error status,
     * another top-1 than the model's, the logits without their batch axis) fails the run, and the report says it was
     * during the warm-up, while every timed request is answered correctly.
     */
    @ParameterizedTest
    @ValueSource(strings = {"status", "top-1", "shape"})
    void aWrongAnswerDuringTheWarmUpFailsTheRun(String spoil) throws IOException {
        StringWriter out = new StringWriter();
        assertEquals(1, throughProxy("/infer", 0, 1, spoiler(spoil), out), out.toString());
        String text = Files.readString(dir.resolve("load.md"));
        List<String> rows = text.lines().filter(l -> l.matches("\\|\\s+\\d+ .*")).toList();
        assertEquals(1, rows.size(), text);
        String[] cells = rows.getFirst().split("\\|");
        assertEquals("4", cells[3].strip(), "every timed request answered: " + text);
        assertEquals("4", cells[4].strip(), "every timed answer correct: " + text);
        assertTrue(text.contains("- 1 clients, warm-up: 1 sent, " + (spoil.equals("status") ? "0" : "1")
                + " answered, 0 correct, 0 503, " + (spoil.equals("status") ? "1" : "0") + " failed"), text);
        assertFalse(text.contains("Every accepted request was answered, and correctly"), text);
    }

    /**
     * An answer that cannot be read (here an {@code Inference-Header-Content-Length} that is not a number) is a wrong
     * one, told in the report, and its client carries on with the requests left.
     */
    @Test
    void anUnreadableAnswerIsAWrongOne() throws IOException {
        StringWriter out = new StringWriter();
        int status = throughProxy("/infer", 1, 2, answer -> {
            Map<String, String> headers = new HashMap<>(answer.headers());
            headers.put("Inference-Header-Content-Length", "x");
            return new SpoilingProxy.Answer(answer.status(), headers, answer.body());
        }, out);
        assertEquals(1, status, out.toString());
        String text = Files.readString(dir.resolve("load.md"));
        String[] cells = text.lines().filter(l -> l.matches("\\|\\s+\\d+ .*")).findFirst().orElseThrow().split("\\|");
        assertEquals("4", cells[2].strip(), "every request sent: " + text);
        assertEquals("4", cells[3].strip(), "every request answered: " + text);
        assertEquals("3", cells[4].strip(), "all but the spoiled one correct: " + text);
        assertTrue(text.contains("- 1 clients: 1 x unreadable answer: java.lang.NumberFormatException"), text);
    }

    /**
     * A level whose every request was rejected checked nothing: the run fails, though 503s alone are not failures.
     */
    @Test
    void aLevelWithNoAnswerFailsTheRun() throws IOException {
        StringWriter out = new StringWriter();
        int status = throughProxy("/infer", 1, 5, answer -> new SpoilingProxy.Answer(503, Map.of("Retry-After", "1"),
                new byte[0]), out);
        assertEquals(1, status, out.toString());
        String text = Files.readString(dir.resolve("load.md"));
        assertTrue(text.contains("- 1 clients: no request was answered, so none was checked"), text);
        assertFalse(text.contains("Every accepted request was answered, and correctly"), text);
    }

    /**
     * The mean batch comes from the server's metrics: where they cannot be read, the run fails, naming them, rather
     * than report a mean batch of 0.
     */
    @Test
    void unreadableMetricsFailTheRun() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = throughProxy("/metrics", 1, 2, answer -> new SpoilingProxy.Answer(500, Map.of(),
                "broken".getBytes(StandardCharsets.UTF_8)), out, err);
        assertEquals(1, status, out + "\n" + err);
        assertTrue(err.toString().lines().toList().getLast().startsWith("load-test: the server's /metrics"),
                err.toString());
    }

    /**
     * Where the server's metrics have no batch-size summary, the mean batch is not known: the table says n/a, and a
     * line says why, rather than show a mean of 0; the run itself passes.
     */
    @Test
    void aMissingBatchMetricIsNotAMeanOfZero() throws IOException {
        StringWriter out = new StringWriter();
        int status = throughProxy("/metrics", 0, Integer.MAX_VALUE, answer -> new SpoilingProxy.Answer(
                answer.status(), answer.headers(), new String(answer.body(), StandardCharsets.UTF_8).lines()
                        .filter(line -> !line.contains("dgnet_server_batch_size"))
                        .collect(Collectors.joining("\n", "", "\n")).getBytes(StandardCharsets.UTF_8)), out);
        assertEquals(0, status, out.toString());
        String text = Files.readString(dir.resolve("load.md"));
        String[] cells = text.lines().filter(l -> l.matches("\\|\\s+\\d+ .*")).findFirst().orElseThrow()
                .split("\\|");
        assertEquals("n/a", cells[10].strip(), text);
        assertTrue(text.contains("- 1 clients: mean batch n/a: the server's /metrics has no dgnet_server_batch_size "
                + "summary"), text);
    }

    /** The mean batch of a level is known only where the server's summary was read before and after it and grew. */
    @Test
    void theMeanBatchIsKnownOnlyOverBatchesRun() {
        LoadTest.MeanBatch mean = LoadTest.MeanBatch.between(new double[] {10, 4}, new double[] {22, 7});
        assertEquals(4.0, mean.value());
        assertEquals("4.00", mean.cell());
        LoadTest.MeanBatch none = LoadTest.MeanBatch.between(new double[] {10, 4}, new double[] {10, 4});
        assertEquals("n/a", none.cell());
        assertEquals("the server ran no batch during the level", none.unknown());
        assertEquals("n/a", LoadTest.MeanBatch.between(null, new double[] {10, 4}).cell());
        assertEquals("n/a", LoadTest.MeanBatch.between(new double[] {10, 4}, null).cell());
    }

    /**
     * A server that cannot be reached is neither a failed check (1) nor a bad option (2): the run ends with exit
     * status 3, told in one line naming what could not be reached, and writes no report.
     */
    @Test
    void anUnreachableServerHasItsOwnExitStatus() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port + "/");
        StringWriter err = new StringWriter();
        int status = against(closed, new StringWriter(), err, "--warmup", "1");
        assertEquals(3, status, err.toString());
        assertEquals("load-test: cannot reach the server at " + closed.resolve("/metrics")
                + ": java.net.ConnectException", err.toString().lines().toList().getLast(), err.toString());
        assertFalse(Files.exists(dir.resolve("load.md")));
    }

    /**
     * A server that takes connections and never answers does not hang the run: its /metrics unanswered within
     * {@code --request-timeout-s} is an unreachable server (exit status 3, one line), and no report is written.
     */
    @Test
    void aServerThatNeverAnswersIsUnreachable() throws IOException {
        try (SilentServer silent = new SilentServer(false)) {
            StringWriter err = new StringWriter();
            int status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> against(silent.uri(),
                    new StringWriter(), err, "--warmup", "0", "--request-timeout-s", "1"));
            assertEquals(3, status, err.toString());
            assertEquals("load-test: the server at " + silent.uri().resolve("/metrics") + " did not answer within 1 s",
                    err.toString().lines().toList().getLast(), err.toString());
            assertFalse(Files.exists(dir.resolve("load.md")));
        }
    }

    /**
     * An inference request unanswered within {@code --request-timeout-s} is a failed one, in the warm-up as in the
     * level, told in the report; the run goes on to the next request and fails (exit status 1).
     */
    @Test
    void anInferenceRequestNeverAnsweredFailsInTime() throws IOException {
        try (SilentServer silent = new SilentServer(true)) {
            assertBothRequestsAndTheWarmUpFailInTime(silent.uri());
        }
    }

    /**
     * {@code --request-timeout-s} bounds the whole answer, not only the wait for its headers: an inference answer
     * that stalls in its body is a failed request, as one never answered.
     */
    @Test
    void anInferenceAnswerStalledInItsBodyFailsInTime() throws IOException {
        try (BodyStallingServer stalling = new BodyStallingServer("/infer")) {
            assertBothRequestsAndTheWarmUpFailInTime(stalling.uri());
        }
    }

    /** One warm-up and two requests with a timeout of 1 s against {@code uri}, which answers none of them in time. */
    private void assertBothRequestsAndTheWarmUpFailInTime(URI uri) throws IOException {
        StringWriter out = new StringWriter();
        int status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> against(uri, out, new StringWriter(),
                "--warmup", "1", "--requests", "2", "--request-timeout-s", "1"));
        assertEquals(1, status, out.toString());
        String text = Files.readString(dir.resolve("load.md"));
        String[] cells = text.lines().filter(l -> l.matches("\\|\\s+\\d+ .*")).findFirst().orElseThrow()
                .split("\\|");
        assertEquals("2", cells[2].strip(), "every request sent: " + text);
        assertEquals("0", cells[3].strip(), "none answered: " + text);
        assertEquals("2", cells[6].strip(), "both failed: " + text);
        assertTrue(text.contains("- 1 clients: 2 x no whole answer within 1 s (--request-timeout-s)"), text);
        assertTrue(text.contains("- 1 clients, warm-up: 1 sent, 0 answered, 0 correct, 0 503, 1 failed"), text);
    }

    /** A /metrics answer that stalls in its body is one not answered: exit status 3, in one line, and no report. */
    @Test
    void aMetricsAnswerStalledInItsBodyIsUnreachable() throws IOException {
        try (BodyStallingServer stalling = new BodyStallingServer("/metrics")) {
            StringWriter err = new StringWriter();
            int status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> against(stalling.uri(),
                    new StringWriter(), err, "--warmup", "0", "--request-timeout-s", "1"));
            assertEquals(3, status, err.toString());
            assertEquals("load-test: the server at " + stalling.uri().resolve("/metrics")
                    + " did not answer within 1 s", err.toString().lines().toList().getLast(), err.toString());
            assertFalse(Files.exists(dir.resolve("load.md")));
        }
    }

    /**
     * Runs the load test, one client, against the server at {@code uri} (ResNet-20 at 32x32) with {@code options}
     * added; returns the exit status.
     */
    private int against(URI uri, StringWriter out, StringWriter err, String... options) {
        List<String> args = new ArrayList<>(List.of("--arch", "resnet20", "--size", "32", "--concurrency", "1",
                "--threads", "1", "--out", dir.resolve("load.md").toString()));
        args.addAll(List.of(options));
        return LoadTest.commandLine(new LoadTest((config, models, device) -> new LoadTest.ReadyServer(uri, () -> { })))
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
    }

    /**
     * A server on loopback that takes every connection and answers nothing on it, or, where told, answers
     * {@code GET /metrics} (with no metrics) and nothing else: a hung server.
     */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        SilentServer(boolean answerMetrics) throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket connection = socket.accept();
                        held.add(connection);
                        if (answerMetrics) {
                            Thread.ofVirtual().start(() -> answerMetrics(connection));
                        }
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            });
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        /** Answers the connection's requests while they are {@code GET /metrics}; from any other on, nothing. */
        private static void answerMetrics(Socket connection) {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null && line.startsWith("GET /metrics ")) {
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // The headers: a GET has no body after them.
                    }
                    connection.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
            } catch (IOException closed) {
                // The client gave up, or the test is over.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : held) {
                connection.close();
            }
        }
    }

    /**
     * A server on loopback that answers requests to paths ending with {@code stalled} with a 200, its headers and
     * the first bytes of its body, and then nothing until it is closed; any other request with a 200 and no body.
     */
    private static final class BodyStallingServer implements AutoCloseable {
        private final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        /** A handler thread of its own for each exchange: a stalled one must not hold up the next request. */
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private final CountDownLatch closed = new CountDownLatch(1);

        BodyStallingServer(String stalled) throws IOException {
            server.setExecutor(handlers);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    if (!exchange.getRequestURI().getPath().endsWith(stalled)) {
                        exchange.sendResponseHeaders(200, -1);
                        return;
                    }
                    exchange.sendResponseHeaders(200, 1000);
                    exchange.getResponseBody().write("{\"id\":".getBytes(StandardCharsets.UTF_8));
                    exchange.getResponseBody().flush();
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        @Override
        public void close() {
            closed.countDown();
            server.stop(0);
            handlers.close();
        }
    }

    private int throughProxy(String path, int from, int to, UnaryOperator<SpoilingProxy.Answer> spoil,
                             StringWriter out) {
        return throughProxy(path, from, to, spoil, out, new StringWriter());
    }

    /**
     * Runs the load test, one client, one warm-up request and 4 timed ones, through a proxy in front of the shared
     * server that spoils answers {@code from} to {@code to - 1} to requests to {@code path} (the warm-up's is
     * inference answer 0); returns the exit status. The load test asks for the server it would start: the shared one.
     */
    private int throughProxy(String path, int from, int to, UnaryOperator<SpoilingProxy.Answer> spoil,
                             StringWriter out, StringWriter err) {
        List<SpoilingProxy> proxies = new ArrayList<>();
        LoadTest test = new LoadTest((config, models, device) -> {
            assertEquals(SHARED_CONFIG, config);
            assertEquals(Set.of("resnet20"), models.keySet());
            proxies.add(new SpoilingProxy(shared.uri(), path, from, to, spoil));
            return new LoadTest.ReadyServer(proxies.getLast().uri(), proxies.getLast()::close);
        });
        try {
            return LoadTest.commandLine(test).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute("--arch", "resnet20", "--size", "32", "--concurrency", "1", "--requests", "4",
                            "--warmup", "1", "--threads", "1", "--out", dir.resolve("load.md").toString());
        } finally {
            assertEquals(1, proxies.size());
        }
    }

    /** What the proxy makes of the first answer: an error status, the logits with another top-1 or another shape. */
    private static UnaryOperator<SpoilingProxy.Answer> spoiler(String spoil) {
        return answer -> switch (spoil) {
            case "status" -> new SpoilingProxy.Answer(500, Map.of("Content-Type", "text/plain"),
                    "broken".getBytes(StandardCharsets.UTF_8));
            case "top-1" -> {
                try {
                    ObjectNode json = (ObjectNode) JSON.readTree(answer.body());
                    ArrayNode data = (ArrayNode) json.path("outputs").path(0).path("data");
                    int top = 0;
                    for (int i = 1; i < data.size(); i++) {
                        top = data.get(i).asDouble() > data.get(top).asDouble() ? i : top;
                    }
                    int other = (top + 1) % data.size();
                    data.set(other, data.get(top).asDouble() + 1);
                    yield new SpoilingProxy.Answer(answer.status(), answer.headers(), JSON.writeValueAsBytes(json));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "shape" -> {
                try {
                    ObjectNode json = (ObjectNode) JSON.readTree(answer.body());
                    ArrayNode shape = (ArrayNode) json.path("outputs").path(0).path("shape");
                    shape.remove(0);
                    yield new SpoilingProxy.Answer(answer.status(), answer.headers(), JSON.writeValueAsBytes(json));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException(spoil);
        };
    }

    /**
     * A report file that cannot be written, in a folder that is a file or being a folder itself, is refused before
     * anything runs, in one line naming it: found when writing, it would have cost the whole run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"file/load.md", "folder"})
    void anUnwritableReportIsRefusedBeforeTheRun(String name) throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        Files.createDirectories(dir.resolve("folder"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = LoadTest.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int status = cmd.execute("--arch=resnet20", "--size=32", "--concurrency=1", "--requests=1", "--warmup=0",
                "--threads=1", "--out", dir.resolve(name).toString());
        assertEquals(2, status, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("load-test: --out: cannot write " + dir.resolve(name)), err.toString());
        assertEquals("", out.toString());
    }

    /** A bad option is an error told in one line, without the usage screen or a stack trace, and no report. */
    @ParameterizedTest
    @ValueSource(strings = {"--arch=vgg16", "--mode=fast", "--max-batch=0", "--queue=0", "--max-delay-ms=-1",
            "--threads=0", "--threads=100000", "--concurrency=0", "--requests=x", "--size=100000"})
    void aBadOptionIsAUsageErrorWithoutAStackTrace(String option) {
        StringWriter err = new StringWriter();
        CommandLine cmd = LoadTest.commandLine().setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("--size=32", option, "--out", dir.resolve("load.md").toString()));
        if (!option.startsWith("--arch=")) {
            args.add("--arch=resnet20");
        }
        int status = cmd.execute(args.toArray(String[]::new));
        assertEquals(2, status, err.toString());
        List<String> lines = err.toString().lines().filter(line -> !line.startsWith("load-test: logits of")).toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.getFirst().startsWith("load-test: "), err.toString());
        assertFalse(Files.exists(dir.resolve("load.md")));
    }

    @Test
    void anAnswerIsCorrectOnlyWithItsIdAndTheExpectedLogits() throws IOException {
        float[] expected = {1f, 2f, 3f};
        assertTrue(LoadTest.correct(answer("5", "[1.0, 2.0, 3.00001]"), -1, 5, expected));
        assertFalse(LoadTest.correct(answer("5", "[1.0, 2.0, 3.1]"), -1, 5, expected), "logits off by 2%");
        assertFalse(LoadTest.correct(answer("4", "[1.0, 2.0, 3.0]"), -1, 5, expected), "another request's answer");
        assertFalse(LoadTest.correct(answer("5", "[1.0, 2.0]"), -1, 5, expected), "too few logits");
        byte[] trailing = (new String(answer("5", "[1.0, 2.0, 3.0]"), StandardCharsets.UTF_8) + "{\"id\":\"6\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> LoadTest.correct(trailing, -1, 5, expected), "JSON after the answer");
    }

    @Test
    void aBinaryAnswerIsCorrectOnlyWithTheExpectedLogitsAfterItsJson() throws IOException {
        float[] expected = {1f, 2f, 3f};
        byte[] json = binaryAnswer("5", 12);
        assertTrue(LoadTest.correct(withFloats(json, 1f, 2f, 3.00001f), json.length, 5, expected));
        assertFalse(LoadTest.correct(withFloats(json, 1f, 2f, 3.1f), json.length, 5, expected), "logits off by 2%");
        assertFalse(LoadTest.correct(withFloats(json, 1f, 2f), json.length, 5, expected), "too few bytes");
        byte[] bigEndian = ByteBuffer.allocate(json.length + 12).put(json).putFloat(1f).putFloat(2f).putFloat(3f)
                .array();
        assertFalse(LoadTest.correct(bigEndian, json.length, 5, expected), "big-endian values");
        byte[] wrongSize = binaryAnswer("5", 8);
        assertFalse(LoadTest.correct(withFloats(wrongSize, 1f, 2f, 3f), wrongSize.length, 5, expected),
                "binary_data_size not the logits' size");
    }

    /**
     * The answer's tensor must be one image's logits as the protocol gives them: FP32 of shape {@code [1, classes]},
     * its data numbers; right values under another shape or type, or as strings, are a wrong answer.
     */
    @Test
    void anAnswerIsCorrectOnlyAsOneImagesFp32Logits() throws IOException {
        float[] expected = {1f, 2f, 3f};
        assertTrue(LoadTest.correct(tensor("FP32", "[1,3]", "[1.0, 2.0, 3.0]"), -1, 5, expected));
        assertFalse(LoadTest.correct(tensor("FP32", "[3]", "[1.0, 2.0, 3.0]"), -1, 5, expected), "no batch axis");
        assertFalse(LoadTest.correct(tensor("FP32", "[3,1]", "[1.0, 2.0, 3.0]"), -1, 5, expected), "transposed");
        assertFalse(LoadTest.correct(tensor("FP32", "[1,1,3]", "[1.0, 2.0, 3.0]"), -1, 5, expected), "rank 3");
        assertFalse(LoadTest.correct(tensor("FP32", "", "[1.0, 2.0, 3.0]"), -1, 5, expected), "no shape");
        assertFalse(LoadTest.correct(tensor("FP32", "[\"1\",\"3\"]", "[1.0, 2.0, 3.0]"), -1, 5, expected),
                "shape of strings");
        assertFalse(LoadTest.correct(tensor("FP16", "[1,3]", "[1.0, 2.0, 3.0]"), -1, 5, expected), "FP16");
        assertFalse(LoadTest.correct(tensor("FP32", "[1,3]", "[\"1.0\", \"2.0\", \"3.0\"]"), -1, 5, expected),
                "strings");
        byte[] json = ("{\"id\":\"5\",\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[3],"
                + "\"parameters\":{\"binary_data_size\":12}}]}").getBytes(StandardCharsets.UTF_8);
        assertFalse(LoadTest.correct(withFloats(json, 1f, 2f, 3f), json.length, 5, expected), "binary, no batch axis");
    }

    private static byte[] tensor(String datatype, String shape, String data) {
        return ("{\"model_name\":\"m\",\"id\":\"5\",\"outputs\":[{\"name\":\"logits\",\"datatype\":\"" + datatype
                + "\"" + (shape.isEmpty() ? "" : ",\"shape\":" + shape) + ",\"data\":" + data + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] answer(String id, String logits) {
        return ("{\"model_name\":\"m\",\"id\":\"" + id + "\",\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\","
                + "\"shape\":[1,3],\"data\":" + logits + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] binaryAnswer(String id, int bytes) {
        return ("{\"model_name\":\"m\",\"id\":\"" + id + "\",\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\","
                + "\"shape\":[1,3],\"parameters\":{\"binary_data_size\":" + bytes + "}}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withFloats(byte[] json, float... values) {
        ByteBuffer body = ByteBuffer.allocate(json.length + values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json);
        for (float v : values) {
            body.putFloat(v);
        }
        return body.array();
    }
}
