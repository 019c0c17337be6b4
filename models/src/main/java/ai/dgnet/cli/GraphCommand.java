package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.Session;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.viz.ConnectivityPicture;
import ai.dgnet.viz.EdgeFrequencies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code dgnet graph MODEL IMAGE --out FILE}: what the network did with one image (its kept edges, per stage), or,
 * given a folder or several images, how often each edge is kept across them.
 */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Draw an image's connectivity: per stage the nodes in order, kept edges with width and label "
                + "by router weight, dropped edges faint, and the adjacency matrix as a heat map. Given a folder "
                + "or several images, draw how often each edge is kept across them.")
final class GraphCommand implements Callable<Integer> {
    @Mixin
    ImageArguments arguments;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The picture to write: FILE.svg or FILE.png.")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConnectivityPicture.format(out);
        OptionChecks.creatable(out);
        PrintWriter stdout = spec.commandLine().getOut();
        String name = ModelArgument.name(arguments.model);
        ImageBatches batches = arguments.batches(spec.name(), spec.commandLine().getErr());
        if (batches.files().isEmpty()) {
            return OneLineErrors.BAD_INPUT;
        }
        OptionChecks.notAnInput("--out", out, batches.files().stream()
                .collect(Collectors.toMap(file -> "the image " + file, file -> file, (a, b) -> a)));
        boolean single = arguments.images.size() == 1 && !batches.folders();
        EdgeFrequencies frequencies = new EdgeFrequencies();
        ConnectivityPicture[] picture = new ConnectivityPicture[1];
        try (DgModel dg = ModelArgument.open(arguments.model);
             CpuDevice device = threads.device(batches.files().size());
             Session session = dg.session(device, sessionOption.options());
             ProgressLine progress = ProgressLine.of(stdout, "graph", batches.files().size(), batches.folders())) {
            batches.run(session, ImagePreprocessor.of(dg.config()), progress, (file, result, n) -> {
                if (single) {
                    picture[0] = ConnectivityPicture.ofInstance(result, n, name + ": " + file.getFileName());
                } else {
                    frequencies.add(result, n);
                }
            });
        }
        if (single && picture[0] == null || !single && frequencies.instances() == 0) {
            return OneLineErrors.BAD_INPUT;
        }
        ConnectivityPicture drawn = single ? picture[0] : ConnectivityPicture.ofFrequencies(frequencies,
                name + ": " + (arguments.images.size() == 1 ? arguments.images.getFirst()
                        : arguments.images.size() + " arguments"));
        drawn.write(out);
        stdout.println("wrote " + out + (single ? "" : " (" + frequencies.instances() + " images)"));
        return batches.skipped() ? OneLineErrors.BAD_INPUT : 0;
    }
}
