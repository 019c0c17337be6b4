package ai.dgnet.cli;

import ai.dgnet.models.Arch;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.arch.Cost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code dgnet models}: the architectures, their stages and their size. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the architectures: nodes per stage, parameters (backbone + routers) and GMACs "
                + "(multiply-accumulates of convolutions and linear layers, torchvision's \"GFLOPS\") for one "
                + "224x224 RGB image with 1000 classes.")
final class ModelsCommand implements Callable<Integer> {
    private static final int SIZE = ModelConfig.DEFAULT_IMAGE_SIZE;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-16s %-16s %12s %10s %6s %16s%n", "arch", "nodes per stage", "parameters",
                "+ routers", "GMACs", "+ dynamic MMACs");
        for (Arch arch : Arch.values()) {
            Cost cost = Cost.of(Architectures.build(arch, 3, 1000), SIZE, SIZE);
            String nodes = cost.stages().stream().map(s -> Integer.toString(s.nodes()))
                    .collect(Collectors.joining(","));
            out.printf(Locale.ROOT, "%-16s %-16s %,12d %,10d %6.2f %16s%n", arch.id(), nodes,
                    cost.backbone().parameters(), cost.routers().parameters(), cost.backbone().macs() / 1e9,
                    String.format(Locale.ROOT, "<= %.2f", (cost.routers().macs() + cost.aggregationMacs()) / 1e6));
        }
        out.println("GMACs: the backbone, which is all that static mode runs. Dynamic mode adds its routers and the");
        out.println("weighted sums of the edges it keeps: at most the last column (every edge kept).");
        return 0;
    }
}
