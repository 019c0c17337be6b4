package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.Session;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.models.io.AtomicFile;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.viz.ConnectivityPicture;
import ai.dgnet.viz.ConnectivityPicture.Format;
import ai.dgnet.viz.EdgeFrequencies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
            description = "The picture to write: FILE.svg or FILE.png, or - for standard output (SVG unless "
                    + "--format png, which takes a file or a pipe, not a terminal).")
    Path out;

    @Option(names = "--format", paramLabel = "svg|png",
            description = "The picture's format (default: the one FILE's extension names; svg for -).")
    String format;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean toStandardOutput = StandardOutput.isNamedBy(out);
        Format chosen = format(toStandardOutput);
        if (!toStandardOutput) {
            OptionChecks.creatable(out);
        } else if (chosen == Format.PNG) {
            StandardOutput.refuseBinaryOnTerminal("--out", "PNG picture");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        String name = ModelArgument.name(arguments.model);
        ImageBatches batches = arguments.batches(spec.name(), spec.commandLine().getErr());
        if (batches.files().isEmpty()) {
            return OneLineErrors.BAD_INPUT;
        }
        if (!toStandardOutput) {
            Map<String, Path> inputs = batches.files().stream()
                    .collect(Collectors.toMap(file -> "the image " + file, file -> file, (a, b) -> a, HashMap::new));
            // With --format, any name is taken: the model file's too.
            inputs.put("the model file", Path.of(arguments.model));
            OptionChecks.notAnInput("--out", out, inputs);
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
            ByteBuffer bytes = ByteBuffer.wrap(drawn.encode(chosen));
            StandardOutput.write(channel -> AtomicFile.writeFully(channel, bytes));
        } else {
            drawn.write(out, chosen);
            stdout.println("wrote " + out + (single ? "" : " (" + frequencies.instances() + " images)"));
        }
        return batches.skipped() ? OneLineErrors.BAD_INPUT : 0;
    }

    /**
     * The format of {@code --format}, which a file's extension may not contradict, or else the one the extension
     * names; standard output has none, and takes the text one.
     */
    private Format format(boolean toStandardOutput) {
        if (format == null) {
            return toStandardOutput ? Format.SVG : Format.of(out);
        }
        Format asked;
        try {
            asked = Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be svg or png, got '" + format + "'", e);
        }
        Format named = toStandardOutput ? asked : Format.named(out).orElse(asked);
        if (named != asked) {
            throw new IllegalArgumentException("--format " + asked.id() + " contradicts --out " + out + ", whose "
                    + "extension names " + named.id() + ": leave --format out or rename the file");
        }
        return asked;
    }
}
