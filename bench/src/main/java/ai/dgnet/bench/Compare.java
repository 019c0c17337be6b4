package ai.dgnet.bench;

import ai.dgnet.cli.OneLineErrors;
import ai.dgnet.models.Agreement;
import ai.dgnet.models.Arch;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.OpProfile;
import ai.onnxruntime.OrtEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * The comparison harness: our runtime against ONNX Runtime (and PyTorch where installed) on the same models,
 * weights and inputs. For every case and batch it first checks that ours and ORT give the same logits, then times
 * them in one process, run for run in turns; PyTorch is timed after them by {@code bench_torch.py}. A case whose
 * check fails at one batch is failed as a whole: no latency of it is reported and it is not profiled. Then GFLOP/s
 * against the machine's sgemm rate, with {@code --profile} where each runtime's time goes (its own profile each),
 * and peak memory (each runtime alone in a child JVM). The report is Markdown, on standard output and in
 * {@code --out} (unless that is {@code -}); progress goes to standard error, whose last line names what failed.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare DG-Net's runtime with ONNX Runtime and PyTorch: same logits first, then latency, "
                + "throughput, peak memory and GFLOP/s. Run from the repository root (bench/compare.sh does).",
                "A case whose logits differ from ONNX Runtime's (or cannot be compared) at one batch is failed as a "
                        + "whole: its other batches are not reported, it is not profiled, and the others carry on.",
                "Exit status 1 when anything failed: logits that differ, an export, a runtime or a measurement; "
                        + "the last line of standard error names the failed cases."})
public final class Compare implements Callable<Integer> {
    /** Image height and width; the nominal FLOP count below is for it. */
    private static final int SIZE = 224;
    /** Largest relative L2 error of the logits that counts as the same result (spec section 7). */
    static final double TOLERANCE = 1e-4;
    /** torchvision's ResNet-50 at 224x224: 4.09 GMAC, i.e. 8.18 GFLOP, per image. */
    private static final double RESNET50_GFLOP = 8.18;
    private static final int EFFICIENCY_BATCH = 32;
    /** Each runtime's latencies are kept for the percentiles: ten million runs take 160 MB and hours. */
    private static final int MAX_RUNS = 10_000_000;

    @Option(names = "--cases", split = ",", paramLabel = "CASE",
            defaultValue = "resnet50-torchvision,resnet50-dynamic,resnet50-static,mobilenet_v2-dynamic,"
                    + "regnet_y_400mf-dynamic",
            description = "ARCH-dynamic, ARCH-static or ARCH-torchvision (ORT and PyTorch run torchvision's model, "
                    + "ours the static DG model), comma-separated (default: ${DEFAULT-VALUE}).")
    private List<Case> cases;

    @Option(names = "--batches", split = ",", paramLabel = "N",
            description = "Batch sizes (default: 1,8,32; --quick: 1).")
    private List<Integer> batches;

    @Option(names = "--threads", paramLabel = "T", description = "Threads of every runtime (default: all cores).")
    private Integer threads;

    @Option(names = "--runs", paramLabel = "R",
            description = "Timed runs per runtime at batch 1; R/sqrt(N) at batch N, at least 5 (default: 30; "
                    + "--quick: 5).")
    private Integer runs;

    @Option(names = "--warmup", paramLabel = "W",
            description = "Untimed runs per runtime before timing at batch 1, scaled like --runs, at least 1 "
                    + "(default: 5; --quick: 2).")
    private Integer warmup;

    @Option(names = "--settle", paramLabel = "MS", defaultValue = "100",
            description = "Before each timed run, untimed runs of the same runtime for at least this long, so that "
                    + "the other runtime's worker threads have stopped spinning (default: ${DEFAULT-VALUE}).")
    private int settleMs;

    @Option(names = "--idle", paramLabel = "MS", defaultValue = "0",
            description = "Instead of --settle, leave both runtimes idle this long before each timed run, as "
                    + "requests that come one at a time with gaps between them meet them (default: ${DEFAULT-VALUE}: "
                    + "settle instead).")
    private int idleMs;

    @Option(names = "--quick", description = "A short run: batch 1, 5 runs, no peak-memory section.")
    private boolean quick;

    @Option(names = "--no-torch", description = "Leave PyTorch out (it is left out anyway where not installed).")
    private boolean noTorch;

