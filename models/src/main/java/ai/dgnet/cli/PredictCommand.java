package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.Session;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.cpu.CpuDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dgnet predict MODEL IMAGE...}: the top classes of every image, preprocessed as the model says. A bad image
 * among many is reported on one line and the others go on; the exit status then says that something was skipped.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify JPEG and PNG images (files, or folders of them) with MODEL: per image its top "
                + "classes with their probabilities. Images are resized and cropped as the model's preprocessing "
                + "says (ImageNet's without one).")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ImageArguments arguments;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K",
            description = "Classes shown per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SessionOption sessionOption;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--top", 1, top);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImageBatches images = arguments.batches(spec.name(), err);
        try (DgModel dg = ModelArgument.open(arguments.model);
             CpuDevice device = threads.device(images.files().size());
             Session session = dg.session(device, sessionOption.options())) {
            ImagePreprocessor pre = ImagePreprocessor.of(dg.config());
            List<String> labels = dg.config().labels();
            try (ProgressLine progress = ProgressLine.of(out, "predict", images.files().size(), images.folders())) {
                images.run(session, pre, progress, (file, result, n) -> progress.println(out,
                        describe(file, Prediction.top(result.logits()[n], top, labels), !labels.isEmpty())));
            }
            return images.skipped() ? OneLineErrors.BAD_INPUT : 0;
        }
    }

    /** The file, then per class its rank, label, probability and (where the label is a name) index. */
    private static String describe(Path file, List<Prediction> predictions, boolean labeled) {
        // At least 1: "%-0s" is no format, and labels may be empty strings.
        int width = Math.max(1, predictions.stream().mapToInt(p -> p.label().length()).max().orElse(0));
        StringBuilder text = new StringBuilder(file.toString());
        for (int rank = 0; rank < predictions.size(); rank++) {
            Prediction p = predictions.get(rank);
            text.append(String.format(Locale.ROOT, "%n  %d  %-" + width + "s  %6.2f%%", rank + 1, p.label(),
                    100.0 * p.probability()));
            if (labeled) {
                text.append("  (class ").append(p.classIndex()).append(')');
            }
        }
        return text.toString();
    }
}
