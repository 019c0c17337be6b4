package ai.dgnet.cli;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.dg.StageTrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Runs a DG-Net with deterministic weights on a deterministic batch, with no files: top classes, each instance's
 * connectivity per stage, and latency. Shows on a fresh machine that everything works.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build a model from deterministic weights, run a batch, print the top classes, "
                + "each instance's connectivity per stage and the latency.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "resnet50", description = "Architecture (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--mode", defaultValue = "dynamic", description = "dynamic or static (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--batch", defaultValue = "2", description = "Instances per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", defaultValue = "224", description = "Image height and width (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "3",
            description = "Weight seed; the input uses seed+1 (default: ${DEFAULT-VALUE}, whose untrained routers "
                    + "send instances on visibly different paths).")
    long seed;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N",
            description = "Untimed runs after the first, so that the JIT has compiled the kernels before the timed "
                    + "ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs after the warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--batch", 1, batch);
        OptionChecks.atLeast("--size", 1, size);
        OptionChecks.atLeast("--runs", 1, runs);
        OptionChecks.atMost("--runs", Timing.MAX_RUNS, runs);
        OptionChecks.atLeast("--warmup", 0, warmup);
        ModelConfig config = ModelConfig.of(Arch.parse(arch), Mode.parse(mode));
        Shape shape = Shape.of(batch, config.inChannels(), size, size);
        PrintWriter out = spec.commandLine().getOut();
        try (DgModel model = DgModel.random(config, seed);
             CpuDevice device = threads.device();
             Session session = model.session(device,
                     sessionOption.options())) {
            out.printf(Locale.ROOT, "%s (%s, threshold %.2f, %s), deterministic weights seed %d, input %s%n",
                    config.arch(), config.mode().label(), session.threshold(), session.precision(), seed, shape);
            out.println("device: " + device.name());
            Result result;
            try (Tensor batchInput = Tensor.allocate(shape, DType.F32, Layout.NCHW)) {
                DeterministicWeights.generate("input", shape.dims(), seed + 1, batchInput.segment());
                long start = System.nanoTime();
                result = session.run(batchInput);
                out.printf(Locale.ROOT, "first run (prepares kernels and weights): %.1f ms%n", millis(start));
                for (int i = 0; i < warmup; i++) {
                    result = session.run(batchInput, result);
                }
                Timing timing = Timing.measure(device, session, batchInput, result, runs);
                result = timing.last();
                out.printf(Locale.ROOT, "latency over %s after %s: median %.2f ms, min %.2f ms, "
                        + "max %.2f ms; %.1f%% of the time in oneDNN primitives%n", Timing.count(runs, "run"),
                        Timing.count(warmup, "warm-up run"),
                        timing.percentile(50), timing.min(), timing.max(), 100 * timing.inPrimitives());
            }
            for (int n = 0; n < batch; n++) {
                printInstance(out, result, n);
            }
        }
        return 0;
    }

    private static void printInstance(PrintWriter out, Result result, int n) {
        StringBuilder top = new StringBuilder();
        for (Prediction p : Prediction.top(result.logits()[n], 3, List.of())) {
            top.append(String.format(Locale.ROOT, "%s%s (%.3f)", top.isEmpty() ? "" : ", ", p.label(), p.logit()));
        }
        out.println("instance " + n + ": top " + top);
        for (int s = 0; s < result.stages(); s++) {
            StageTrace trace = result.trace(s);
            if (trace.nodes() < 2) {
                continue;
            }
            int m = trace.nodes();
            int kept = 0;
            StringBuilder edges = new StringBuilder();
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j <= m; j++) {
                    float w = trace.edge(n, i, j);
                    if (w != 0) {
                        kept++;
                        edges.append(String.format(Locale.ROOT, " %d>%s:%.2f", i, j == m ? "out" : j, w));
                    }
                }
            }
            out.printf(Locale.ROOT, "  stage %d (%d nodes): %d of %d edges kept:%s%n", s, m, kept, m * (m + 1) / 2,
                    edges);
        }
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
