package ai.dgnet.cli;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Precision;
import ai.dgnet.models.SessionOptions;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dgnet serve}: options and model names reach the server; bad arguments are one line and status 2. */
class ServeCommandTest {
    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void writeModel() {
        model = dir.resolve("tiny.safetensors");
        try (DgModel random = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(4, 1), 3)) {
            random.save(model);
        }
    }

    @Test
    void servesEachModelUnderItsName() throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("other=" + model, model.toString(), "resnet20:static", "--port", "0",
                "--threads", "1", "--max-batch", "2", "--queue", "3", "--threshold", "0.25", "--warmup-runs", "1",
                "--jit-warmup-ms", "250");
        try (ServeCommand.Serving serving = command.start();
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertEquals("127.0.0.1", serving.server().uri().getHost());
            assertEquals(1, serving.config().warmupRuns());
            assertEquals(Duration.ofMillis(250), serving.config().jitWarmup());
            assertEquals(3, serving.config().queueCapacity());
            assertEquals(8, serving.config().session().maxShapes());
            assertTrue(serving.server().awaitReady(Duration.ofSeconds(60)));
            // The two files take one channel; the architecture id means ImageNet's three channels and 1000 classes.
            for (String name : new String[] {"other", "tiny", "resnet20"}) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create(serving.server().uri() + "v2/models/" + name)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), name);
                String input = name.equals("resnet20") ? "[-1,3,-1,-1]" : "[-1,1,-1,-1]";
                assertTrue(response.body().contains("\"shape\":" + input), response.body());
                assertTrue(response.body().contains("\"threshold\":0.25"), "the sessions route with --threshold: "
                        + response.body());
            }
        }
    }

    /**
     * With a model repository the command serves each of its files, loaded when asked; a MODEL that is one of them is
     * that model, loaded at start, and another file of the same name is refused before any model is read.
     */
    @Test
    void aModelRepositoryServesItsFilesAndAModelGivenFromItLoadsAtStart() throws Exception {
        Path repository = Files.createDirectory(dir.resolve("repository"));
        Path tiny = Files.copy(model, repository.resolve("tiny.safetensors"));
        Files.copy(model, repository.resolve("other.safetensors"));
        assertBad("dgnet serve: model 'tiny' is both " + model + " and the model repository's " + tiny + ": serve the "
                + "MODEL as NAME=" + model, "--model-repository", repository.toString(), model.toString());
        assertBad("dgnet serve: model 'resnet20' is both resnet20 and the model repository's ",
                "--model-repository", Files.copy(model, repository.resolve("resnet20.safetensors")).getParent()
                        .toString(), "resnet20");

        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--model-repository", repository.toString(), tiny.toString(), "--port", "0",
                "--threads", "1", "--warmup-runs", "0");
        try (ServeCommand.Serving serving = command.start();
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertTrue(serving.server().awaitReady(Duration.ofSeconds(60)));
            HttpResponse<String> index = client.send(HttpRequest.newBuilder(
                    URI.create(serving.server().uri() + "v2/repository/index"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("[{\"name\":\"other\",\"version\":\"1\",\"state\":\"UNAVAILABLE\",\"reason\":"
                    + "\"never loaded\"},{\"name\":\"resnet20\",\"version\":\"1\",\"state\":\"UNAVAILABLE\","
                    + "\"reason\":\"never loaded\"},{\"name\":\"tiny\",\"version\":\"1\",\"state\":"
                    + "\"READY\"}]", index.body());
        }
    }

    @Test
    void withoutMaxShapesEachModelKeepsAtLeastEveryBatchSize() throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(model.toString(), "--port", "0", "--threads", "1", "--max-batch", "256",
                "--warmup-runs", "0");
        try (ServeCommand.Serving serving = command.start()) {
            assertEquals(9, serving.config().session().maxShapes(), "1, 2, 4, ... 256");
        }
    }

    /** Listening on every interface, the server is where it was asked to be: not at IPv6's 0:0:0:0:0:0:0:0. */
    @Test
    void everyInterfaceIsNamedAsGiven() throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(model.toString(), "--host", "0.0.0.0", "--port", "0", "--threads", "1",
                "--warmup-runs", "0");
        try (ServeCommand.Serving serving = command.start()) {
            assertEquals("http://0.0.0.0:" + serving.server().port() + "/", serving.server().uri().toString());
        }
    }

    /** The ready line says where the models warmed up: once where they all did alike, else per model. */
    @Test
    void theReadyLineSaysWhereEachModelWarmedUp() {
        assertEquals("at batch sizes 1, 2, 4", ServeCommand.warmed(Map.of("a", List.of(1, 2, 4))));
        Map<String, List<Integer>> sizes = new LinkedHashMap<>();
        sizes.put("a", List.of(1, 2, 4));
        sizes.put("b", List.of(1, 2, 4));
        assertEquals("at batch sizes 1, 2, 4", ServeCommand.warmed(sizes));
        sizes.put("c", List.of(1));
        sizes.put("d", List.of());
        assertEquals("a at batch sizes 1, 2, 4; b at batch sizes 1, 2, 4; c at batch size 1; d at no batch size",
                ServeCommand.warmed(sizes));
    }

    @Test
    void badArgumentsAreOneLineAndStatus2() throws IOException {
        String missing = dir.resolve("missing.safetensors").toString();
        assertBad("dgnet serve: " + missing + ": no such file", missing);
        assertBad("dgnet serve: two models are named 'tiny': name one of them with NAME=FILE",
                model.toString(), "tiny=" + model);
        assertBad("dgnet serve: model name 'a b' must be letters, digits", "a b=" + model, "--port", "0");
        // A file's name that is no model name (a browser's "model (1).safetensors") says how to serve it, before
        // any model is read.
        String spaced = Files.copy(model, dir.resolve("tiny model (1).safetensors")).toString();
        assertBad("dgnet serve: model name 'tiny model (1)', the file's name, must be letters, digits, '.', '_' and "
                + "'-', starting with a letter or digit: serve it as NAME=" + spaced, model.toString(), spaced);
        // Options are checked before any model is read, so a bad one is found without waiting for the files.
        assertBad("dgnet serve: --threads must be in [1, ", missing, "--threads", "0");
        assertBad("dgnet serve: --max-shapes 2 is fewer than the 4 batch sizes runs take with --max-batch 8 (1, 2, "
                + "4, ... up to 8): every batch would prepare its network again", model.toString(), "--max-shapes",
                "2");
        assertBad("dgnet serve: no model to serve: give a MODEL, or --model-repository DIR");
        assertBad("dgnet serve: model repository " + dir.resolve("missing") + ": no such directory",
                "--model-repository", dir.resolve("missing").toString(), "--port", "0");
        assertBad("dgnet serve: model repository " + model + ": not a directory", "--model-repository",
                model.toString(), "--port", "0");
        assertBad("dgnet serve: no model given: name a model file or an architecture", "a=");
        // A malformed IPv6 literal fails to resolve without asking DNS, which a build machine may not reach.
        assertBad("dgnet serve: i/o error: cannot listen on [::1:0 (--host, --port): Unresolved address",
                model.toString(), "--host", "[::1", "--port", "0", "--warmup-runs", "0");
    }

    /**
     * Every refusal of an option names the option, as the user typed it, and the limit that the value's owner
     * enforces, read from there: the command line kept copies of the limits, which could drift from them, and a
     * thread count over the device's most was refused without naming {@code --threads}.
     */
    @Test
    void aRefusedOptionNamesItselfAndTheLimitItsOwnerEnforces() {
        // The owners take their limits and refuse a value past them: the limits are the ones enforced.
        ServerConfig config = ServerConfig.defaults();
        config.withPort(ServerConfig.MIN_PORT).withPort(ServerConfig.MAX_PORT)
                .withBatching(ServerConfig.MIN_MAX_BATCH, ServerConfig.MIN_QUEUE_DELAY)
                .withQueueCapacity(ServerConfig.MIN_QUEUE_CAPACITY).withMaxRequestBytes(ServerConfig.MIN_REQUEST_BYTES)
                .withWarmupRuns(ServerConfig.MIN_WARMUP_RUNS).withJitWarmup(ServerConfig.MIN_JIT_WARMUP);
        SessionOptions.defaults().withMaxShapes(SessionOptions.MIN_MAX_SHAPES);
        List<Executable> pastLimits = List.of(
                () -> config.withPort(ServerConfig.MIN_PORT - 1),
                () -> config.withPort(ServerConfig.MAX_PORT + 1),
                () -> config.withBatching(ServerConfig.MIN_MAX_BATCH - 1, config.maxQueueDelay()),
                () -> config.withBatching(config.maxBatch(), ServerConfig.MIN_QUEUE_DELAY.minusNanos(1)),
                () -> config.withQueueCapacity(ServerConfig.MIN_QUEUE_CAPACITY - 1),
                () -> config.withMaxRequestBytes(ServerConfig.MIN_REQUEST_BYTES - 1),
                () -> config.withWarmupRuns(ServerConfig.MIN_WARMUP_RUNS - 1),
                () -> config.withJitWarmup(ServerConfig.MIN_JIT_WARMUP.minusNanos(1)),
                () -> SessionOptions.defaults().withMaxShapes(SessionOptions.MIN_MAX_SHAPES - 1));
        pastLimits.forEach(past -> assertThrows(IllegalArgumentException.class, past));

        String file = model.toString();
        int port = ServerConfig.MAX_PORT + 1;
        assertBad("dgnet serve: --port must be in [" + ServerConfig.MIN_PORT + ", " + ServerConfig.MAX_PORT
                + "], got " + port, file, "--port", String.valueOf(port));
        port = ServerConfig.MIN_PORT - 1;
        assertBad("dgnet serve: --port must be in [" + ServerConfig.MIN_PORT + ", " + ServerConfig.MAX_PORT
                + "], got " + port, file, "--port", String.valueOf(port));
        assertBelow("--max-batch", ServerConfig.MIN_MAX_BATCH);
        assertBelow("--max-delay-ms", ServerConfig.MIN_QUEUE_DELAY.toMillis());
        assertBelow("--queue", ServerConfig.MIN_QUEUE_CAPACITY);
        long mib = 1 << 20;
        long fewestMib = Math.ceilDiv(ServerConfig.MIN_REQUEST_BYTES, mib);
        assertBad("dgnet serve: --max-request-mb must be in [" + fewestMib + ", " + Long.MAX_VALUE / mib + "], got "
                + (fewestMib - 1), file, "--max-request-mb", String.valueOf(fewestMib - 1));
        assertBelow("--warmup-runs", ServerConfig.MIN_WARMUP_RUNS);
        assertBelow("--jit-warmup-ms", ServerConfig.MIN_JIT_WARMUP.toMillis());
        assertBelow("--max-shapes", SessionOptions.MIN_MAX_SHAPES);

        // Options named as their owners name the value: the owner's refusal, with the option's name.
        assertBad("dgnet serve: --" + refusal(() -> Precision.parse("f16")), file, "--precision", "f16");
        assertBad("dgnet serve: --" + refusal(() -> SessionOptions.defaults().withThreshold(2)), file,
                "--threshold", "2");
        assertBad("dgnet serve: --" + refusal(() -> SessionOptions.defaults().withThreshold(Float.NaN)), file,
                "--threshold", "NaN");
        for (int threads : new int[] {0, Integer.MAX_VALUE}) {
            assertBad("dgnet serve: --" + refusal(() -> CpuDevice.create(threads)), file, "--threads",
                    String.valueOf(threads));
        }
    }

    /** The refusal of the value just under {@code min} of {@code option}. */
    private static void assertBelow(String option, long min) {
        assertBad("dgnet serve: " + option + " must be >= " + min + ", got " + (min - 1), model.toString(), option,
                String.valueOf(min - 1));
    }

    private static String refusal(Executable refused) {
        return assertThrows(IllegalArgumentException.class, refused).getMessage();
    }

    private static void assertBad(String expectedStart, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandRun run = CommandRun.of(all);
        assertEquals(OneLineErrors.BAD_INPUT, run.status(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith(expectedStart), run.err());
    }
}
