package ai.dgnet.cli;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelArgumentTest {
    @Test
    void anArchitectureIdIsThatArchitectureDynamicUnlessSuffixed() {
        try (DgModel plain = ModelArgument.open("resnet20");
             DgModel fixed = ModelArgument.open("mobilenet_v2:static")) {
            assertEquals(Arch.RESNET20, plain.config().arch());
            assertEquals(Mode.DYNAMIC, plain.config().mode());
            assertEquals(Arch.MOBILENET_V2, fixed.config().arch());
            assertEquals(Mode.STATIC, fixed.config().mode());
        }
        assertEquals("mobilenet_v2", ModelArgument.name("mobilenet_v2:static"));
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> ModelArgument.open("resnet20:sometimes"));
        assertTrue(mode.getMessage().contains("'sometimes'"), mode.getMessage());
    }

    @Test
    void aFileWinsOverAnArchitectureOfTheSameName(@TempDir Path dir) {
        Path file = dir.resolve("resnet18");
        DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 1), 3).save(file);
        try (DgModel model = ModelArgument.open(file.toString())) {
            assertEquals(Arch.RESNET20, model.config().arch());
        }
        Path named = dir.resolve("cifar.safetensors");
        DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 1), 3).save(named);
        assertEquals("cifar", ModelArgument.name(named.toString()));
    }

    @Test
    void anythingElseIsAMissingFile(@TempDir Path dir) {
        String missing = dir.resolve("resnet50").toString();
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelArgument.open(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        // A bare word may have been meant as an architecture: the message lists them.
        String ids = "resnet18, resnet34, resnet50, resnet101, resnext50_32x4d, mobilenet_v2, regnet_x_400mf, "
                + "regnet_y_400mf, resnet20";
        for (String word : new String[] {"resnet51", "ResNet50", "resnet-50:static"}) {
            ModelFileException e2 = assertThrows(ModelFileException.class, () -> ModelArgument.open(word));
            assertEquals(word + ": no such file, nor an architecture id (" + ids + ")", e2.getMessage());
        }
        ModelFileException named = assertThrows(ModelFileException.class, () -> ModelArgument.open("m.safetensors"));
        assertEquals("m.safetensors: no such file", named.getMessage());
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> ModelArgument.open("resnet20:Static"));
        assertEquals("resnet20:Static: mode must be 'dynamic' or 'static', got 'Static'", mode.getMessage());
        ModelFileException folder = assertThrows(ModelFileException.class, () -> ModelArgument.open(dir.toString()));
        assertEquals(dir + ": a folder, not a safetensors file", folder.getMessage());
        // A pipe or a device (info <(curl ...)) has no size to map: it read as "truncated: 0 bytes".
        ModelFileException device = assertThrows(ModelFileException.class, () -> ModelArgument.open("/dev/null"));
        assertEquals("/dev/null: not a regular file (a pipe or a device), which cannot be mapped: save it to a file "
                + "first", device.getMessage());
    }
}
