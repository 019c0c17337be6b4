package ai.dgnet.tests;

import ai.dgnet.cli.CommandRun;
import ai.dgnet.models.Agreement;
import ai.dgnet.models.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model files written by the PyTorch reference ({@code tests/reference/dgnet_reference.py write-model}) load and
 * run through {@code dgnet infer}, matching the reference's own {@code infer} on the same input. Needs Python 3
 * with Debian's {@code python3-torch} and {@code python3-torchvision}; skipped with a message where they are
 * missing. The weight and input seeds are those of the golden cases, whose router margins are known to be safe.
 */
class ReferenceModelFilesTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static Path script;

    @TempDir
    static Path dir;

    @BeforeAll
    static void requireReference() throws URISyntaxException {
        Path golden = Path.of(ReferenceModelFilesTest.class.getResource("/golden").toURI());
        // tests/target/test-classes/golden -> tests/reference/dgnet_reference.py
        script = golden.getParent().getParent().getParent().resolve("reference/dgnet_reference.py");
        Assumptions.assumeTrue(Files.isRegularFile(script), "reference script not found at " + script);
        Assumptions.assumeTrue(runs(List.of(PYTHON, "-c", "import torch, torchvision")),
                "PyTorch reference unavailable: install python3-torch and python3-torchvision "
                        + "(apt-get install python3-torch python3-torchvision) to run these tests");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18_dynamic", "resnet34_dynamic", "resnet50_dynamic", "resnet101_dynamic",
            "resnext50_32x4d_dynamic", "mobilenet_v2_dynamic", "regnet_x_400mf_dynamic", "regnet_y_400mf_dynamic",
            "resnet20_dynamic", "resnet50_static_gray_odd"})
    void referenceModelFileRunsThroughDgnetInfer(String goldenCase) throws Exception {
        Map<String, String> meta;
        try (SafeTensors golden = SafeTensors.open(Path.of(getClass().getResource("/golden/" + goldenCase
                + ".safetensors").toURI()))) {
            meta = golden.metadata();
        }
        Path model = dir.resolve(goldenCase + ".model.safetensors");
        Path input = dir.resolve(goldenCase + ".input.safetensors");
        Path expected = dir.resolve(goldenCase + ".expected.safetensors");
        Path actual = dir.resolve(goldenCase + ".actual.safetensors");
        reference("write-model", "--arch", meta.get("dgnet.arch"), "--mode", meta.get("dgnet.mode"),
                "--seed", meta.get("golden.weight_seed"), "--num-classes", meta.get("dgnet.num_classes"),
                "--in-channels", meta.get("dgnet.in_channels"), "--threshold", meta.get("dgnet.threshold"),
                "-o", model.toString());
        reference("write-input", "--seed", meta.get("golden.input_seed"), "--shape", meta.get("golden.input_shape"),
                "-o", input.toString());
        reference("infer", model.toString(), "--input", input.toString(), "--output", expected.toString());

        CommandRun run = InferCommandTest.dgnet("infer", model.toString(), "--input", input.toString(),
                "--output", actual.toString());
        assertEquals(0, run.status(), run.err());

        try (SafeTensors want = SafeTensors.open(expected); SafeTensors got = SafeTensors.open(actual)) {
            assertEquals(want.names(), got.names(), "output tensors");
            for (String name : want.names()) {
                float[] w = want.floats(name);
                float[] g = got.floats(name);
                if (name.equals("logits")) {
                    double error = Agreement.relativeError(g, w);
                    assertTrue(error <= 1e-4, "logits relative error " + error);
                    continue;
                }
                for (int i = 0; i < w.length; i++) {
                    assertEquals(w[i] != 0, g[i] != 0, name + "[" + i + "]: kept in one, dropped in the other");
                    assertEquals(w[i], g[i], 1e-4, name + "[" + i + "]");
                }
            }
        }
    }

    private static void reference(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "reference timed out: " + command);
        assertEquals(0, process.exitValue(), "reference failed: " + command + "\n" + output);
    }

    private static boolean runs(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(2, TimeUnit.MINUTES) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
