package ai.dgnet.models;

import ai.dgnet.runtime.dg.Mode;

import java.util.Arrays;
import java.util.List;

/**
 * What a model is, apart from its weights (spec section 5's metadata).
 *
 * @param labels     class names, empty when the file has none
 * @param preprocess image preprocessing, or null when the file has none
 */
public record ModelConfig(Arch arch, Mode mode, float threshold, int numClasses, int inChannels, List<String> labels,
                          Preprocess preprocess) {
    public static final float DEFAULT_THRESHOLD = 0.5f;
    /** The image side of a model whose file names no preprocessing: ImageNet's usual crop. */
    public static final int DEFAULT_IMAGE_SIZE = 224;

    public ModelConfig {
        requireThreshold("threshold", threshold);
        if (numClasses < 1) {
            throw new IllegalArgumentException("num_classes must be >= 1, got " + numClasses);
        }
        if (inChannels < 1) {
            throw new IllegalArgumentException("in_channels must be >= 1, got " + inChannels);
        }
        labels = List.copyOf(labels);
        if (!labels.isEmpty() && labels.size() != numClasses) {
            throw new IllegalArgumentException("labels has " + labels.size() + " names for " + numClasses
                    + " classes");
        }
        for (int i = 0; i < labels.size(); i++) {
            // Commands print a label per line, and errors quote them on one.
            int control = labels.get(i).codePoints().filter(Character::isISOControl).findFirst().orElse(-1);
            if (control >= 0) {
                throw new IllegalArgumentException(String.format("label %d holds a control character (U+%04X)", i,
                        control));
            }
        }
        if (preprocess != null && preprocess.mean().length != inChannels) {
            throw new IllegalArgumentException("preprocess needs " + inChannels + " mean and std values (one per "
                    + "input channel), got " + preprocess.mean().length + " and " + preprocess.std().length);
        }
    }

    /**
     * Refuses a {@code threshold} (given as {@code name}) outside [0, 1], the range of the router outputs (sigmoids)
     * it is compared with, for a model, a session overriding it, and the command line's option alike.
     */
    public static void requireThreshold(String name, float threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + threshold);
        }
    }

    /** ImageNet-style defaults: 1000 classes, 3 input channels, threshold 0.5, no labels. */
    public static ModelConfig of(Arch arch, Mode mode) {
        return new ModelConfig(arch, mode, DEFAULT_THRESHOLD, 1000, 3, List.of(), null);
    }

    /** The height and width of the images the model is made for: its preprocessing's crop, else 224. */
    public int imageSize() {
        return preprocess != null ? preprocess.crop() : DEFAULT_IMAGE_SIZE;
    }

    public ModelConfig withThreshold(float tau) {
        return new ModelConfig(arch, mode, tau, numClasses, inChannels, labels, preprocess);
    }

    public ModelConfig withClasses(int classes, int channels) {
        return new ModelConfig(arch, mode, threshold, classes, channels, List.of(), preprocess);
    }

    /**
     * Image preprocessing from {@code dgnet.preprocess}: resize the short side, center crop, normalize; one mean and
     * one standard deviation per input channel.
     */
    public record Preprocess(int resize, int crop, float[] mean, float[] std) {
        /**
         * The largest short side images are resized to: past it the cropped planes alone take gigabytes, and a
         * model's input is a few hundred pixels wide.
         */
        public static final int MAX_RESIZE = 8192;

        public Preprocess {
            if (crop < 1 || crop > resize || resize > MAX_RESIZE) {
                throw new IllegalArgumentException("preprocess needs 1 <= crop <= resize <= " + MAX_RESIZE
                        + ", got resize " + resize + " and crop " + crop);
            }
            if (mean.length == 0 || mean.length != std.length) {
                throw new IllegalArgumentException("preprocess needs one mean and one std value per input channel, "
                        + "got " + mean.length + " and " + std.length);
            }
            for (int c = 0; c < mean.length; c++) {
                if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                    throw new IllegalArgumentException("preprocess needs finite means and finite stds > 0, got mean "
                            + Arrays.toString(mean) + " and std " + Arrays.toString(std));
                }
            }
            mean = mean.clone();
            std = std.clone();
        }
    }
}
