package ai.dgnet.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The {@code MODEL IMAGE... [--batch N]} arguments of the subcommands that run a model on images. */
final class ImageArguments {
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE",
            description = "Image files (.jpg, .jpeg, .png) or folders of them (not of their subfolders).")
    List<Path> images;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Images per run (default: ${DEFAULT-VALUE}).")
    int batch;

    /** The images the arguments name, each argument that names none reported on {@code err}. */
    ImageBatches batches(String command, PrintWriter err) {
        OptionChecks.atLeast("--batch", 1, batch);
        return new ImageBatches(images, batch, command, err);
    }
}