    @Option(names = "--no-rss", description = "Leave the peak-memory section out.")
    private boolean noRss;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "The Python with torch and torchvision (default: ${DEFAULT-VALUE}).")
    private Path python;

    @Option(names = "--scripts", defaultValue = "tests/reference",
            description = "Folder of export_onnx.py and bench_torch.py (default: ${DEFAULT-VALUE}).")
    private Path scripts;

    @Option(names = "--onnx-dir", defaultValue = "bench/target/onnx",
            description = "ONNX export cache; an existing file is reused (default: ${DEFAULT-VALUE}).")
    private Path onnxDir;

    @Option(names = "--out", defaultValue = "bench/target/compare.md",
            description = "Where the report is written too, checked before the run; - for standard output alone "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--profile", arity = "0..1", paramLabel = "R", fallbackValue = "50",
            description = "Also show where each runtime's time goes, case by case at the smallest batch, over R more "
                    + "runs of each (default R: ${FALLBACK-VALUE}): ours from its op profile, ONNX Runtime's from its "
                    + "own profiler. A case whose logits check failed is not profiled; the profile's engines are "
                    + "checked too, and where they differ the case is failed, its timings withdrawn.")
    private Integer profileRuns;

    @Option(names = "--rss", paramLabel = "ours|ort",
            description = "Instead of comparing: run only this runtime on DG-ResNet-50 dynamic (batch 1, then 8) "
                    + "and print its peak RSS, once its last logits are checked against the other runtime's (exit "
                    + "status 1 where they differ). Ours without an ONNX file (none cached, no PyTorch to export "
                    + "one) prints its peak, then a line saying that its logits were not checked. The comparison "
                    + "runs it in a child JVM per runtime.")
    private Engine.Kind rss;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return OneLineErrors.commandLine(new Compare())
                .registerConverter(Case.class, Case::parse)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The counts the options (and {@code --quick}) come to. */
    record Plan(int threads, List<Integer> batches, int warmup, int runs, int settleMs, int idleMs) {
        /** Untimed runs at {@code batch}: scaled like {@link #runsAt}, at least 1 unless none were asked for. */
        int warmupAt(int batch) {
            return scaled(warmup, batch, Math.min(warmup, 1));
        }

        /** Timed runs at {@code batch}: as many at batch 1, divided by sqrt(batch) above, at least 5 (or all). */
        int runsAt(int batch) {
            return scaled(runs, batch, Math.min(runs, 5));
        }

        private static int scaled(int base, int batch, int min) {
            return Math.max(min, (int) Math.round(base / Math.sqrt(batch)));
        }
    }

    /**
     * One case at one batch. {@code ours} and {@code ort} are null when the case failed (here or at another batch),
     * {@code torch} when PyTorch was not timed or failed; {@code failure} says what failed, null when nothing did.
     * {@code ortLogits} are ORT's after the timed runs, which PyTorch's are checked against; null with {@code ort}.
     */
    record Row(Case c, int batch, double error, Latency ours, Latency ort, Latency torch, String failure,
               float[] ortLogits) {
        static Row failed(Case c, int batch, String why) {
            return new Row(c, batch, Double.NaN, null, null, null, why, null);
        }

        boolean measured() {
            return ours != null;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Plan plan = plan();
        PythonReference reference = new PythonReference(python, scripts, onnxDir);
        if (rss != null) {
            return PeakMemory.measure(rss, plan.threads(), () -> reference.onnx(PeakMemory.CASE, SIZE), SIZE) ? 0 : 1;
        }
        ReportFile.check(spec.commandLine(), out);
        String torchSkipped = noTorch ? "--no-torch" : reference.torchUnavailable();

        List<Row> rows = new ArrayList<>();
        for (Case c : cases) {
            rows.addAll(measure(c, plan, reference, torchSkipped == null));
        }

        // Profiled before the report is begun: a case whose profile's logits differ is failed, its timings withdrawn.
        StringBuilder profile = new StringBuilder();
        List<Case> profileFailed = profileRuns == null ? List.of() : profileSection(profile, reference, plan, rows);
        StringBuilder report = new StringBuilder(header(plan, reference, torchSkipped));
        report.append(latencySection(rows)).append(efficiencySection(rows, plan.threads())).append(profile);
        Set<String> failed = new LinkedHashSet<>();
        rows.stream().filter(row -> row.failure() != null).forEach(row -> failed.add(row.c().toString()));
        profileFailed.forEach(c -> failed.add(c.toString()));
        if (!(quick || noRss || peakMemorySection(report, reference, plan.threads()))) {
            failed.add("peak memory");
        }
        String verdict = failed.isEmpty() ? null : "FAILED: " + String.join(", ", failed);
        report.append(failuresSection(verdict, rows));

        System.out.print(report);
        if (ReportFile.write(out, report)) {
            System.err.println("report written to " + out);
        }
        if (verdict == null) {
            return 0;
        }
        System.err.println(verdict);
        return 1;
    }

    private Plan plan() {
        Plan plan = new Plan(threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                batches != null ? batches : quick ? List.of(1) : List.of(1, 8, 32),
                warmup != null ? warmup : quick ? 2 : 5,
                runs != null ? runs : quick ? 5 : 30,
                settleMs, idleMs);
        if (plan.threads() < 1 || plan.runs() < 1 || plan.warmup() < 0 || plan.settleMs() < 0 || plan.idleMs() < 0
                || plan.batches().stream().anyMatch(n -> n < 1) || (profileRuns != null && profileRuns < 1)) {
            throw new ParameterException(spec.commandLine(), "--threads, --runs, --batches and --profile must be "
                    + ">= 1, --warmup, --settle and --idle >= 0");
        }
        if (plan.runs() > MAX_RUNS) {
            throw new ParameterException(spec.commandLine(), "--runs must be <= " + MAX_RUNS + ", got " + plan.runs());
        }
        // Before any export: a count ours refuses would otherwise fail every case, one by one.
        try {
            CpuDevice.create(plan.threads()).close();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--threads: " + e.getMessage());
        }
        return plan;
    }

    /**
     * Every batch of {@code c}, failed loudly. A PyTorch failure fails its row only; a logits check that failed or
     * could not be made (without an ONNX file, before any) fails the whole case: see {@link #failedCase}.
     */
    private static List<Row> measure(Case c, Plan plan, PythonReference reference, boolean torch) {
        Path onnx;
        try {
            onnx = reference.onnx(c, SIZE);
        } catch (RuntimeException e) {
            return plan.batches().stream().map(batch -> reportFailure(Row.failed(c, batch, "no ONNX file: "
                    + e.getMessage()))).toList();
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < plan.batches().size(); i++) {
            int batch = plan.batches().get(i);
            System.err.printf(Locale.ROOT, "%s batch %d: checking logits, then %d warm-up and %d timed runs per "
                    + "runtime%n", c, batch, plan.warmupAt(batch), plan.runsAt(batch));
            Row checked = oursAndOrt(c, onnx, batch, plan);
            if (!checked.measured()) {
                List<Row> all = failedCase(c, plan.batches(), i, checked);
                all.forEach(Compare::reportFailure);
                return all;
            }
            Row row = torch ? withTorch(checked, reference, plan) : checked;
            rows.add(row.failure() == null ? row : reportFailure(row));
        }
        return rows;
    }

    /**
     * The rows of {@code c} when its logits check failed, or could not be made, at batch index {@code at}: that
     * batch's {@code failed} row, the batches before it withdrawn and those after it not run. The runtimes disagree on
     * this case, so no latency of it is a comparison of the same computation, wherever the check happened to fail.
     */
    static List<Row> failedCase(Case c, List<Integer> batches, int at, Row failed) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            rows.add(i == at ? failed : Row.failed(c, batches.get(i), (i < at ? "timing withdrawn" : "not run")
                    + ": the case failed at batch " + failed.batch()));
        }
        return rows;
    }

    private static Row reportFailure(Row row) {
        System.err.println("FAILED " + row.c() + " batch " + row.batch() + ": " + row.failure());
        return row;
    }

    /** Opens both runtimes on {@code c} at {@code batch} and {@link #timeInTurns times them}. */
    private static Row oursAndOrt(Case c, Path onnx, int batch, Plan plan) {
        try (Engine ours = Engine.Kind.OURS.open(c, onnx, plan.threads(), batch, SIZE);
             Engine ort = Engine.Kind.ORT.open(c, onnx, plan.threads(), batch, SIZE)) {
            return timeInTurns(c, batch, ours, ort, plan);
        } catch (RuntimeException e) {
            return Row.failed(c, batch, e.toString());
        }
    }

    /**
     * The logits check, then ours and ORT timed in turns, then the check again. The first run is the one that
     * prepares, and ours makes a new result there, where every later run writes into the previous one: only a check
     * after the timed runs covers the runs that were timed. The row's error is the larger of the two.
     */
    static Row timeInTurns(Case c, int batch, Engine ours, Engine ort, Plan plan) {
        double error = relativeL2(ours.run(), ort.run(), batch);
        if (!(error <= TOLERANCE)) {
            return Row.failed(c, batch, String.format(Locale.ROOT,
                    "logits differ from ONNX Runtime's: relative L2 error %.3g > %.0e", error, TOLERANCE));
        }
        for (int i = 0; i < plan.warmupAt(batch); i++) {
            ours.run();
            ort.run();
        }
        // In turns, so that whatever else the machine does in the meantime slows both alike.
        int runs = plan.runsAt(batch);
        double[] oursMs = new double[runs];
        double[] ortMs = new double[runs];
        for (int i = 0; i < runs; i++) {
            oursMs[i] = timedMillis(ours, plan);
            ortMs[i] = timedMillis(ort, plan);
        }
        float[] oursLogits = ours.run();
        float[] ortLogits = ort.run();
        double after = relativeL2(oursLogits, ortLogits, batch);
        if (!(after <= TOLERANCE)) {
            return Row.failed(c, batch, String.format(Locale.ROOT, "logits differ from ONNX Runtime's after the "
                    + "timed runs (not on the first run): relative L2 error %.3g > %.0e", after, TOLERANCE));
        }
        return new Row(c, batch, Math.max(error, after), Latency.of(oursMs), Latency.of(ortMs), null, null,
                ortLogits);
    }

    /**
     * {@code row} with PyTorch's latency, once its logits are checked against ORT's as ours are, on its first run
     * and after its timed runs; a PyTorch failure, logits that differ included, keeps the row's other numbers and
     * shows none of PyTorch's.
     */
    static Row withTorch(Row row, PythonReference reference, Plan plan) {
        Latency torch = null;
        String failure = null;
        try {
            PythonReference.Torch timed = reference.torch(row.c(), row.batch(), SIZE, plan.threads(),
                    plan.warmupAt(row.batch()), plan.runsAt(row.batch()));
            double first = relativeL2(timed.firstLogits(), row.ortLogits(), row.batch());
            double last = relativeL2(timed.logits(), row.ortLogits(), row.batch());
            if (!(first <= TOLERANCE)) {
                failure = String.format(Locale.ROOT, "PyTorch: logits differ from ONNX Runtime's on its first run: "
                        + "relative L2 error %.3g > %.0e", first, TOLERANCE);
            } else if (!(last <= TOLERANCE)) {
                failure = String.format(Locale.ROOT, "PyTorch: logits differ from ONNX Runtime's after the timed "
                        + "runs (not on the first run): relative L2 error %.3g > %.0e", last, TOLERANCE);
            } else {
                torch = timed.latency();
            }
        } catch (RuntimeException e) {
            failure = "PyTorch: " + e.getMessage();
        }
        return new Row(row.c(), row.batch(), row.error(), row.ours(), row.ort(), torch, failure, row.ortLogits());
    }

    /**
     * Milliseconds of one run of {@code engine}: after untimed runs of it for at least {@link Plan#settleMs} (at
     * least one), or after {@link Plan#idleMs} of nothing. Worker threads keep spinning for tens of milliseconds after
     * a run before they sleep (ORT's intra-op pool, oneDNN's OpenMP team). Timed right after the other runtime's run,
     * ResNet-50 at batch 1 on 2 cores measured 1.7x slower for ours (and 1.2x for ORT) than alone, the two pools
     * fighting for the cores; after settling, both measure what they do alone: the other's threads asleep, their own
     * busy. After idling, both runtimes' pools have slept, as between sporadic requests.
     */
    private static double timedMillis(Engine engine, Plan plan) {
        if (plan.idleMs() > 0) {
            try {
                Thread.sleep(plan.idleMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while idle", e);
            }
        } else {
            long settled = System.nanoTime() + plan.settleMs() * 1_000_000L;
            do {
                engine.run();
            } while (System.nanoTime() < settled);
        }
        long start = System.nanoTime();
        engine.run();
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * The largest {@code ||a_n - b_n|| / ||b_n||} over the {@code images} rows of logits, in double. Over the whole
     * batch, one image's error would be diluted by the others': a mismatch in one image of 32 could pass at almost six
     * times the tolerance. A length mismatch is a broken export.
     */
    static double relativeL2(float[] a, float[] b, int images) {
        if (a.length != b.length || a.length % images != 0) {
            throw new IllegalStateException("one runtime gave " + a.length + " logits, ONNX Runtime " + b.length
                    + ", for " + images + " images");
        }
        int classes = a.length / images;
        double worst = 0;
        for (int n = 0; n < images; n++) {
            // Math.max keeps a NaN, which no tolerance passes.
            worst = Math.max(worst, Agreement.relativeError(Arrays.copyOfRange(a, n * classes, (n + 1) * classes),
                    Arrays.copyOfRange(b, n * classes, (n + 1) * classes)));
        }
        return worst;
    }

    private String header(Plan plan, PythonReference reference, String torchSkipped) {
        StringBuilder text = new StringBuilder("# DG-Net runtime vs ONNX Runtime vs PyTorch\n\n");
        String torch = reference.torchVersion()
                .map(v -> torchSkipped == null ? v : v + "; not timed: " + torchSkipped)
                .orElse("not timed: " + torchSkipped);
        for (String line : Machine.describe(plan.threads(), OrtEnvironment.getEnvironment().getVersion(), torch)) {
            text.append(line).append('\n');
        }
        text.append(String.format(Locale.ROOT, "- method: logits of ours and ORT compared first and after the timed "
                        + "runs (relative L2 error <= %.0e for every image of the deterministic input of seed %d); "
                        + "then, in one process, %d warm-up and %d timed runs per runtime at batch 1 (at batch N: divided by sqrt(N)), run for run in turns, "
                        + "each timed run %s; PyTorch after them, in its own process, with the same counts, the "
                        + "logits of its first run and of its last timed run checked against ORT's alike%n",
                TOLERANCE, Workloads.INPUT_SEED, plan.warmup(), plan.runs(), plan.idleMs() > 0
                        ? "after " + plan.idleMs() + " ms of both runtimes idle"
                        : "after " + plan.settleMs() + " ms of untimed runs of the same runtime"));
        text.append("- ONNX Runtime: intra-op threads = threads, inter-op 1, sequential execution, ALL_OPT\n\n");
        return text.toString();
    }

    private String latencySection(List<Row> rows) {
        MarkdownTable table = new MarkdownTable(1, "case", "batch", "logits rel. L2", "ours median ms",
                "ours p90 ms", "ORT median ms", "ORT p90 ms", "ours/ORT", "ours img/s", "ORT img/s",
                "PyTorch median ms", "PyTorch p90 ms", "ours/PyTorch");
        for (Row row : rows) {
            String name = row.c().toString();
            String batch = Integer.toString(row.batch());
            if (!row.measured()) {
                table.add(name, batch, "FAILED", "", "", "", "", "", "", "", "", "", "");
                continue;
            }
            Latency torch = row.torch();
            String noTorch = row.failure() != null ? "FAILED" : "-";
            table.add(name, batch, String.format(Locale.ROOT, "%.1e", row.error()),
                    ms(row.ours().medianMs()), ms(row.ours().p90Ms()), ms(row.ort().medianMs()), ms(row.ort().p90Ms()),
                    ratio(row.ours(), row.ort()),
                    imagesPerSecond(row.ours(), row.batch()), imagesPerSecond(row.ort(), row.batch()),
                    torch == null ? noTorch : ms(torch.medianMs()), torch == null ? noTorch : ms(torch.p90Ms()),
                    torch == null ? noTorch : ratio(row.ours(), torch));
        }
        StringBuilder text = new StringBuilder("## Latency and throughput\n\n").append(table)
                .append("\nours/ORT and ours/PyTorch: ratio of median latencies, below 1 when ours is faster.\n\n");
        for (Case c : cases) {
            text.append("- `").append(c).append("`: ").append(c.description()).append('\n');
        }
        return text.append('\n').toString();
    }

    /** GFLOP/s of every runtime on ResNet-50 at batch 32, against the sgemm ceiling; empty without such a row. */
    private static String efficiencySection(List<Row> rows, int threads) {
        List<Row> resnet50 = rows.stream()
                .filter(row -> row.measured() && row.c().arch() == Arch.RESNET50 && row.batch() == EFFICIENCY_BATCH)
                .toList();
        if (resnet50.isEmpty()) {
            return "";
        }
        System.err.println("measuring the sgemm ceiling");
        double ceiling = SgemmCeiling.gflops(threads);
        MarkdownTable table = new MarkdownTable(2, "case", "runtime", "median ms", "GFLOP/s", "of ceiling");
        for (Row row : resnet50) {
            addEfficiency(table, row, Engine.Kind.OURS.toString(), row.ours(), ceiling);
            addEfficiency(table, row, Engine.Kind.ORT.toString(), row.ort(), ceiling);
            if (row.torch() != null) {
                addEfficiency(table, row, "PyTorch", row.torch(), ceiling);
            }
        }
        return String.format(Locale.ROOT, "## Compute efficiency (ResNet-50, batch %d)%n%n"
                + "Nominal %.2f GFLOP per 224x224 image (4.09 GMAC; DG routing and aggregation not counted). "
                + "Ceiling: oneDNN dnnl_sgemm, fp32, 2048x2048x2048, %d threads, best of 5: %.1f GFLOP/s.%n%n%s%n",
                EFFICIENCY_BATCH, RESNET50_GFLOP, threads, ceiling, table);
    }

    private static void addEfficiency(MarkdownTable table, Row row, String runtime, Latency latency, double ceiling) {
        double gflops = RESNET50_GFLOP * row.batch() / (latency.medianMs() / 1000);
        table.add(row.c().toString(), runtime, ms(latency.medianMs()), String.format(Locale.ROOT, "%.1f", gflops),
                String.format(Locale.ROOT, "%.0f%%", 100 * gflops / ceiling));
    }

    /**
     * Appends where each case's time goes in each runtime at the smallest batch; returns the cases whose profile
     * failed (the section says why). A case whose logits check failed is left out: it would profile a computation
     * that is not the one compared. Each runtime runs alone here, after its warm-up, in a fresh engine: ORT's
     * profiler would slow the timed runs above. Those engines' logits are checked too, and where they differ the case
     * is failed in {@code rows}, as if its timed check had failed.
     */
    private List<Case> profileSection(StringBuilder report, PythonReference reference, Plan plan, List<Row> rows) {
        int batch = Collections.min(plan.batches());
        report.append(String.format(Locale.ROOT, "## Where the time goes (batch %d, %d runs of each runtime)%n%n"
                + "Ours from its device's op profile and its DG kernels' clocks (Winograd transforms are in their "
                + "convolutions' time); ONNX Runtime's from its own profiler, which adds to the time of every node, so "
                + "that its milliseconds here exceed its latency above: compare its shares. \"Between ops\" is what "
                + "no op accounts for. The slowest tenth of each runtime's runs is left out (a JIT compilation "
                + "or another process would weigh on every op's mean). Then both runtimes' convolutions by shape "
                + "(ours without its epilogue, a pair oneDNN fuses as one row), with calls and ms per run: fewer "
                + "calls of ours are nodes no instance kept, which ours does not run.%n%n", batch, profileRuns));
        Set<Case> checkFailed = new LinkedHashSet<>();
        rows.stream().filter(row -> !row.measured()).forEach(row -> checkFailed.add(row.c()));
        if (!checkFailed.isEmpty()) {
            StringJoiner names = new StringJoiner(", ");
            checkFailed.forEach(c -> names.add(c.toString()));
            report.append("Not profiled, their logits check having failed: ").append(names).append("\n\n");
        }
        List<Case> failed = new ArrayList<>();
        for (Case c : cases.stream().filter(c -> !checkFailed.contains(c)).toList()) {
            System.err.println("profiling " + c + " at batch " + batch);
            try {
                Profiles profiles = profile(c, reference.onnx(c, SIZE), batch, plan, profileRuns);
                if (profiles.logitsDiffer() != null) {
                    withdraw(rows, c, profiles.logitsDiffer());
                    System.err.println("FAILED profile of " + c + ": " + profiles.logitsDiffer());
                    report.append("### ").append(c).append("\n\nFAILED: ").append(profiles.logitsDiffer())
                            .append("; its timings are withdrawn\n\n");
                    failed.add(c);
                    continue;
                }
                TimeSplit ours = profiles.ours();
                TimeSplit ort = profiles.ort();
                report.append("### ").append(c).append("\n\n").append(splitTable(ours, ort)).append('\n')
                        .append("- ours by kind, ms per run: ").append(byKind(ours)).append('\n')
                        .append("- ORT by op type, ms per run: ").append(byKind(ort)).append("\n\n")
                        .append(convolutionTable(ours, ort)).append('\n');
            } catch (RuntimeException | IOException e) {
                System.err.println("FAILED profile of " + c + ": " + e.getMessage());
                report.append("### ").append(c).append("\n\nFAILED: ").append(e.getMessage()).append("\n\n");
                failed.add(c);
            }
        }
        return failed;
    }

    /**
     * Fails {@code c} in {@code rows} as a failed logits check at a batch does: its profile's engines disagree, so
     * its timed runs are no comparison of the same computation either.
     */
    private static void withdraw(List<Row> rows, Case c, String why) {
        rows.replaceAll(row -> row.c().equals(c)
                ? reportFailure(Row.failed(c, row.batch(), "timing withdrawn: at the profile's batch, " + why))
                : row);
    }

    /**
     * Runs before a profile: the one that prepares, then as many as are profiled, at least the plan's warm-up. A
     * fresh JVM's first tens of runs are slow while the JIT compilers share the cores.
     */
    private static int untimedRuns(int batch, Plan plan, int profileRuns) {
        return 1 + Math.max(plan.warmupAt(batch), profileRuns);
    }

    /** Both runtimes' profiles of one case, or why their logits differ (then neither split is kept). */
    record Profiles(TimeSplit ours, TimeSplit ort, String logitsDiffer) {
    }

    /**
     * Profiles ours, then ORT, on {@code c} at {@code batch} over {@code profileRuns} runs each, in fresh engines
     * whose logits are checked as the timed engines' are: on the first run, before anything is profiled, and on the
     * last profiled run. Both engines are open throughout, each running alone in its turn.
     */
    static Profiles profile(Case c, Path onnx, int batch, Plan plan, int profileRuns) throws IOException {
        Path folder = Files.createTempDirectory("dgnet-ort-profile");
        try (Engine.Ours ours = new Engine.Ours(c.arch(), c.mode(), plan.threads(), batch, SIZE);
             Engine.Ort ort = new Engine.Ort(onnx, plan.threads(), batch, SIZE, folder.resolve("ort"))) {
            double first = relativeL2(ours.run(), ort.run(), batch);
            if (!(first <= TOLERANCE)) {
                return new Profiles(null, null, String.format(Locale.ROOT, "logits differ from ONNX Runtime's in "
                        + "the profile's engines: relative L2 error %.3g > %.0e", first, TOLERANCE));
            }
            int untimed = untimedRuns(batch, plan, profileRuns);
            TimeSplit oursSplit = profileOurs(ours, untimed - 1, profileRuns);
            // The trace holds every run; the split leaves the untimed ones out.
            float[] ortLast = null;
            for (int i = 1; i < untimed + profileRuns; i++) {
                ortLast = ort.run();
            }
            TimeSplit ortSplit = TimeSplit.ofOrtProfile(ort.endProfiling(), untimed);
            double last = relativeL2(ours.lastLogits(), ortLast, batch);
            if (!(last <= TOLERANCE)) {
                return new Profiles(null, null, String.format(Locale.ROOT, "logits differ from ONNX Runtime's "
                        + "after the profiled runs (not on the first run): relative L2 error %.3g > %.0e", last,
                        TOLERANCE));
            }
            return new Profiles(oursSplit, ortSplit, null);
        } finally {
            try (var files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        }
    }

    /** {@code untimed} runs of {@code ours}, then {@code runs} profiled ones. */
    private static TimeSplit profileOurs(Engine.Ours ours, int untimed, int runs) {
        for (int i = 0; i < untimed; i++) {
            ours.infer();
        }
        CpuDevice device = ours.device();
        List<OurRun> profiled = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            List<OpProfile> before = device.profile();
            long routing = device.routingNanos();
            long aggregation = device.aggregationNanos();
            long start = System.nanoTime();
            ours.infer();
            long wall = System.nanoTime() - start;
            profiled.add(new OurRun(wall, OpProfile.between(before, device.profile()),
                    device.routingNanos() - routing, device.aggregationNanos() - aggregation));
        }
        List<OurRun> kept = TimeSplit.withoutTheSlowest(profiled, OurRun::wallNanos);
        return TimeSplit.ofOurs(kept.size(), kept.stream().mapToLong(OurRun::wallNanos).sum(),
                OpProfile.byKind(kept.stream().flatMap(run -> run.ops().stream()).toList()),
                kept.stream().mapToLong(OurRun::routingNanos).sum(),
                kept.stream().mapToLong(OurRun::aggregationNanos).sum());
    }

    /** What one profiled run of ours took, in all and op by op. */
    private record OurRun(long wallNanos, List<OpProfile> ops, long routingNanos, long aggregationNanos) {
    }

    /** Both runtimes' convolutions by shape, the one that took longer in either runtime first. */
    static MarkdownTable convolutionTable(TimeSplit ours, TimeSplit ort) {
        MarkdownTable table = new MarkdownTable(1, "convolution", "ours calls/run", "ours ms/run", "ORT calls/run",
                "ORT ms/run");
        Set<String> shapes = new TreeSet<>(ours.convolutions().keySet());
        shapes.addAll(ort.convolutions().keySet());
        Comparator<String> longest = Comparator.comparingDouble(shape -> -Math.max(
                millisPerRun(ours, shape), millisPerRun(ort, shape)));
        shapes.stream().sorted(longest.thenComparing(Comparator.naturalOrder())).forEach(shape -> table.add(shape,
                callsPerRun(ours, shape), msPerRun(ours, shape), callsPerRun(ort, shape), msPerRun(ort, shape)));
        return table;
    }

    private static double millisPerRun(TimeSplit split, String shape) {
        TimeSplit.Calls calls = split.convolutions().get(shape);
        return calls == null ? 0 : calls.nanos() / 1e6 / split.runs();
    }

    /** The shape's ms per run, or a dash where the runtime ran none of it. */
    private static String msPerRun(TimeSplit split, String shape) {
        return split.convolutions().containsKey(shape) ? ms3(millisPerRun(split, shape)) : "-";
    }

    private static String callsPerRun(TimeSplit split, String shape) {
        TimeSplit.Calls calls = split.convolutions().get(shape);
        if (calls == null) {
            return "-";
        }
        double perRun = (double) calls.calls() / split.runs();
        return perRun == Math.rint(perRun) ? Long.toString((long) perRun) : String.format(Locale.ROOT, "%.2f", perRun);
    }

    private static MarkdownTable splitTable(TimeSplit ours, TimeSplit ort) {
        MarkdownTable table = new MarkdownTable(1, "part", "ours ms/run", "ours share", "ORT ms/run", "ORT share");
        for (TimeSplit.Part part : TimeSplit.Part.values()) {
            table.add(part.toString(), ms3(ours.millisPerRun(part)), percent(ours.share(part)),
                    ms3(ort.millisPerRun(part)), percent(ort.share(part)));
        }
        return table.add("all", ms3(ours.totalMillisPerRun()), "", ms3(ort.totalMillisPerRun()), "");
    }

    /** The kinds of op that took at least 0.01 ms per run, the most first. */
    private static String byKind(TimeSplit split) {
        StringJoiner kinds = new StringJoiner(", ");
        split.byKind().forEach((kind, nanos) -> {
            double perRun = nanos / 1e6 / split.runs();
            if (perRun >= 0.01) {
                kinds.add(kind + " " + ms3(perRun));
            }
        });
        return kinds.toString();
    }

    /** Appends the peak-memory section; false if a child failed (the section says why). */
    private boolean peakMemorySection(StringBuilder report, PythonReference reference, int threads)
            throws InterruptedException {
        report.append("## Peak resident memory\n\n");
        try {
            reference.onnx(PeakMemory.CASE, SIZE);
            Map<Engine.Kind, Long> kib = new EnumMap<>(Engine.Kind.class);
            MarkdownTable table = new MarkdownTable(1, "runtime", "peak RSS (VmHWM) MiB");
            for (Engine.Kind kind : Engine.Kind.values()) {
                System.err.println("peak memory of " + kind + ", alone in a child JVM");
                kib.put(kind, PeakMemory.inChild(kind, threads, onnxDir));
                table.add(kind.toString(), String.format(Locale.ROOT, "%.0f", kib.get(kind) / 1024.0));
            }
            report.append(String.format(Locale.ROOT, "`%s` at batch 1, then 8, a few runs each; each runtime alone "
                            + "in a fresh JVM with the same flags and threads. ours/ORT: %.2f%n%n%s%n",
                    PeakMemory.CASE, (double) kib.get(Engine.Kind.OURS) / kib.get(Engine.Kind.ORT), table));
            return true;
        } catch (RuntimeException | IOException e) {
            System.err.println("FAILED peak memory: " + e.getMessage());
            report.append("FAILED: ").append(e.getMessage()).append("\n\n");
            return false;
        }
    }

    /** What failed: the {@code verdict} naming it, then each failed row; empty when nothing did. */
    private static String failuresSection(String verdict, List<Row> rows) {
        if (verdict == null) {
            return "";
        }
        StringBuilder text = new StringBuilder("## Failures\n\n").append(verdict).append("\n\n");
        for (Row row : rows) {
            if (row.failure() != null) {
                text.append("- ").append(row.c()).append(" batch ").append(row.batch()).append(": ")
                        .append(row.failure()).append('\n');
            }
        }
        return text.toString();
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.1f", millis);
    }

    private static String ms3(double millis) {
        return String.format(Locale.ROOT, "%.3f", millis);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String ratio(Latency ours, Latency other) {
        return String.format(Locale.ROOT, "%.2f", ours.medianMs() / other.medianMs());
    }

    /** Throughput matters for batched runs only; at batch 1 it is just the inverse of the latency. */
    private static String imagesPerSecond(Latency latency, int batch) {
        return batch == 1 ? "-" : String.format(Locale.ROOT, "%.1f", latency.imagesPerSecond(batch));
    }
}
