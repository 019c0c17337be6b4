package ai.dgnet.tests;

import ai.dgnet.cli.CommandRun;
import ai.dgnet.cli.Main;
import ai.dgnet.models.Arch;
import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.arch.NetworkDef;
import ai.dgnet.models.arch.Param;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.models.io.SafeTensorsWriter;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dgnet infer} end to end: outputs of spec section 8, and one-line errors for every malformed file. */
class InferCommandTest {
    private static final int CLASSES = 10;
    private static final long SEED = 3;

    @TempDir
    static Path dir;
    private static Path model;
    private static Path input;

    @BeforeAll
    static void writeFiles() throws IOException {
        model = dir.resolve("resnet20.safetensors");
        writeModel(model, meta -> { }, params -> { });
        input = dir.resolve("input.safetensors");
        writeInput(input, new int[] {2, 1, 28, 28});
    }

    static CommandRun dgnet(String... args) {
        return CommandRun.of(args);
    }

    /** {@code run} with standard input as a pipe or a redirect from a file would give {@code bytes}. */
    static <T> T withStandardInput(byte[] bytes, Supplier<T> run) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(bytes));
        try {
            return run.get();
        } finally {
            System.setIn(before);
        }
    }

    /** What a run printed: its standard output as bytes, text and binary alike, and its standard error. */
    record Piped(int status, byte[] out, String err) {
    }

    /**
     * {@link #dgnet} with its standard output as a pipe or a redirect would hold it: whatever the command writes to
     * {@code System.out}, through picocli's writer or as bytes.
     */
    static Piped dgnetPiped(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setErr(new PrintWriter(err, true));
            int status = cmd.execute(args);
            cmd.getOut().flush();
            return new Piped(status, out.toByteArray(), err.toString());
        } finally {
            System.setOut(before);
        }
    }

    @Test
    void writesLogitsAdjacencyAndRouterOfEveryMultiNodeStage() throws IOException {
        Path out = dir.resolve("out.safetensors");
        CommandRun run = dgnet("infer", model.toString(), "--input", input.toString(), "--output", out.toString(),
                "--threads", "1");
        assertEquals(0, run.status(), run.err());
        try (SafeTensors result = SafeTensors.open(out)) {
            assertEquals(List.of("adjacency.0", "adjacency.1", "adjacency.2", "logits", "router.0", "router.1",
                    "router.2"), List.copyOf(result.names()));
            assertArrayEquals(new int[] {2, CLASSES}, result.info("logits").shape());
            assertArrayEquals(new int[] {2, 4, 4}, result.info("adjacency.1").shape());
            float[] a = result.floats("adjacency.0");
            float[] r = result.floats("router.0");
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        int cell = n * 16 + i * 4 + j;
                        if (j <= i) {
                            assertEquals(0f, a[cell], "A is zero on and below the diagonal");
                            assertEquals(0f, r[cell]);
                        } else {
                            assertTrue(r[cell] > 0 && r[cell] < 1, "router outputs are sigmoids");
                            assertEquals(r[cell] > 0.5f ? r[cell] : 0f, a[cell], "edges above tau keep their weight");
                        }
                    }
                }
            }
        }
    }

    @Test
    void thresholdOptionOverridesTheModels() throws IOException {
        Path out = dir.resolve("out-all.safetensors");
        CommandRun run = dgnet("infer", model.toString(), "--input", input.toString(), "--output", out.toString(),
                "--threshold", "0");
        assertEquals(0, run.status(), run.err());
        try (SafeTensors result = SafeTensors.open(out)) {
            assertArrayEquals(result.floats("router.2"), result.floats("adjacency.2"), "threshold 0 keeps every edge");
        }
    }

    /**
     * {@code --output -} wrote a file named '-' in the working folder; it is standard output, as Unix tools take it,
     * which then holds the tensor file alone, byte for byte the one written to a named file.
     */
    @Test
    void outputDashWritesTheTensorFileToStandardOutputAlone() throws IOException {
        Path file = dir.resolve("out-named.safetensors");
        CommandRun named = dgnet("infer", model.toString(), "--input", input.toString(), "--output", file.toString(),
                "--threads", "1");
        assertEquals(0, named.status(), named.err());
        Piped piped = dgnetPiped("infer", model.toString(), "--input", input.toString(), "--output", "-",
                "--threads", "1");
        assertEquals(0, piped.status(), piped.err());
        assertEquals("", piped.err());
        assertArrayEquals(Files.readAllBytes(file), piped.out());
        assertFalse(Files.exists(Path.of("-")), "no file named '-'");
    }

    /**
     * {@code --input -} read a file named '-' in the working folder; it is standard input, as Unix tools take it,
     * which gives the same results as the file it carries (the file's are checked against PyTorch's), to a file or,
     * with {@code --output -}, to standard output: a pipe through.
     */
    @Test
    void inputDashReadsTheTensorFileFromStandardInput() throws IOException {
        Path file = dir.resolve("out-of-file.safetensors");
        CommandRun named = dgnet("infer", model.toString(), "--input", input.toString(), "--output", file.toString(),
                "--threads", "1");
        assertEquals(0, named.status(), named.err());
        byte[] carried = Files.readAllBytes(input);
        Path streamed = dir.resolve("out-of-stream.safetensors");
        CommandRun fromStream = withStandardInput(carried, () -> dgnet("infer", model.toString(), "--input", "-",
                "--output", streamed.toString(), "--threads", "1"));
        assertEquals(0, fromStream.status(), fromStream.err());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(streamed));
        Piped through = withStandardInput(carried, () -> dgnetPiped("infer", model.toString(), "--input", "-",
                "--output", "-", "--threads", "1"));
        assertEquals(0, through.status(), through.err());
        assertEquals("", through.err());
        assertArrayEquals(Files.readAllBytes(file), through.out());
        assertFalse(Files.exists(Path.of("-")), "no file named '-'");
    }

    /**
     * A bad stream is refused as the same bytes in a file are, with the same line naming standard input where that
     * names the file, and the same exit status.
     */
    @Test
    void badStandardInputIsRefusedAsTheSameFileIs() throws IOException {
        byte[] valid = Files.readAllBytes(input);
        float[] values = DeterministicWeights.generate("input", new int[] {2, 1, 28, 28}, 1);
        values[28 * 28 + 5] = Float.NaN;
        Path nan = dir.resolve("stream-nan.safetensors");
        new SafeTensorsWriter().add("input", new int[] {2, 1, 28, 28}, values).write(nan);
        Map<String, byte[]> streams = new LinkedHashMap<>();
        streams.put("empty", new byte[0]);
        streams.put("truncated", Arrays.copyOf(valid, valid.length - 5));
        streams.put("garbage", "not a tensor file at all".getBytes(StandardCharsets.US_ASCII));
        streams.put("nan", Files.readAllBytes(nan));
        streams.put("wrong-channels", Files.readAllBytes(writeInput(dir.resolve("stream-c3.safetensors"),
                new int[] {1, 3, 28, 28})));
        Path out = dir.resolve("never.safetensors");
        for (Map.Entry<String, byte[]> stream : streams.entrySet()) {
            Path file = Files.write(dir.resolve("stream-" + stream.getKey() + ".safetensors"), stream.getValue());
            CommandRun asFile = dgnet("infer", model.toString(), "--input", file.toString(), "--output",
                    out.toString());
            CommandRun asStream = withStandardInput(stream.getValue(), () -> dgnet("infer", model.toString(),
                    "--input", "-", "--output", out.toString()));
            assertOneLineError(asStream, "dgnet infer: standard input: ");
            assertEquals(asFile.status(), asStream.status(), stream.getKey());
            assertEquals(asFile.err().replace(file.toString(), "standard input"), asStream.err(), stream.getKey());
            assertTrue(Files.notExists(out), stream.getKey() + ": no output on failure");
        }
    }

    @Test
    void malformedModelFilesGiveOneLineErrors() throws IOException {
        byte[] valid = Files.readAllBytes(model);
        assertBadModel("truncated", Arrays.copyOf(valid, valid.length / 2), "truncated");
        assertBadModel("tiny", new byte[] {1, 2, 3}, "too short");
        byte[] hugeHeader = valid.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, valid.length * 2L);
        assertBadModel("header-too-long", hugeHeader, "header");

        assertBadModel("wrong-shape", model(meta -> { }, params -> params.put("layer2.0.conv1.weight",
                new int[] {32, 16, 3, 1})), "layer2.0.conv1.weight");
        assertBadModel("missing", model(meta -> { }, params -> params.remove("fc.bias")), "fc.bias");
        assertBadModel("missing-router", model(meta -> { }, params -> params.remove("router.1.2.weight")),
                "router.1.2.weight");
        assertBadModel("extra", model(meta -> { }, params -> params.put("layer9.0.conv1.weight", new int[] {1})),
                "layer9.0.conv1.weight");
        assertBadModel("bad-arch", model(meta -> meta.put("dgnet.arch", "resnet21"), params -> { }), "resnet21");
        assertBadModel("bad-mode", model(meta -> meta.put("dgnet.mode", "sometimes"), params -> { }), "dgnet.mode");
        assertBadModel("bad-threshold", model(meta -> meta.put("dgnet.threshold", "high"), params -> { }),
                "dgnet.threshold");
        assertBadModel("no-classes", model(meta -> meta.remove("dgnet.num_classes"), params -> { }),
                "dgnet.num_classes");
        assertBadModel("bad-labels", model(meta -> meta.put("dgnet.labels", "[1, 2"), params -> { }), "dgnet.labels");
        assertBadModel("bad-preprocess", model(meta -> meta.put("dgnet.preprocess", "{\"resize\": 256}"),
                params -> { }), "dgnet.preprocess");
        assertBadModel("missing-file", null, "no such file");
    }

    @Test
    void malformedInputFilesGiveOneLineErrors() throws IOException {
        assertBadInput("wrong-channels", writeInput(dir.resolve("in-c3.safetensors"), new int[] {1, 3, 28, 28}),
                "[N, 1, H, W]");
        assertBadInput("wrong-rank", writeInput(dir.resolve("in-r3.safetensors"), new int[] {1, 28, 28}),
                "[N, 1, H, W]");
        Path renamed = dir.resolve("in-name.safetensors");
        new SafeTensorsWriter().add("image", new int[] {1, 1, 28, 28}, new float[28 * 28]).write(renamed);
        assertBadInput("no-input", renamed, "'input'");
        Path garbage = dir.resolve("in-garbage.safetensors");
        Files.write(garbage, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{'});
        assertBadInput("garbage", garbage, "header");
        assertBadInput("missing", dir.resolve("nothing-here.safetensors"), "no such file");
        float[] values = DeterministicWeights.generate("input", new int[] {2, 1, 28, 28}, 1);
        values[28 * 28 + 5] = Float.NaN;
        Path nan = dir.resolve("in-nan.safetensors");
        new SafeTensorsWriter().add("input", new int[] {2, 1, 28, 28}, values).write(nan);
        assertBadInput("nan", nan, "tensor 'input': value NaN at index 789 is not a finite number");
        values[28 * 28 + 5] = 0;
        values[3] = Float.NEGATIVE_INFINITY;
        Path infinite = dir.resolve("in-infinite.safetensors");
        new SafeTensorsWriter().add("input", new int[] {2, 1, 28, 28}, values).write(infinite);
        assertBadInput("infinite", infinite, "tensor 'input': value -Infinity at index 3 is not a finite number");
        assertBadInput("folder", Files.createDirectories(dir.resolve("in-folder")), dir.resolve("in-folder")
                + ": a folder, not a safetensors file");
    }

    @Test
    void badArgumentsGiveOneLineErrors() {
        CommandRun threads = dgnet("infer", model.toString(), "--input", input.toString(), "--output", "x", "--threads", "0");
        assertOneLineError(threads, "--threads");
        CommandRun tau = dgnet("infer", model.toString(), "--input", input.toString(), "--output", "x", "--threshold", "2");
        assertOneLineError(tau, "threshold");
        assertOneLineError(dgnet("infer", model.toString()), "--input");
        assertOneLineError(dgnet("infer", model.toString(), "--input", input.toString(), "--output", "x",
                "--threads", "many"), "--threads");
        assertOneLineError(dgnet("bogus"), "bogus");
    }

    @Test
    void anOutputThatIsTheModelOrTheInputIsRefusedAndBothSurvive() throws IOException {
        byte[] modelBytes = Files.readAllBytes(model);
        byte[] inputBytes = Files.readAllBytes(input);
        assertOneLineError(dgnet("infer", model.toString(), "--input", input.toString(), "--output",
                input.toString()), "--output " + input + " is the input file: write the output to another file");
        Path link = dir.resolve("model-link.safetensors");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, model);
        assertOneLineError(dgnet("infer", model.toString(), "--input", input.toString(), "--output",
                link.toString()), "is the model file");
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
        assertArrayEquals(inputBytes, Files.readAllBytes(input));
    }

    /** An output the command cannot create is named as such, up front, not as a missing file or a temporary one. */
    @Test
    void anOutputInAMissingFolderOrThatIsAFolderIsRefusedAsSuch() throws IOException {
        Path missing = dir.resolve("no-folder").resolve("out.safetensors");
        CommandRun run = dgnet("infer", model.toString(), "--input", input.toString(), "--output", missing.toString());
        assertEquals(2, run.status(), run.err());
        assertOneLineError(run, "cannot write " + missing + ": no such folder " + missing.getParent());
        Path folder = Files.createDirectories(dir.resolve("out-folder"));
        CommandRun intoFolder = dgnet("infer", model.toString(), "--input", input.toString(), "--output",
                folder.toString());
        assertEquals(2, intoFolder.status(), intoFolder.err());
        assertOneLineError(intoFolder, "cannot write " + folder + ": it is a folder");
    }

    private void assertBadModel(String name, byte[] content, String mentions) throws IOException {
        Path file = dir.resolve("bad-" + name + ".safetensors");
        if (content != null) {
            Files.write(file, content);
        }
        Path out = dir.resolve("never-" + name + ".safetensors");
        CommandRun run = dgnet("infer", file.toString(), "--input", input.toString(), "--output", out.toString());
        assertOneLineError(run, mentions);
        assertTrue(Files.notExists(out), "no output on failure");
    }

    private void assertBadInput(String name, Path file, String mentions) {
        Path out = dir.resolve("never.safetensors");
        CommandRun run = dgnet("infer", model.toString(), "--input", file.toString(), "--output", out.toString());
        assertOneLineError(run, mentions);
        assertTrue(Files.notExists(out), name + ": no output on failure");
    }

    static void assertOneLineError(CommandRun run, String mentions) {
        assertNotEquals(0, run.status(), "exit status");
        String err = run.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("dgnet"), err);
        assertTrue(err.contains(mentions), "'" + err + "' should mention " + mentions);
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), "no stack trace: " + err);
    }

    private byte[] model(Consumer<Map<String, String>> editMeta, Consumer<Map<String, int[]>> editParams)
            throws IOException {
        Path file = Files.createTempFile(dir, "model", ".safetensors");
        writeModel(file, editMeta, editParams);
        return Files.readAllBytes(file);
    }

    /** A resnet20 dynamic model file with the deterministic weights, after the given edits. */
    private static void writeModel(Path file, Consumer<Map<String, String>> editMeta,
                                   Consumer<Map<String, int[]>> editParams) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(Map.of("dgnet.arch", "resnet20", "dgnet.mode", "dynamic",
                "dgnet.threshold", "0.5", "dgnet.num_classes", Integer.toString(CLASSES), "dgnet.in_channels", "1"));
        editMeta.accept(meta);
        NetworkDef net = Architectures.build(Arch.RESNET20, 1, CLASSES);
        Map<String, int[]> params = new LinkedHashMap<>();
        for (Param p : net.requiredParams(Mode.DYNAMIC)) {
            params.put(p.name(), p.shape());
        }
        editParams.accept(params);
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata(meta);
        params.forEach((name, shape) -> writer.add(name, shape, DeterministicWeights.generate(name, shape, SEED)));
        writer.write(file);
    }

    private static Path writeInput(Path file, int[] shape) throws IOException {
        new SafeTensorsWriter().add("input", shape, DeterministicWeights.generate("input", shape, 1)).write(file);
        return file;
    }
}
