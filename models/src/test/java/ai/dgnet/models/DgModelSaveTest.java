package ai.dgnet.models;

import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DgModelSaveTest {
    @Test
    void labelsAndPreprocessSurviveSaveAndLoad(@TempDir Path dir) throws IOException {
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.25f, 3, 1, List.of("a", "b \"c\"", "d"),
                new ModelConfig.Preprocess(36, 32, new float[] {0.1307f}, new float[] {0.3081f}));
        Path file = dir.resolve("m.safetensors");
        DgModel.random(config, 3).save(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            assertEquals("{\"resize\":36,\"crop\":32,\"mean\":[0.1307],\"std\":[0.3081]}", meta.get("dgnet.preprocess"));
            assertEquals("[\"a\",\"b \\\"c\\\"\",\"d\"]", meta.get("dgnet.labels"));
        }
        try (DgModel loaded = DgModel.load(file)) {
            ModelConfig back = loaded.config();
            assertEquals(config.arch(), back.arch());
            assertEquals(config.mode(), back.mode());
            assertEquals(config.threshold(), back.threshold());
            assertEquals(config.numClasses(), back.numClasses());
            assertEquals(config.inChannels(), back.inChannels());
            assertEquals(config.labels(), back.labels());
            assertEquals(36, back.preprocess().resize());
            assertEquals(32, back.preprocess().crop());
            assertArrayEquals(new float[] {0.1307f}, back.preprocess().mean());
            assertArrayEquals(new float[] {0.3081f}, back.preprocess().std());
        }
    }

    @Test
    void aModelWithoutPreprocessSavesNone(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plain.safetensors");
        DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 3), 3).save(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertNull(st.metadata().get("dgnet.preprocess"));
            assertNull(st.metadata().get("dgnet.labels"));
        }
    }
}
