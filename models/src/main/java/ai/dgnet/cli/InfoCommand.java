package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.models.arch.Cost;
import ai.dgnet.models.arch.NetworkDef;
import ai.dgnet.models.arch.Param;
import ai.dgnet.runtime.dg.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code dgnet info MODEL}: what a model is and what each of its parts costs. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's configuration, its parameters and multiply-accumulates (MACs) per part for "
                + "one image of its preprocessing's crop size (224 without one), and its routers.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig config;
        try (DgModel dg = ModelArgument.open(model)) {
            config = dg.config();
        }
        boolean dynamic = config.mode() == Mode.DYNAMIC;
        out.printf(Locale.ROOT, "%s: %s, %s, threshold %.2f, %d classes, %d input channels%n",
                model, config.arch(), config.mode().label(), config.threshold(), config.numClasses(),
                config.inChannels());
        out.println(config.labels().isEmpty() ? "labels: none (classes are shown as 'class i')"
                : "labels: " + config.labels().size() + " (" + config.labels().getFirst() + ", ...)");
        out.println("preprocess: " + preprocess(config));
        int size = config.imageSize();
        NetworkDef net = Architectures.build(config.arch(), config.inChannels(), config.numClasses());
        Cost cost = Cost.of(net, size, size);
        out.printf(Locale.ROOT, "cost of one %dx%d image:%n", size, size);
        out.printf(Locale.ROOT, "  %-36s %12s %15s%n", "part", "parameters", "MACs");
        row(out, "stem", cost.stem());
        for (int s = 0; s < cost.stages().size(); s++) {
            Cost.StageCost stage = cost.stages().get(s);
            row(out, "stage " + s + " (" + stage.nodes() + (stage.nodes() == 1 ? " node)" : " nodes)"),
                    stage.blocks());
            if (dynamic && stage.nodes() > 1) {
                row(out, "  routers", stage.routers());
                row(out, "  aggregation (<=, every edge kept)", new Cost.Part(0, stage.aggregationMacs()));
            }
        }
        row(out, "head (" + (net.headConvs().isEmpty() ? "" : "convolution, ") + "classifier)", cost.head());
        row(out, "backbone", cost.backbone());
        if (dynamic) {
            row(out, "routers", cost.routers());
            row(out, "aggregation (<=, every edge kept)", new Cost.Part(0, cost.aggregationMacs()));
            routers(out, net);
        }
        return 0;
    }

    private static String preprocess(ModelConfig config) {
        ModelConfig.Preprocess p;
        try {
            p = ImagePreprocessor.of(config).preprocess();
        } catch (IllegalArgumentException e) {
            return config.preprocess() == null ? "none (" + e.getMessage() + ")" : "unusable: " + e.getMessage();
        }
        return String.format(Locale.ROOT, "resize %d, crop %d, mean %s, std %s%s", p.resize(), p.crop(),
                Arrays.toString(p.mean()), Arrays.toString(p.std()),
                config.preprocess() == null ? " (the defaults: the model has none)" : "");
    }

    private static void row(PrintWriter out, String part, Cost.Part cost) {
        out.printf(Locale.ROOT, "  %-36s %,12d %,15d%n", part, cost.parameters(), cost.macs());
    }

    /** Per stage, its routers' weight shapes ({@code [m - i, C_s]} for node i). */
    private static void routers(PrintWriter out, NetworkDef net) {
        out.println("routers (weight shapes, each with a bias):");
        for (int s = 0; s < net.stages().size(); s++) {
            String prefix = "router." + s + ".";
            List<Param> weights = net.routerParams().stream()
                    .filter(r -> r.name().startsWith(prefix) && r.name().endsWith(".weight")).toList();
            out.printf(Locale.ROOT, "  stage %d: %s%n", s, weights.isEmpty() ? "none (one node)"
                    : weights.size() + ": " + weights.stream().map(r -> Arrays.toString(r.shape()))
                    .collect(Collectors.joining(" ")));
        }
    }
}
