package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.LayerProfile;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.arch.Cost;
import ai.dgnet.models.io.AtomicFile;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.OpProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code dgnet bench MODEL...}: latency and throughput of models on a deterministic batch, compared in turns. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time MODEL on a deterministic batch: warm-up runs (the first prepares kernels and weights), "
                + "then timed runs; prints latency percentiles, throughput and where the time went: oneDNN, routing, "
                + "weighted sums, Winograd transforms and the rest; with --profile, the ops (or with --layers, the "
                + "layers) that took the most time. Several MODELs are timed in turns (run 1 of each, then run 2 of "
                + "each, ...), so that a machine's changes of speed meet each alike, and compared in one table.")
final class BenchCommand implements Callable<Integer> {
    /** The seed of the input, as {@code dgnet demo}'s (weights seed + 1). */
    private static final long INPUT_SEED = ModelArgument.SEED + 1;

    @Parameters(arity = "1..*", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION
            + " The same MODEL twice times it against itself: the spread of a comparison with no difference.")
    List<String> models;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Images per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Option(names = "--size", paramLabel = "S",
            description = "Image height and width (default: the model's crop, 224 without one).")
    Integer size;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N",
            description = "Untimed runs first, of each MODEL (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "20", paramLabel = "N",
            description = "Timed runs, of each MODEL (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--profile", arity = "0..1", fallbackValue = "" + DEFAULT_PROFILE_LINES, paramLabel = "N",
            description = "Also list the N kinds of op that took the most time in the timed runs (default N: "
                    + DEFAULT_PROFILE_LINES + "; 0: all), each with its kernel, its share of the time, its time and "
                    + "calls per run, and GFLOP/s as direct computation counts them; of each MODEL, after the table.")
    Integer profile;

    @Option(names = "--layers",
            description = "With --profile, one line per layer (its name in the model, such as torchvision's "
                    + "layer1.0.conv1) instead of one per kind of op.")
    boolean layers;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the results as JSON to FILE: the machine, the date, the options and each "
                    + "MODEL's latencies, throughput and time split. With -, to standard output, and the rest of the "
                    + "output to standard error.")
    Path json;

    @Spec
    CommandSpec spec;

    private static final int DEFAULT_PROFILE_LINES = 15;

    /** A model ready to run: its session on a device of its own, and its input. */
    private record Contender(String argument, ModelConfig config, CpuDevice device, Session session, Tensor input) {
        String name() {
            return ModelArgument.name(argument);
        }

        /** The line that introduces it: its architecture, mode, threshold, precision and input. */
        String description() {
            return String.format(Locale.ROOT, "%s: %s (%s, threshold %.2f, %s), input %s", name(), config.arch(),
                    config.mode().label(), session.threshold(), session.precision(), input.shape());
        }
    }

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--batch", 1, batch);
        OptionChecks.atLeast("--runs", 1, runs);
        OptionChecks.atMost("--runs", Timing.MAX_RUNS, runs);
        OptionChecks.atLeast("--size", 1, size);
        OptionChecks.atLeast("--warmup", 0, warmup);
        OptionChecks.atLeast("--profile", 0, profile);
        if (layers && profile == null) {
            throw new IllegalArgumentException("--layers lists the profile by layer: give --profile too");
        }
        if (json != null && !jsonToStandardOutput()) {
            OptionChecks.creatable(json);
            OptionChecks.notAnInput("--json", json, models.stream().distinct()
                    .collect(Collectors.toMap(model -> "the model " + model, Path::of)));
        }
        return prepare(0, new ArrayList<>());
    }

    /**
     * Prepares the models from the {@code next}th on, each holding what it opened until all have run; then
     * {@link #bench}es them. A model that cannot be opened stops the command before any of them runs.
     */
    private int prepare(int next, List<Contender> prepared) throws IOException {
        if (next == models.size()) {
            return bench(prepared);
        }
        String model = models.get(next);
        // A device per model keeps its counters and op profile to that model, however the runs interleave. It adds
        // no threads: the OpenMP runtime keeps one pool of workers per calling thread, which every device's
        // primitives and DG kernels share, and only one model runs at a time.
        try (DgModel dg = ModelArgument.open(model);
             CpuDevice device = threads.device();
             Session session = dg.session(device, sessionOption.options())) {
            ModelConfig config = dg.config();
            int side = size != null ? size : config.imageSize();
            Shape shape = Shape.of(batch, config.inChannels(), side, side);
            try (Tensor input = Tensor.allocate(shape, DType.F32, Layout.NCHW)) {
                DeterministicWeights.generate("input", shape.dims(), INPUT_SEED, input.segment());
                prepared.add(new Contender(model, config, device, session, input));
                return prepare(next + 1, prepared);
            }
        }
    }

    /** Warms every model up, times them in turns and reports. */
    private int bench(List<Contender> contenders) throws IOException {
        // Standard output takes the JSON alone, for a pipe; the table goes where a person watching still sees it.
        PrintWriter out = jsonToStandardOutput() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        boolean single = contenders.size() == 1;
        for (Contender contender : contenders) {
            out.println(contender.description());
        }
        CpuDevice first = contenders.getFirst().device();
        out.println("device: " + first.name() + (single ? "" : ", one per model"));
        List<Timing.Runs> timed = new ArrayList<>();
        List<String> warmups = new ArrayList<>();
        for (Contender contender : contenders) {
            Result result = null;
            long start = System.nanoTime();
            for (int i = 0; i < warmup; i++) {
                result = contender.session().run(contender.input(), result);
            }
            warmups.add(String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e6));
            timed.add(new Timing.Runs(contender.device(), contender.session(), contender.input(), result, runs));
        }
        if (warmup > 0) {
            out.printf(Locale.ROOT, "warm-up: %s%s in %s ms (the first prepares kernels and weights)%n",
                    Timing.count(warmup, "run"), single ? "" : " each", String.join(", ", warmups));
        }
        // In turns: the machine's speed drifts over seconds to minutes, and one model timed after another would
        // take its drift for a difference between them.
        for (int i = 0; i < runs; i++) {
            for (Timing.Runs model : timed) {
                model.next();
            }
        }
        List<Timing> timings = timed.stream().map(Timing.Runs::timing).toList();
        String date = BenchReport.now();
        int lines = profile == null ? 0 : profile == 0 ? Integer.MAX_VALUE : profile;
        if (single) {
            printSummary(out, timings.getFirst());
        } else {
            printTable(out, contenders, timings);
        }
        for (int i = 0; i < contenders.size() && profile != null; i++) {
            if (!single) {
                out.println(contenders.get(i).name() + " (model " + (i + 1) + "):");
            }
            printProfile(out, timings.get(i), lines);
        }
        out.flush();
        if (json != null) {
            ByteBuffer bytes = ByteBuffer.wrap(report(date, first, contenders, timings).json());
            if (jsonToStandardOutput()) {
                StandardOutput.write(channel -> AtomicFile.writeFully(channel, bytes));
            } else {
                AtomicFile.write(json, channel -> AtomicFile.writeFully(channel, bytes));
                out.println("wrote " + json);
            }
        }
        return 0;
    }

    private boolean jsonToStandardOutput() {
        return json != null && StandardOutput.isNamedBy(json);
    }

    /** One model's latencies, throughput and time split, a line each. */
    private void printSummary(PrintWriter out, Timing timing) {
        out.printf(Locale.ROOT, "latency over %s (ms): min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n",
                Timing.count(runs, "run"), timing.min(), timing.percentile(50), timing.percentile(90),
                timing.percentile(99), timing.max());
        out.printf(Locale.ROOT, "throughput: %.1f images/s; %.1f%% of the time in oneDNN primitives%n",
                imagesPerSecond(timing), 100 * timing.inPrimitives());
        out.printf(Locale.ROOT, "outside oneDNN: %.1f%% routing, %.1f%% weighted sums, %.1f%% Winograd "
                        + "transforms, %.1f%% the rest%n", 100 * timing.inRouting(),
                100 * timing.inAggregation(), 100 * timing.inTransforms(), 100 * timing.inRest());
    }

    /** The models side by side, a row each in the order given, the first the others' measure. */
    private void printTable(PrintWriter out, List<Contender> contenders, List<Timing> timings) {
        int nameWidth = "model".length();
        int inputWidth = "input".length();
        for (Contender contender : contenders) {
            nameWidth = Math.max(nameWidth, contender.name().length());
            inputWidth = Math.max(inputWidth, contender.input().shape().toString().length());
        }
        String format = "%-" + nameWidth + "s  %-7s  %-9s  %-" + inputWidth + "s  %8s  %8s  %8s  %9s  %10s  %14s  "
                + "%9s%n";
        out.printf(Locale.ROOT, "latency over %s of each, in turns (ms):%n", Timing.count(runs, "run"));
        out.printf(Locale.ROOT, format, "model", "mode", "precision", "input", "p50", "p90", "p99", "images/s",
                "GMAC/image", "outside oneDNN", "p50 ratio");
        double baseline = timings.getFirst().percentile(50);
        for (int i = 0; i < contenders.size(); i++) {
            Contender contender = contenders.get(i);
            Timing timing = timings.get(i);
            out.printf(Locale.ROOT, format, contender.name(), contender.config().mode().label(),
                    contender.session().precision(), contender.input().shape(),
                    String.format(Locale.ROOT, "%.2f", timing.percentile(50)),
                    String.format(Locale.ROOT, "%.2f", timing.percentile(90)),
                    String.format(Locale.ROOT, "%.2f", timing.percentile(99)),
                    String.format(Locale.ROOT, "%.1f", imagesPerSecond(timing)),
                    String.format(Locale.ROOT, "%.3f", gmacPerImage(contender)),
                    String.format(Locale.ROOT, "%.1f%%", 100 * (1 - timing.inPrimitives())),
                    String.format(Locale.ROOT, "%.2fx", timing.percentile(50) / baseline));
        }
    }

    private BenchReport report(String date, CpuDevice device, List<Contender> contenders, List<Timing> timings) {
        long start = timings.stream().mapToLong(Timing::firstStart).min().orElseThrow();
        double baseline = timings.getFirst().percentile(50);
        List<BenchReport.ModelResult> results = new ArrayList<>();
        for (int i = 0; i < contenders.size(); i++) {
            Contender contender = contenders.get(i);
            Timing timing = timings.get(i);
            results.add(new BenchReport.ModelResult(contender.argument(), contender.name(),
                    contender.config().mode().label(), contender.session().threshold(),
                    contender.session().precision().toString(),
                    Arrays.stream(contender.input().shape().dims()).boxed().toList(), gmacPerImage(contender), runs,
                    BenchReport.Latency.of(timing), imagesPerSecond(timing), BenchReport.TimeSplit.of(timing),
                    timing.percentile(50) / baseline, new BenchReport.Window((timing.firstStart() - start) / 1e6,
                    (timing.lastEnd() - start) / 1e6)));
        }
        return new BenchReport(date, BenchReport.Machine.of(device), new BenchReport.Options(batch,
                device.threads(), warmup, runs, sessionOption.precision, size, sessionOption.threshold), results);
    }

    private double imagesPerSecond(Timing timing) {
        return (double) batch * runs / (timing.totalMillis() / 1e3);
    }

    /** The backbone's multiply-accumulates per image of the contender's size, in billions, as dgnet info counts. */
    private static double gmacPerImage(Contender contender) {
        ModelConfig config = contender.config();
        Shape shape = contender.input().shape();
        Cost cost = Cost.of(Architectures.build(config.arch(), config.inChannels(), config.numClasses()),
                shape.dim(2), shape.dim(3));
        return cost.backbone().macs() / 1e9;
    }

    /**
     * The {@code lines} kinds of op (or, with {@code --layers}, layers) that took the most time, one line each, and
     * what the others took together.
     */
    private void printProfile(PrintWriter out, Timing timing, int lines) {
        List<LayerProfile> rows = layers ? timing.layers()
                : timing.ops().stream().map(op -> new LayerProfile("", op)).toList();
        List<LayerProfile> shown = rows.subList(0, Math.min(lines, rows.size()));
        String what = layers ? "layers" : "kinds";
        double total = timing.totalMillis() * 1e6;
        out.printf(Locale.ROOT, "%s by time over %s (%s):%n", layers ? "layers" : "ops", Timing.count(runs, "run"),
                shown.size() == rows.size() ? "all " + rows.size() + " " + what
                        : "the " + shown.size() + " costliest of " + rows.size() + " " + what);
        int layerWidth = "layer".length();
        int opWidth = "op".length();
        for (LayerProfile row : shown) {
            layerWidth = Math.max(layerWidth, row.layer().length());
            opWidth = Math.max(opWidth, row.op().op().length());
        }
        String layer = layers ? "%-" + layerWidth + "s  " : "%s";
        String format = "  %6s  %8s  %6s  %7s  " + layer + "%-" + opWidth + "s  %s%n";
        out.printf(Locale.ROOT, format, "share", "ms/run", "calls", "GFLOP/s", layers ? "layer" : "", "op",
                "implementation");
        for (LayerProfile row : shown) {
            OpProfile op = row.op();
            out.printf(Locale.ROOT, format, String.format(Locale.ROOT, "%.1f%%", 100 * op.nanos() / total),
                    String.format(Locale.ROOT, "%.3f", op.nanos() / 1e6 / runs),
                    String.format(Locale.ROOT, "%.1f", (double) op.runs() / runs),
                    op.macs() > 0 ? String.format(Locale.ROOT, "%.1f", op.gflops()) : "-", row.layer(), op.op(),
                    op.implementation());
        }
        if (shown.size() < rows.size()) {
            long rest = 0;
            for (LayerProfile row : rows.subList(shown.size(), rows.size())) {
                rest += row.op().nanos();
            }
            out.printf(Locale.ROOT, "  %6s  %8s  the other %d %s%n",
                    String.format(Locale.ROOT, "%.1f%%", 100 * rest / total),
                    String.format(Locale.ROOT, "%.3f", rest / 1e6 / runs), rows.size() - shown.size(), what);
        }
    }
}
