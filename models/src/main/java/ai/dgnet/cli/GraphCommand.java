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

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
            description = "The picture to write: FILE.svg or FILE.png, or - for SVG on standard output.")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // A name's extension says the format; standard output has none, and takes the text one.
        boolean toStandardOutput = StandardOutput.isNamedBy(out);
        if (!toStandardOutput) {
            ConnectivityPicture.format(out);
            OptionChecks.creatable(out);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        String name = ModelArgument.name(arguments.model);
        ImageBatches batches = arguments.batches(spec.name(), spec.commandLine().getErr());
        if (batches.files().isEmpty()) {
            return OneLineErrors.BAD_INPUT;
        }
        if (!toStandardOutput) {
            OptionChecks.notAnInput("--out", out, batches.files().stream()
                    .collect(Collectors.toMap(file -> "the image " + file, file -> file, (a, b) -> a)));
        }
        boolean single = arguments.images.size() == 1 && !batches.folders();
        EdgeFrequencies frequencies = new EdgeFrequencies();
        ConnectivityPicture[] picture = new ConnectivityPicture[1];
        // No bar on standard output where it takes the picture: its lines would be part of the SVG.
        try (DgModel dg = ModelArgument.open(arguments.model);
             CpuDevice device = threads.device(batches.files().size());
             Session session = dg.session(device, sessionOption.options());
             ProgressLine progress = ProgressLine.of(stdout, "graph", batches.files().size(),
                     batches.folders() && !toStandardOutput)) {
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
        if (toStandardOutput) {
            ByteBuffer svg = ByteBuffer.wrap(drawn.toSvg().getBytes(StandardCharsets.UTF_8));
            StandardOutput.write(channel -> channel.write(svg));
        } else {
            drawn.write(out);
            stdout.println("wrote " + out + (single ? "" : " (" + frequencies.instances() + " images)"));
        }
        return batches.skipped() ? OneLineErrors.BAD_INPUT : 0;
    }
}
