package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.Precision;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.SessionOptions;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    @Parameters(index = "0", paramLabel = "MODEL", description = ModelArgument.DESCRIPTION)
    String model;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE",
            description = "Image files (.jpg, .jpeg, .png) or folders of them.")
    List<Path> images;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K",
            description = "Classes shown per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Images per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--precision", defaultValue = "f32",
            description = "f32, or bf16 (convolutions in bf16, routing in f32) (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--threshold", paramLabel = "T", description = "Edge threshold, overriding the model's.")
    Float threshold;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (top < 1 || batch < 1) {
            throw new IllegalArgumentException("--top and --batch must be >= 1, got " + top + " and " + batch);
        }
        SessionOptions options = SessionOptions.defaults().withPrecision(Precision.parse(precision));
        if (threshold != null) {
            options = options.withThreshold(threshold);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (DgModel dg = ModelArgument.open(model);
             CpuDevice device = threads.device();
             Session session = dg.session(device, options)) {
            ImagePreprocessor pre = ImagePreprocessor.of(dg.config());
            List<Path> files = new ArrayList<>();
            boolean skipped = false;
            for (Path image : images) {
                try {
                    files.addAll(ImagePreprocessor.images(image));
                } catch (IllegalArgumentException | IOException e) {
                    err.println(prefix() + Main.describe(e));
                    skipped = true;
                }
            }
            if (!files.isEmpty()) {
                try (ProgressLine progress = new ProgressLine(out, "predict", files.size(),
                        images.stream().anyMatch(Files::isDirectory))) {
                    skipped |= run(session, pre, dg.config().labels(), files, progress, out, err);
                }
            }
            return skipped ? Main.BAD_INPUT : 0;
        }
    }

    /**
     * Runs the images in batches of {@code min(--batch, images)}; a last, smaller batch is padded with zeros so that
     * the network prepared for the first serves every batch. Returns whether an image was skipped.
     */
    private boolean run(Session session, ImagePreprocessor pre, List<String> labels, List<Path> files,
                        ProgressLine progress, PrintWriter out, PrintWriter err) {
        int n = Math.min(batch, files.size());
        int plane = pre.channels() * pre.height() * pre.width();
        Shape shape = Shape.of(n, pre.channels(), pre.height(), pre.width());
        boolean skipped = false;
        float[] values = new float[n * plane];
        Result result = null;
        try (Tensor input = Tensor.allocate(shape, DType.F32, Layout.NCHW)) {
            int next = 0;
            while (next < files.size()) {
                List<Path> batchFiles = new ArrayList<>();
                while (batchFiles.size() < n && next < files.size()) {
                    Path file = files.get(next++);
                    try {
                        System.arraycopy(pre.read(file), 0, values, batchFiles.size() * plane, plane);
                        batchFiles.add(file);
                    } catch (IllegalArgumentException | IOException e) {
                        progress.println(err, prefix() + Main.describe(e));
                        progress.step(1);
                        skipped = true;
                    }
                }
                if (batchFiles.isEmpty()) {
                    continue;
                }
                Arrays.fill(values, batchFiles.size() * plane, values.length, 0f);
                input.copyFrom(values);
                result = session.run(input, result);
                for (int i = 0; i < batchFiles.size(); i++) {
                    progress.println(out, describe(batchFiles.get(i),
                            Prediction.top(result.logits()[i], top, labels), !labels.isEmpty()));
                }
                progress.step(batchFiles.size());
            }
        }
        return skipped;
    }

    /** The file, then per class its rank, label, probability and (where the label is a name) index. */
    private static String describe(Path file, List<Prediction> predictions, boolean labeled) {
        int width = predictions.stream().mapToInt(p -> p.label().length()).max().orElse(0);
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

    private String prefix() {
        return "dgnet " + spec.name() + ": ";
    }
}
