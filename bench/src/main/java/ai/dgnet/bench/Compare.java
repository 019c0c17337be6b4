package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.onnxruntime.OrtEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The comparison harness: our runtime against ONNX Runtime (and PyTorch where installed) on the same models,
 * weights and inputs. For every case and batch it first checks that ours and ORT give the same logits, then times
 * them in one process, run for run in turns; PyTorch is timed after them by {@code bench_torch.py}. Then peak
 * memory (each runtime alone in a child JVM) and GFLOP/s against the machine's sgemm rate. The report is Markdown,
 * on standard output and in {@code --out}; progress goes to standard error.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare DG-Net's runtime with ONNX Runtime and PyTorch: same logits first, then latency, "
                + "throughput, peak memory and GFLOP/s. Run from the repository root (bench/compare.sh does).",
                "Exit status 1 when any case failed (its logits differ, or a runtime or export failed)."})
public final class Compare implements Callable<Integer> {
    /** Image height and width; the nominal FLOP count below is for it. */
    static final int SIZE = 224;
    /** Largest relative L2 error of the logits that counts as the same result (spec section 7). */
    static final double TOLERANCE = 1e-4;
    /** torchvision's ResNet-50 at 224x224: 4.09 GMAC, i.e. 8.18 GFLOP, per image. */
    private static final double RESNET50_GFLOP = 8.18;
    private static final int EFFICIENCY_BATCH = 32;

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
            description = "Where the report is written too (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--rss", paramLabel = "ours|ort",
            description = "Instead of comparing: run only this runtime on DG-ResNet-50 dynamic (batch 1, then 8) "
                    + "and print its peak RSS. The comparison runs it in a child JVM per runtime.")
    private Engine.Kind rss;

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new Compare())
                .registerConverter(Case.class, Case::parse)
                .setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cmd.execute(args));
    }

    /** One case at one batch: the check's error and each runtime's latency, or why it failed. */
    private record Row(Case c, int batch, double error, Latency ours, Latency ort, Optional<Latency> torch,
                       String failure) {
        static Row failed(Case c, int batch, String why) {
            return new Row(c, batch, Double.NaN, null, null, Optional.empty(), why);
        }

        boolean ok() {
            return failure == null;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<Integer> batchList = batches != null ? batches : quick ? List.of(1) : List.of(1, 8, 32);
        int baseRuns = runs != null ? runs : quick ? 5 : 30;
        int baseWarmup = warmup != null ? warmup : quick ? 2 : 5;
        if (t < 1 || baseRuns < 1 || baseWarmup < 0 || batchList.stream().anyMatch(n -> n < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--threads, --runs and --batches must be >= 1, --warmup >= 0");
        }
        PythonReference reference = new PythonReference(python, scripts, onnxDir);
        if (rss != null) {
            PeakMemory.measure(rss, t, rss == Engine.Kind.ORT ? reference.onnx(PeakMemory.CASE, SIZE) : null, SIZE);
            return 0;
        }
        String torchSkipped = noTorch ? "--no-torch" : reference.torchUnavailable();
        boolean torch = torchSkipped == null;

        List<Row> rows = new ArrayList<>();
        for (Case c : cases) {
            Path onnx;
            try {
                onnx = reference.onnx(c, SIZE);
            } catch (RuntimeException e) {
                for (int batch : batchList) {
                    rows.add(fail(Row.failed(c, batch, "no ONNX file: " + e.getMessage())));
                }
                continue;
            }
            for (int batch : batchList) {
                int w = scaled(baseWarmup, batch, Math.min(baseWarmup, 1));
                int r = scaled(baseRuns, batch, Math.min(baseRuns, 5));
                System.err.printf(Locale.ROOT, "%s batch %d: checking logits, then %d warm-up and %d timed runs "
                        + "per runtime%n", c, batch, w, r);
                Row row = measure(c, onnx, batch, t, w, r);
                if (row.ok() && torch) {
                    row = withTorch(row, reference, t, w, r);
                }
                rows.add(row.ok() ? row : fail(row));
            }
        }

        StringBuilder report = new StringBuilder();
        report.append("# DG-Net runtime vs ONNX Runtime vs PyTorch\n\n");
        String torchLine = reference.torchVersion().map(v -> v + (torch ? "" : "; not timed: " + torchSkipped))
                .orElse("not timed: " + torchSkipped);
        Machine.describe(t, OrtEnvironment.getEnvironment().getVersion(), torchLine)
                .forEach(line -> report.append(line).append('\n'));
        report.append(String.format(Locale.ROOT, "- method: logits of ours and ORT compared first (relative L2 "
                + "error <= %.0e on the deterministic input of seed %d); then, in one process, run for run in turns, "
                + "%d warm-up and %d timed runs per runtime at batch 1 (at batch N: divided by sqrt(N)); PyTorch "
                + "after them, in its own process, with the same counts%n", TOLERANCE, Workloads.INPUT_SEED,
                baseWarmup, baseRuns));
        report.append("- ONNX Runtime: intra-op threads = threads, inter-op 1, sequential execution, ALL_OPT\n\n");
        report.append("## Latency and throughput\n\n").append(latencyTable(rows)).append('\n');
        report.append("ours/ORT and ours/PyTorch: ratio of median latencies, below 1 when ours is faster.\n\n");
        for (Case c : cases) {
            report.append("- `").append(c).append("`: ").append(c.description()).append('\n');
        }
        report.append('\n');
        boolean failed = rows.stream().anyMatch(row -> !row.ok());
        report.append(efficiency(rows, t));
        if (!quick && !noRss) {
            failed |= !peakMemory(report, reference, t);
        }
        if (failed) {
            report.append("## Failures\n\n");
            rows.stream().filter(row -> !row.ok()).forEach(row -> report.append("- ").append(row.c())
                    .append(" batch ").append(row.batch()).append(": ").append(row.failure()).append('\n'));
        }

        System.out.print(report);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(out, report);
        System.err.println("report written to " + out);
        return failed ? 1 : 0;
    }

    /** {@code base} runs at batch 1, {@code base / sqrt(batch)} at larger batches, never below {@code min}. */
    private static int scaled(int base, int batch, int min) {
        return Math.max(min, (int) Math.round(base / Math.sqrt(batch)));
    }

    private static Row fail(Row row) {
        System.err.println("FAILED " + row.c() + " batch " + row.batch() + ": " + row.failure());
        return row;
    }

    /** The logits check, then ours and ORT timed in turns. */
    private static Row measure(Case c, Path onnx, int batch, int threads, int warmup, int runs) {
        try (Engine ours = Engine.Kind.OURS.open(c, onnx, threads, batch, SIZE);
             Engine ort = Engine.Kind.ORT.open(c, onnx, threads, batch, SIZE)) {
            // Also each runtime's first run: the one that prepares, never timed.
            double error = relativeL2(ours.run(), ort.run());
            if (!(error <= TOLERANCE)) {
                return Row.failed(c, batch, String.format(Locale.ROOT,
                        "logits differ from ONNX Runtime's: relative L2 error %.3g > %.0e", error, TOLERANCE));
            }
            for (int i = 0; i < warmup; i++) {
                ours.run();
                ort.run();
            }
            // In turns, so that whatever else the machine does in the meantime slows both alike.
            double[] oursMs = new double[runs];
            double[] ortMs = new double[runs];
            for (int i = 0; i < runs; i++) {
                oursMs[i] = millis(ours);
                ortMs[i] = millis(ort);
            }
            return new Row(c, batch, error, Latency.of(oursMs), Latency.of(ortMs), Optional.empty(), null);
        } catch (RuntimeException e) {
            return Row.failed(c, batch, e.toString());
        }
    }

    private static Row withTorch(Row row, PythonReference reference, int threads, int warmup, int runs) {
        try {
            return new Row(row.c(), row.batch(), row.error(), row.ours(), row.ort(),
                    Optional.of(reference.torchLatency(row.c(), row.batch(), SIZE, threads, warmup, runs)), null);
        } catch (RuntimeException e) {
            return Row.failed(row.c(), row.batch(), "PyTorch: " + e.getMessage());
        }
    }

    private static double millis(Engine engine) {
        long start = System.nanoTime();
        engine.run();
        return (System.nanoTime() - start) / 1e6;
    }

    /** {@code ||a - b|| / ||b||}, in double. */
    static double relativeL2(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("ours gave " + a.length + " logits, ONNX Runtime " + b.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            diff += d * d;
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static MarkdownTable latencyTable(List<Row> rows) {
        MarkdownTable table = new MarkdownTable("case", "batch", "logits rel. L2", "ours median ms", "ours p90 ms",
                "ORT median ms", "ORT p90 ms", "ours/ORT", "ours img/s", "ORT img/s", "PyTorch median ms",
                "PyTorch p90 ms", "ours/PyTorch");
        for (Row row : rows) {
            if (!row.ok()) {
                table.add(row.c().toString(), Integer.toString(row.batch()), "FAILED", "", "", "", "", "", "", "", "",
                        "", "");
                continue;
            }
            Optional<Latency> torch = row.torch();
            table.add(row.c().toString(), Integer.toString(row.batch()),
                    String.format(Locale.ROOT, "%.1e", row.error()),
                    ms(row.ours().medianMs()), ms(row.ours().p90Ms()), ms(row.ort().medianMs()), ms(row.ort().p90Ms()),
                    ratio(row.ours(), row.ort()),
                    imagesPerSecond(row.ours(), row.batch()), imagesPerSecond(row.ort(), row.batch()),
                    torch.map(l -> ms(l.medianMs())).orElse("-"), torch.map(l -> ms(l.p90Ms())).orElse("-"),
                    torch.map(l -> ratio(row.ours(), l)).orElse("-"));
        }
        return table;
    }

    /** GFLOP/s of every runtime on ResNet-50 at batch 32, against the sgemm ceiling; empty without such a row. */
    private static String efficiency(List<Row> rows, int threads) {
        List<Row> resnet50 = rows.stream()
                .filter(row -> row.ok() && row.c().arch() == Arch.RESNET50 && row.batch() == EFFICIENCY_BATCH)
                .toList();
        if (resnet50.isEmpty()) {
            return "";
        }
        System.err.println("measuring the sgemm ceiling");
        double ceiling = SgemmCeiling.gflops(threads);
        MarkdownTable table = new MarkdownTable("case", "runtime", "median ms", "GFLOP/s", "of ceiling");
        for (Row row : resnet50) {
            addEfficiency(table, row, "ours", row.ours(), ceiling);
            addEfficiency(table, row, "ONNX Runtime", row.ort(), ceiling);
            row.torch().ifPresent(l -> addEfficiency(table, row, "PyTorch", l, ceiling));
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

    /** Appends the peak-memory section; false if a child failed (the section says why). */
    private boolean peakMemory(StringBuilder report, PythonReference reference, int threads)
            throws InterruptedException {
        report.append("## Peak resident memory\n\n");
        try {
            reference.onnx(PeakMemory.CASE, SIZE);
            long[] kib = new long[Engine.Kind.values().length];
            for (Engine.Kind kind : Engine.Kind.values()) {
                System.err.println("peak memory of " + kind + ", alone in a child JVM");
                kib[kind.ordinal()] = PeakMemory.inChild(kind, threads, onnxDir);
            }
            MarkdownTable table = new MarkdownTable("runtime", "peak RSS (VmHWM) MiB");
            for (Engine.Kind kind : Engine.Kind.values()) {
                table.add(kind.toString(), String.format(Locale.ROOT, "%.0f", kib[kind.ordinal()] / 1024.0));
            }
            report.append(String.format(Locale.ROOT, "%s (DG-ResNet-50 dynamic, batch 1 then 8, a few runs each; "
                            + "each runtime alone in a fresh JVM with the same flags): ours/ORT %.2f%n%n%s%n",
                    PeakMemory.CASE, (double) kib[Engine.Kind.OURS.ordinal()] / kib[Engine.Kind.ORT.ordinal()],
                    table));
            return true;
        } catch (RuntimeException | IOException e) {
            System.err.println("FAILED peak memory: " + e.getMessage());
            report.append("FAILED: ").append(e.getMessage()).append("\n\n");
            return false;
        }
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.1f", millis);
    }

    private static String ratio(Latency ours, Latency other) {
        return String.format(Locale.ROOT, "%.2f", ours.medianMs() / other.medianMs());
    }

    /** Throughput matters for batched runs only; at batch 1 it is just the inverse of the latency. */
    private static String imagesPerSecond(Latency latency, int batch) {
        return batch == 1 ? "-" : String.format(Locale.ROOT, "%.1f", latency.imagesPerSecond(batch));
    }
}
