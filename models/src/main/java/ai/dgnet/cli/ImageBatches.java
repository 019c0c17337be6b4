package ai.dgnet.cli;

import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Runs the IMAGE arguments of a command (files and folders of them) through a session in batches, the way
 * {@code predict} and {@code graph} share: a bad image among many is reported on one line and the others go on.
 */
final class ImageBatches {
    /** What a command does with each image that ran: instance {@code n} of {@code result} is {@code file}. */
    interface Consumer {
        void accept(Path file, Result result, int n);
    }

    private final int batch;
    private final String prefix;
    private final PrintWriter err;
    private final List<Path> files = new ArrayList<>();
    private final boolean folders;
    private boolean skipped;

    /** Lists the images {@code arguments} name, reporting each argument that names none. */
    ImageBatches(List<Path> arguments, int batch, String command, PrintWriter err) {
        this.batch = batch;
        this.prefix = "dgnet " + command + ": ";
        this.err = err;
        for (Path argument : arguments) {
            try {
                files.addAll(ImagePreprocessor.images(argument));
            } catch (IllegalArgumentException | IOException e) {
                err.println(prefix + OneLineErrors.describe(e));
                skipped = true;
            }
        }
        this.folders = arguments.stream().anyMatch(Files::isDirectory);
    }

    List<Path> files() {
        return files;
    }

    /** Whether a folder was given, which is when a progress bar is worth drawing. */
    boolean folders() {
        return folders;
    }

    /** Whether an argument or an image was skipped: the command's exit status should say so. */
    boolean skipped() {
        return skipped;
    }

    /**
     * Runs the images in batches of {@code min(batch, images)}; a last, smaller batch is padded with zeros so that
     * the network prepared for the first serves every batch (routing is per instance, so padding changes nothing).
     */
    void run(Session session, ImagePreprocessor pre, ProgressLine progress, Consumer consumer) {
        if (files.isEmpty()) {
            return;
        }
        int n = Math.min(batch, files.size());
        // Each image goes straight into the input tensor: a batch of large crops may pass what one Java array holds.
        long plane = (long) pre.channels() * pre.height() * pre.width() * Float.BYTES;
        Result result = null;
        try (Tensor input = Tensor.allocate(Shape.of(n, pre.channels(), pre.height(), pre.width()), DType.F32,
                Layout.NCHW)) {
            MemorySegment values = input.segment();
            int next = 0;
            while (next < files.size()) {
                List<Path> batchFiles = new ArrayList<>();
                while (batchFiles.size() < n && next < files.size()) {
                    Path file = files.get(next++);
                    try {
                        float[] image = pre.read(file);
                        MemorySegment.copy(image, 0, values, JAVA_FLOAT, batchFiles.size() * plane, image.length);
                        batchFiles.add(file);
                    } catch (IllegalArgumentException | IOException e) {
                        progress.println(err, prefix + OneLineErrors.describe(e));
                        progress.step(1);
                        skipped = true;
                    }
                }
                if (batchFiles.isEmpty()) {
                    continue;
                }
                values.asSlice(batchFiles.size() * plane).fill((byte) 0);
                result = session.run(input, result);
                // Image by image, so that the bar counts the lines a consumer prints as they come.
                for (int i = 0; i < batchFiles.size(); i++) {
                    consumer.accept(batchFiles.get(i), result, i);
                    progress.step(1);
                }
            }
        }
    }
}
