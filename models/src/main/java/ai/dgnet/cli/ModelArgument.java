package ai.dgnet.cli;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.dg.Mode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The MODEL argument of the subcommands that run a model: a model file, or, where no such file exists, an
 * architecture id optionally suffixed {@code :dynamic} (the default) or {@code :static}, which means that
 * architecture with the deterministic weights {@code dgnet demo} uses (so every command can be tried without a
 * file).
 */
final class ModelArgument {
    /** The seed of {@code dgnet demo}'s weights. */
    static final long SEED = 3;
    static final String DESCRIPTION = "Model file (.safetensors), or an architecture id such as resnet50 or "
            + "mobilenet_v2:static for that architecture with deterministic weights (seed " + SEED + ").";

    private ModelArgument() {
    }

    /** Opens the model {@code model} names; a missing file that is no architecture id is a "no such file" error. */
    static DgModel open(String model) {
        if (model.isBlank()) {
            throw new IllegalArgumentException("no model given: name a model file or an architecture");
        }
        Path file = Path.of(model);
        ModelConfig architecture = Files.exists(file) ? null : architecture(model);
        if (architecture != null) {
            return DgModel.random(architecture, SEED);
        }
        // A word without a folder or an extension was likely meant as an architecture (ResNet50, resnet-50).
        if (!Files.exists(file) && !model.contains("/") && !model.contains(".")) {
            throw ModelFileException.of(file, "no such file, nor an architecture id ("
                    + Arrays.stream(Arch.values()).map(Arch::id).collect(Collectors.joining(", ")) + ")");
        }
        return DgModel.load(file);
    }

    /** What to call the model: the file's name without {@code .safetensors}, or the architecture id. */
    static String name(String model) {
        Path file = Path.of(model);
        ModelConfig architecture = Files.exists(file) ? null : architecture(model);
        if (architecture != null) {
            return architecture.arch().id();
        }
        String name = file.getFileName() == null ? model : file.getFileName().toString();
        return name.endsWith(DgModel.FILE_EXTENSION)
                ? name.substring(0, name.length() - DgModel.FILE_EXTENSION.length()) : name;
    }

    /** The configuration an architecture id names, or null when {@code model} is none. */
    private static ModelConfig architecture(String model) {
        int colon = model.indexOf(':');
        String id = colon < 0 ? model : model.substring(0, colon);
        if (Arrays.stream(Arch.values()).noneMatch(a -> a.id().equals(id))) {
            return null;
        }
        try {
            Mode mode = colon < 0 ? Mode.DYNAMIC : Mode.parse(model.substring(colon + 1));
            return ModelConfig.of(Arch.parse(id), mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(model + ": " + e.getMessage(), e);
        }
    }
}
