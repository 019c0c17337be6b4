package ai.dgnet.models;

import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /**
     * Every error of a save names the file once, then why: the file's own error named it again ("cannot write:
     * /x/m.safetensors: Is a directory" after the file), or was nothing but its name (no such folder, permission
     * denied), which the message then said twice and did not say why.
     */
    @Test
    void aSaveErrorNamesTheFileOnceAndWhy(@TempDir Path dir) throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "x");
        Path loop = Files.createSymbolicLink(dir.resolve("loop.safetensors"), Path.of("loop.safetensors"));
        Map<Path, String> reasons = new LinkedHashMap<>();
        reasons.put(dir.resolve("none").resolve("m.safetensors"), "no such folder");
        reasons.put(Files.createDirectory(dir.resolve("folder.safetensors")), "Is a directory");
        reasons.put(notes.resolve("m.safetensors"), "Not a directory");
        reasons.put(loop, "Too many levels of symbolic links");
        reasons.put(dir.getRoot(), "Is a directory");
        // A folder that refuses new files even to root, which the build runs as.
        if (Files.isDirectory(Path.of("/sys"))) {
            reasons.put(Path.of("/sys", "m.safetensors"), "permission denied");
        }
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 3), 3)) {
            reasons.forEach((file, reason) -> assertEquals("cannot write " + file + ": " + reason,
                    assertThrows(UncheckedIOException.class, () -> model.save(file)).getMessage()));
        }
    }
}
