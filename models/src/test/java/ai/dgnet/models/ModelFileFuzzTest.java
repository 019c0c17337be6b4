package ai.dgnet.models;

import ai.dgnet.fuzz.ByteMutator;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.models.io.SafeTensorsBytes;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged model files, as users meet them (downloads cut short, headers edited by hand, files from other tools): a
 * valid DG-ResNet-20 file is damaged in many seeded ways, then loaded and run. Each one must either be refused with a
 * {@link ModelFileException} of one line that names the file, or load and run; any other exception, or a crash of the
 * JVM, fails the build. {@code -Ddgnet.fuzz.cases=N} and {@code -Ddgnet.fuzz.seed=S} run a longer or another campaign.
 */
class ModelFileFuzzTest {
    private static final int CASES = Integer.getInteger("dgnet.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("dgnet.fuzz.seed", 20261129L);

    @TempDir
    static Path dir;

    @Test
    void aDamagedModelFileIsRefusedInOneLineNamingItOrRuns() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.2f, 10, 3, List.of("a", "b", "c", "d",
                "e", "f", "g", "h", "i", "j"), new ModelConfig.Preprocess(36, 32, new float[] {0.5f, 0.4f, 0.3f},
                new float[] {0.25f, 0.2f, 0.3f}));
        try (DgModel model = DgModel.random(config, 3)) {
            model.save(valid);
        }
        byte[] file = Files.readAllBytes(valid);
        SafeTensorsBytes parts = SafeTensorsBytes.split(file);
        byte[] header = parts.header();
        byte[] data = parts.data();
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = new float[(int) shape.elements()];
        Arrays.fill(input, 0.5f);

        ByteMutator mutator = new ByteMutator(SEED);
        int refused = 0;
        int ran = 0;
        try (CpuDevice device = CpuDevice.create(1)) {
            for (int i = 0; i < CASES; i++) {
                // Mostly the header, whose length field then still fits it, so that the damage meets the checks
                // behind the length's; sometimes anywhere, the length field and the data too.
                ByteMutator.Mutation mutation = mutator.nextInt(4) == 0 ? mutator.mutate(file, 0, file.length)
                        : withHeader(mutator.mutate(header, 0, header.length), data);
                Path damaged = dir.resolve("case-" + i + ".safetensors");
                Files.write(damaged, mutation.bytes());
                String what = "case " + i + " of seed " + SEED + " (" + mutation.description() + ")";
                try (DgModel model = DgModel.load(damaged); Session session = model.session(device)) {
                    session.run(input, shape);
                    ran++;
                } catch (ModelFileException e) {
                    String message = e.getMessage();
                    assertTrue(message.startsWith(damaged.toString()), what + ": " + message);
                    assertFalse(message.contains("\n"), what + ": " + message);
                    refused++;
                } catch (RuntimeException | Error e) {
                    throw new AssertionFailedError(what + ": " + e, e);
                }
                Files.delete(damaged);
            }
        }
        // Damage that the checks never see would prove nothing; damage where it does not matter (a label, a digit
        // of a weight) still loads.
        assertTrue(refused > CASES / 2, refused + " of " + CASES + " refused");
        assertTrue(ran > 0, "none of " + CASES + " ran");
    }

    /** A file of {@code header}'s mutated JSON, its length field written to fit it, before {@code data}. */
    private static ByteMutator.Mutation withHeader(ByteMutator.Mutation header, byte[] data) {
        return new ByteMutator.Mutation(new SafeTensorsBytes(header.bytes(), data).file(),
                "header: " + header.description());
    }
}
