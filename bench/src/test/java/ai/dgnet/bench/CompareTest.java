package ai.dgnet.bench;

import ai.dgnet.cli.BrokenPipe;
import ai.dgnet.cli.OneLineErrors;
import ai.dgnet.models.Arch;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The comparison harness's own logic, without running any runtime. */
class CompareTest {

    @Test
    void latencyIsSummarizedLikeBenchTorch() {
        // statistics.median and the nearest-rank 90th percentile of bench_torch.py.
        assertEquals(new Latency(2, 3), Latency.of(new double[] {3, 1, 2}));
        assertEquals(new Latency(5.5, 9), Latency.of(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
        assertEquals(new Latency(4, 4), Latency.of(new double[] {4}));
        assertEquals(250.0, new Latency(32, 40).imagesPerSecond(8));
    }

    @Test
    void casesParseAndNameThemselves() {
        Case torchvision = Case.parse("resnet50-torchvision");
        assertEquals(new Case(Arch.RESNET50, Mode.STATIC, true), torchvision);
        assertEquals("resnet50-torchvision", torchvision.name());
        assertEquals(List.of("--arch", "resnet50", "--mode", "static", "--seed", "3", "--num-classes", "1000",
                "--torchvision"), torchvision.modelArguments());
        assertEquals(new Case(Arch.MOBILENET_V2, Mode.DYNAMIC, false), Case.parse("mobilenet_v2-dynamic"));
        assertEquals("regnet_y_400mf-static", Case.parse("regnet_y_400mf-static").name());
        for (String bad : List.of("resnet50", "resnet50-fast", "vgg16-static", "")) {
            assertThrows(IllegalArgumentException.class, () -> Case.parse(bad), bad);
        }
    }

    @Test
    void relativeL2IsAgainstTheSecondArgument() {
        assertEquals(0.0, Compare.relativeL2(new float[] {1, 2}, new float[] {1, 2}, 1));
        assertEquals(0.2, Compare.relativeL2(new float[] {3, 5}, new float[] {3, 4}, 1), 1e-12,
                "||(0, 1)|| / ||(3, 4)||");
        assertThrows(IllegalStateException.class, () -> Compare.relativeL2(new float[2], new float[3], 1));
        assertThrows(IllegalStateException.class, () -> Compare.relativeL2(new float[3], new float[3], 2));
        assertTrue(Double.isNaN(Compare.relativeL2(new float[] {Float.NaN, 1, 3, 4}, new float[] {3, 4, 3, 4}, 2)));
    }

    /**
     * The error is the worst image's: over a batch of four images of equal norms, one image off by 1.6e-4 is 0.8e-4
     * of the whole, which passed the tolerance.
     */
    @Test
    void oneImageOffInABatchIsItsOwnError() {
        float[] expected = {3, 4, 3, 4, 3, 4, 3, 4};
        float[] oneOff = expected.clone();
        oneOff[5] += 5 * 1.6e-4f;
        assertEquals(1.6e-4, Compare.relativeL2(oneOff, expected, 4), 1e-7);

        Case c = Case.parse("resnet20-static");
        Compare.Row row = Compare.timeInTurns(c, 4, new Scripted(oneOff, oneOff), new Scripted(expected, expected),
                new Compare.Plan(1, List.of(4), 0, 1, 0, 0));
        assertNotNull(row.failure());
        assertFalse(row.measured());
    }

    /**
     * The first run, the one that prepares, is checked, and so are the runs after it, which the timing covers: an
     * engine that goes wrong after its first run fails the row, however close its first logits were.
     */
    @Test
    void logitsThatGoWrongAfterTheFirstRunFailTheRow() {
        Compare.Plan plan = new Compare.Plan(1, List.of(1), 2, 3, 0, 0);
        Case c = Case.parse("resnet20-static");
        float[] logits = {1, 2, 3, 4};
        Scripted ort = new Scripted(logits, logits);
        Compare.Row good = Compare.timeInTurns(c, 1, new Scripted(logits, logits), ort, plan);
        assertNull(good.failure());
        assertEquals(0.0, good.error());
        // The check, 2 warm-up runs, 3 timed runs each after one settling run, the check again.
        assertEquals(1 + 2 + 3 * 2 + 1, ort.runs);

        float[] off = {1, 2, 3, 4.1f};
        Compare.Row wrong = Compare.timeInTurns(c, 1, new Scripted(logits, off), new Scripted(logits, logits), plan);
        assertNotNull(wrong.failure());
        assertTrue(wrong.failure().contains("after the timed runs"), wrong.failure());
        assertFalse(wrong.measured());

        Compare.Row wrongFirst = Compare.timeInTurns(c, 1, new Scripted(off, logits), new Scripted(logits, logits),
                plan);
        assertNotNull(wrongFirst.failure());
        assertFalse(wrongFirst.measured());
    }

    /**
     * A case whose logits differ from ONNX Runtime's is failed as a whole, and the others carry on: none of its
     * batches after the failing one runs, it is not profiled, and the run ends with exit status 1 and a line naming
     * every failed case. Here ORT runs an ONNX file that is not the case's, as a stale export would be.
     */
    @Test
    void aCaseWhoseLogitsDifferIsNeitherTimedNorProfiled(@TempDir Path dir) throws IOException {
        Path onnx = dir.resolve("onnx");
        WrongOnnx.writeAs(Case.parse("resnet20-static"), onnx);
        WrongOnnx.writeAs(Case.parse("resnet20-dynamic"), onnx);
        Path report = dir.resolve("compare.md");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = Compare.commandLine().execute("--cases=resnet20-static,resnet20-dynamic", "--batches=1,2",
                    "--threads=1", "--runs=1", "--warmup=0", "--settle=0", "--profile=1", "--no-rss", "--no-torch",
                    "--python=" + dir.resolve("no-python"), "--onnx-dir=" + onnx, "--out=" + report);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String progress = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, progress);
        for (String c : List.of("resnet20-static", "resnet20-dynamic")) {
            assertTrue(progress.contains("FAILED " + c + " batch 1: logits differ"), progress);
            assertFalse(progress.contains(c + " batch 2: checking logits"), progress);
            assertFalse(progress.contains("profiling " + c), progress);
        }
        assertEquals("FAILED: resnet20-static, resnet20-dynamic", progress.lines().toList().getLast(), progress);
        String text = Files.readString(report);
        assertTrue(text.contains("Not profiled, their logits check having failed: resnet20-static, resnet20-dynamic"),
                text);
        assertTrue(text.contains("## Failures\n\nFAILED: resnet20-static, resnet20-dynamic\n"), text);
    }

    /**
     * {@code --out -} wrote the report to a file named '-' in the working folder; it is standard output, as Unix tools
     * take it, where the report is printed anyway, and then alone: no file, and no line saying one was written.
     */
    @Test
    void outDashPrintsTheReportOnStandardOutputAlone(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = compareOutDash(dir, new PrintStream(out, true, StandardCharsets.UTF_8), err);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, progress);
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.startsWith("# DG-Net runtime vs ONNX Runtime") && report.contains("## Failures\n\nFAILED: "
                + "resnet20-static\n"), report);
        assertFalse(progress.contains("report written"), progress);
        assertFalse(Files.exists(Path.of("-")), "no file named '-'");
    }

    /**
     * With {@code --out -} standard output holds the only copy of the report: one that cannot be written there (its
     * reader gone, or its disk full) is a one-line error and a failed run, not an exit status 0 (1 here, for the case
     * failed).
     */
    @Test
    void aReportThatCannotBeWrittenToStandardOutputIsAnError(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = compareOutDash(dir, BrokenPipe.stream(), err);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertEquals(OneLineErrors.BAD_INPUT, status, progress);
        assertEquals("compare: i/o error: cannot write to standard output (its reader gone, or its disk full?)",
                progress.strip().lines().toList().getLast(), progress);
    }

    /**
     * Compares resnet20-static at batch 1, once, with an ONNX file of another model (the case fails), its report to
     * {@code --out -}, {@code System.out} being {@code stdout} and {@code System.err} {@code err}; returns the exit
     * status.
     */
    private static int compareOutDash(Path dir, PrintStream stdout, ByteArrayOutputStream err) throws IOException {
        Path onnx = dir.resolve("onnx");
        WrongOnnx.writeAs(Case.parse("resnet20-static"), onnx);
        PrintStream before = System.out;
        PrintStream stderr = System.err;
        try {
            System.setOut(stdout);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return Compare.commandLine().execute("--cases=resnet20-static", "--batches=1", "--threads=1",
                    "--runs=1", "--warmup=0", "--settle=0", "--no-rss", "--no-torch",
                    "--python=" + dir.resolve("no-python"), "--onnx-dir=" + onnx, "--out=-");
        } finally {
            System.setOut(before);
            System.setErr(stderr);
        }
    }

    /**
     * The profile's fresh engines are checked like the timed ones, before anything is profiled: ORT's here runs a
     * model that is not the case's.
     */
    @Test
    void profileEnginesWhoseLogitsDifferProfileNothing(@TempDir Path dir) throws IOException {
        Case c = Case.parse("resnet20-static");
        Compare.Profiles profiles = Compare.profile(c, WrongOnnx.writeAs(c, dir), 1,
                new Compare.Plan(1, List.of(1), 0, 1, 0, 0), 1);
        assertNotNull(profiles.logitsDiffer());
        assertTrue(profiles.logitsDiffer().startsWith("logits differ from ONNX Runtime's"), profiles.logitsDiffer());
        assertNull(profiles.ours());
        assertNull(profiles.ort());
    }

    /**
     * A case whose timed check passed but whose profile's engines disagree is failed as a whole, its timings
     * withdrawn: here the ONNX file turns stale between the timed runs and the profile. Needs PyTorch to export the
     * case; skipped where it is missing.
     */
    @Test
    void aCaseWhoseProfileLogitsDifferIsFailed(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(torchAvailable(), "no torch and torchvision in " + PYTHON);
        Case c = Case.parse("resnet20-static");
        Path onnx = dir.resolve("onnx");
        Path report = dir.resolve("compare.md");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int status;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8) {
                @Override
                public void println(String line) {
                    if (line.startsWith("profiling " + c)) {
                        try {
                            WrongOnnx.writeAs(c, onnx);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    super.println(line);
                }
            });
            status = Compare.commandLine().execute("--cases=" + c, "--batches=1", "--threads=1", "--runs=1",
                    "--warmup=0", "--settle=0", "--profile=1", "--no-rss", "--no-torch", "--python=" + PYTHON,
                    "--scripts=" + SCRIPTS, "--onnx-dir=" + onnx, "--out=" + report);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String progress = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, progress);
        assertTrue(progress.contains("FAILED profile of " + c + ": logits differ"), progress);
        assertTrue(progress.contains("FAILED " + c + " batch 1: timing withdrawn"), progress);
        assertEquals("FAILED: " + c, progress.lines().toList().getLast(), progress);
        String text = Files.readString(report);
        assertTrue(text.lines().anyMatch(line -> line.startsWith("| " + c + " ") && line.contains(" FAILED ")), text);
        assertTrue(text.contains("- " + c + " batch 1: timing withdrawn"), text);
    }

    /**
     * PyTorch's time joins the row only once its logits pass the check against ORT's that ours passed, those of its
     * first run as those of its last: here a Python stands in for bench_torch.py, its logits as given.
     */
    @Test
    void pytorchLogitsThatDifferFailItsColumns(@TempDir Path dir) throws IOException {
        Compare.Row row = rowWithOrtLogits(3, 4, 0, 0);
        String right = "[3, 4, 0, 0]";
        Compare.Row checked = Compare.withTorch(row, fakeTorch(dir, "\"first_logits\":" + right + ",\"logits\":"
                + right), ONE_RUN);
        assertNull(checked.failure());
        assertEquals(new Latency(1.5, 2), checked.torch());

        Compare.Row wrong = Compare.withTorch(row, fakeTorch(dir, "\"first_logits\":" + right + ",\"logits\":"
                + "[3, 4, 0, 0.01]"), ONE_RUN);
        assertNull(wrong.torch());
        assertNotNull(wrong.failure());
        assertTrue(wrong.failure().startsWith("PyTorch: logits differ from ONNX Runtime's after the timed runs"),
                wrong.failure());
        assertEquals(row.ours(), wrong.ours());

        Compare.Row none = Compare.withTorch(row, fakeTorch(dir, "\"first_logits\":[3, 4],\"logits\":[3, 4]"),
                ONE_RUN);
        assertNull(none.torch());
        assertNotNull(none.failure());
    }

    /**
     * A network that is wrong on its first call only is caught: the logits of PyTorch's first run are checked as
     * those of its last timed run are, and a line without them (an older bench_torch.py) checks nothing of it.
     */
    @Test
    void pytorchLogitsThatDifferOnTheFirstRunFailItsColumns(@TempDir Path dir) throws IOException {
        Compare.Row row = rowWithOrtLogits(3, 4, 0, 0);
        Compare.Row firstWrong = Compare.withTorch(row, fakeTorch(dir, "\"first_logits\":[3, 4, 0, 0.01],"
                + "\"logits\":[3, 4, 0, 0]"), ONE_RUN);
        assertNull(firstWrong.torch());
        assertTrue(firstWrong.failure().startsWith("PyTorch: logits differ from ONNX Runtime's on its first run"),
                firstWrong.failure());
        assertEquals(row.ours(), firstWrong.ours());

        Compare.Row lastOnly = Compare.withTorch(row, fakeTorch(dir, "\"logits\":[3, 4, 0, 0]"), ONE_RUN);
        assertNull(lastOnly.torch());
        assertTrue(lastOnly.failure().contains("first_logits"), lastOnly.failure());
    }

    /** A Python whose every script prints bench_torch.py's line with {@code logits}, JSON members after its times. */
    private static PythonReference fakeTorch(Path dir, String logits) throws IOException {
        Path python = dir.resolve("python");
        Files.writeString(python, "#!/bin/sh\necho '{\"median_ms\":1.5,\"p90_ms\":2," + logits + "}'\n");
        assertTrue(python.toFile().setExecutable(true));
        return new PythonReference(python, dir, dir.resolve("onnx"));
    }

    /**
     * bench_torch.py's logits, of its first run and of its last, are those of the model and input the other runtimes
     * run: ours agrees with them. Needs
     * PyTorch; skipped where it is missing.
     */
    @Test
    void benchTorchGivesTheLogitsOfWhatItTimed() throws IOException, InterruptedException {
        assumeTrue(torchAvailable(), "no torch and torchvision in " + PYTHON);
        Case c = Case.parse("resnet20-dynamic");
        PythonReference.Torch torch = new PythonReference(Path.of(PYTHON), SCRIPTS, Path.of("onnx"))
                .torch(c, 2, 224, 1, 1, 1);
        try (Engine ours = Engine.Kind.OURS.open(c, null, 1, 2, 224)) {
            float[] logits = ours.run();
            assertTrue(Compare.relativeL2(torch.firstLogits(), logits, 2) <= 1e-4);
            assertTrue(Compare.relativeL2(torch.logits(), logits, 2) <= 1e-4);
        }
    }

    static final String PYTHON = "/usr/bin/python3";
    /** The reference scripts, from the bench module's folder, where the build runs its tests. */
    static final Path SCRIPTS = Path.of("..", "tests", "reference").toAbsolutePath().normalize();

    /** Whether {@link #PYTHON} imports torch and torchvision, which the export and bench_torch.py need. */
    static boolean torchAvailable() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON)) || !Files.isRegularFile(SCRIPTS.resolve("export_onnx.py"))) {
            return false;
        }
        Process probe = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return probe.waitFor() == 0;
    }

    /**
     * Where the check fails at a later batch, the batches timed before it are withdrawn: the case is failed whatever
     * the order of its batches.
     */
    @Test
    void aCaseFailedAtALaterBatchReportsNoLatency() {
        Case c = Case.parse("resnet20-static");
        Compare.Row failed = Compare.Row.failed(c, 8, "logits differ");
        List<Compare.Row> rows = Compare.failedCase(c, List.of(1, 8, 32), 1, failed);
        assertEquals(3, rows.size());
        assertEquals(List.of(1, 8, 32), rows.stream().map(Compare.Row::batch).toList());
        assertTrue(rows.stream().noneMatch(Compare.Row::measured));
        assertEquals("timing withdrawn: the case failed at batch 8", rows.get(0).failure());
        assertEquals(failed, rows.get(1));
        assertEquals("not run: the case failed at batch 8", rows.get(2).failure());
    }

    /** An engine that gives {@code first} on its first run and {@code later} on every other. */
    private static final class Scripted implements Engine {
        private final float[] first;
        private final float[] later;
        private int runs;

        Scripted(float[] first, float[] later) {
            this.first = first;
            this.later = later;
        }

        @Override
        public float[] run() {
            return (runs++ == 0 ? first : later).clone();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Both runtimes' convolutions by shape, the longest in either first; a shape one runtime did not run shows a dash
     * (ours fused pair, the node ours skipped).
     */
    @Test
    void convolutionsAreListedByShapeTheLongestFirst() {
        TimeSplit ours = split(1, Map.of("conv 1x1 96->576 14x14", new TimeSplit.Calls(1, 500_000),
                "conv 1x1 16->96 112x112, then dwconv 3x3 s2 96 112x112", new TimeSplit.Calls(1, 1_500_000)));
        TimeSplit ort = split(2, Map.of("conv 1x1 96->576 14x14", new TimeSplit.Calls(4, 2_000_000),
                "conv 3x3 s2 3->32 224x224", new TimeSplit.Calls(2, 1_000_000)));
        assertEquals("""
                | convolution                                            | ours calls/run | ours ms/run | ORT calls/run | ORT ms/run |
                | ------------------------------------------------------ | -------------: | ----------: | ------------: | ---------: |
                | conv 1x1 16->96 112x112, then dwconv 3x3 s2 96 112x112 |              1 |       1.500 |             - |          - |
                | conv 1x1 96->576 14x14                                 |              1 |       0.500 |             2 |      1.000 |
                | conv 3x3 s2 3->32 224x224                              |              - |           - |             1 |      0.500 |
                """, Compare.convolutionTable(ours, ort).toString());
    }

    private static TimeSplit split(int runs, Map<String, TimeSplit.Calls> convolutions) {
        Map<TimeSplit.Part, Long> nanos = new EnumMap<>(TimeSplit.Part.class);
        for (TimeSplit.Part part : TimeSplit.Part.values()) {
            nanos.put(part, 0L);
        }
        return new TimeSplit(runs, nanos, Map.of(), convolutions);
    }

    /**
     * A bad option is an error told in one line, without the usage screen, before anything is exported or measured:
     * a thread count ours refuses too, which would fail every case one by one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--threads=0", "--threads=100000", "--runs=0", "--runs=x", "--batches=0", "--warmup=-1",
            "--profile=0", "--cases=resnet50", "--cases=resnet50-fast", "--rss=tensorflow"})
    void aBadOptionIsOneLineAndNothingRuns(String option, @TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cmd = Compare.commandLine().setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        Path report = dir.resolve("compare.md");
        int status = cmd.execute(option, "--cases=resnet20-static", "--no-rss", "--no-torch",
                "--python=" + dir.resolve("no-python"), "--onnx-dir=" + dir.resolve("onnx"), "--out=" + report);
        assertEquals(2, status, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("compare: "), err.toString());
        assertFalse(Files.exists(report));
        assertFalse(Files.exists(dir.resolve("onnx")));
    }

    /**
     * A report file that cannot be written, in a folder that is a file or being a folder itself, is refused before
     * anything runs, in one line naming it: found when writing, it would have cost the whole run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"file/compare.md", "folder"})
    void anUnwritableReportIsRefusedBeforeTheRun(String name, @TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        Files.createDirectories(dir.resolve("folder"));
        StringWriter err = new StringWriter();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int status;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            status = Compare.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                    .execute("--cases=resnet20-static", "--batches=1", "--no-rss", "--no-torch",
                            "--python=" + dir.resolve("no-python"), "--onnx-dir=" + dir.resolve("onnx"),
                            "--out=" + dir.resolve(name));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(2, status, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("compare: --out: cannot write " + dir.resolve(name)), err.toString());
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "nothing ran");
    }

    @Test
    void tablesArePaddedAndAligned() {
        String table = new MarkdownTable(1, "case", "ms").add("resnet50-static", "12.5").add("a", "3").toString();
        assertEquals("""
                | case            |   ms |
                | --------------- | ---: |
                | resnet50-static | 12.5 |
                | a               |    3 |
                """, table);
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable(1, "a", "b").add("only one"));
    }

    private static final Compare.Plan ONE_RUN = new Compare.Plan(1, List.of(1), 0, 1, 0, 0);

    /** A batch-1 row of resnet20-static whose ONNX Runtime logits are {@code ortLogits}. */
    private static Compare.Row rowWithOrtLogits(float... ortLogits) {
        return new Compare.Row(Case.parse("resnet20-static"), 1, 0, new Latency(1, 1), new Latency(1, 1), null,
                null, ortLogits);
    }
}
