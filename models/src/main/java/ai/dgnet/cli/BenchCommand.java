package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.LayerProfile;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
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

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dgnet bench MODEL}: latency and throughput of a model on a deterministic batch. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time MODEL on a deterministic batch: warm-up runs (the first prepares kernels and weights), "
                + "then timed runs; prints latency percentiles, throughput and where the time went: oneDNN, routing, "
                + "weighted sums, Winograd transforms and the rest; with --profile, the ops (or with --layers, the "
                + "layers) that took the most time.")
final class BenchCommand implements Callable<Integer> {
    /** The seed of the input, as {@code dgnet demo}'s (weights seed + 1). */
    private static final long INPUT_SEED = ModelArgument.SEED + 1;

    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

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
            description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "20", paramLabel = "N",
            description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--profile", arity = "0..1", fallbackValue = "" + DEFAULT_PROFILE_LINES, paramLabel = "N",
            description = "Also list the N kinds of op that took the most time in the timed runs (default N: "
                    + DEFAULT_PROFILE_LINES + "; 0: all), each with its kernel, its share of the time, its time and "
                    + "calls per run, and GFLOP/s as direct computation counts them.")
    Integer profile;

    @Option(names = "--layers",
            description = "With --profile, one line per layer (its name in the model, such as torchvision's "
                    + "layer1.0.conv1) instead of one per kind of op.")
    boolean layers;

    @Spec
    CommandSpec spec;

    private static final int DEFAULT_PROFILE_LINES = 15;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--batch", 1, batch);
        OptionChecks.atLeast("--runs", 1, runs);
        OptionChecks.atMost("--runs", Timing.MAX_RUNS, runs);
        OptionChecks.atLeast("--size", 1, size);
        OptionChecks.atLeast("--warmup", 0, warmup);
        OptionChecks.atLeast("--profile", 0, profile);
        if (layers && profile == null) {
            throw new IllegalArgumentException("--layers lists the profile by layer: give --profile too");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DgModel dg = ModelArgument.open(model);
             CpuDevice device = threads.device();
             Session session = dg.session(device, sessionOption.options())) {
            ModelConfig config = dg.config();
            int side = size != null ? size : config.imageSize();
            Shape shape = Shape.of(batch, config.inChannels(), side, side);
            out.printf(Locale.ROOT, "%s: %s (%s, threshold %.2f, %s), input %s%n", ModelArgument.name(model),
                    config.arch(), config.mode().label(), session.threshold(), session.precision(), shape);
            out.println("device: " + device.name());
            try (Tensor input = Tensor.allocate(shape, DType.F32, Layout.NCHW)) {
                DeterministicWeights.generate("input", shape.dims(), INPUT_SEED, input.segment());
                Result result = null;
                long start = System.nanoTime();
                for (int i = 0; i < warmup; i++) {
                    result = session.run(input, result);
                }
                if (warmup > 0) {
                    out.printf(Locale.ROOT, "warm-up: %s in %.1f ms (the first prepares kernels and weights)%n",
                            Timing.count(warmup, "run"), (System.nanoTime() - start) / 1e6);
                }
                Timing timing = Timing.measure(device, session, input, result, runs);
                out.printf(Locale.ROOT, "latency over %s (ms): min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n",
                        Timing.count(runs, "run"), timing.min(), timing.percentile(50), timing.percentile(90),
                        timing.percentile(99), timing.max());
                out.printf(Locale.ROOT, "throughput: %.1f images/s; %.1f%% of the time in oneDNN primitives%n",
                        (double) batch * runs / (timing.totalMillis() / 1e3), 100 * timing.inPrimitives());
                double rest = 1 - timing.inPrimitives() - timing.inRouting() - timing.inAggregation()
                        - timing.inTransforms();
                out.printf(Locale.ROOT, "outside oneDNN: %.1f%% routing, %.1f%% weighted sums, %.1f%% Winograd "
                                + "transforms, %.1f%% the rest%n", 100 * timing.inRouting(),
                        100 * timing.inAggregation(), 100 * timing.inTransforms(), 100 * rest);
                if (profile != null) {
                    printProfile(out, timing, profile == 0 ? Integer.MAX_VALUE : profile);
                }
            }
        }
        return 0;
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
