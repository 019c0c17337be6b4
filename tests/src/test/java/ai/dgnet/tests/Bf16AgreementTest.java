package ai.dgnet.tests;

import ai.dgnet.models.Agreement;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Precision;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.SessionOptions;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bf16 sessions against the float64 golden logits: the top-1 class of at least 99% of the golden instances is
 * unchanged. Prints the agreement and the logits error so the numbers can be reported.
 */
class Bf16AgreementTest {
    @Test
    void bf16KeepsTheTop1OfTheGoldenInputs() throws Exception {
        int instances = 0;
        int sameTop1 = 0;
        int sameEdges = 0;
        int edges = 0;
        double worstLogits = 0;
        try (CpuDevice device = CpuDevice.create(2)) {
            assumeTrue(device.supports(DType.BF16), device.name() + " has no bf16 convolutions");
            for (Path file : GoldenCasesTest.cases().toList()) {
                try (SafeTensors golden = SafeTensors.open(file)) {
                    Map<String, String> meta = golden.metadata();
                    ModelConfig config = new ModelConfig(Arch.parse(meta.get("dgnet.arch")),
                            Mode.parse(meta.get("dgnet.mode")), Float.parseFloat(meta.get("dgnet.threshold")),
                            Integer.parseInt(meta.get("dgnet.num_classes")),
                            Integer.parseInt(meta.get("dgnet.in_channels")), List.of(), null);
                    int[] dims = Arrays.stream(meta.get("golden.input_shape").split(","))
                            .mapToInt(Integer::parseInt).toArray();
                    float[] input = DeterministicWeights.generate("input", dims,
                            Long.parseLong(meta.get("golden.input_seed")));
                    Result result;
                    try (DgModel model = DgModel.random(config, Long.parseLong(meta.get("golden.weight_seed")));
                         Session session = model.session(device,
                                 SessionOptions.defaults().withPrecision(Precision.BF16))) {
                        result = session.run(input, Shape.of(dims));
                    }
                    float[] expected = golden.floats("logits");
                    int classes = result.logits()[0].length;
                    worstLogits = Math.max(worstLogits,
                            Agreement.relativeError(result.logitsRowMajor(), expected));
                    for (int n = 0; n < result.batch(); n++) {
                        instances++;
                        float[] row = Arrays.copyOfRange(expected, n * classes, (n + 1) * classes);
                        sameTop1 += argmax(row) == result.top1(n) ? 1 : 0;
                    }
                    for (int s = 0; s < result.stages(); s++) {
                        if (!golden.contains("adjacency." + s)) {
                            continue;
                        }
                        float[] a = golden.floats("adjacency." + s);
                        float[] actual = result.trace(s).adjacencyRowMajor();
                        for (int i = 0; i < a.length; i++) {
                            edges++;
                            sameEdges += (a[i] != 0) == (actual[i] != 0) ? 1 : 0;
                        }
                    }
                }
            }
        }
        double agreement = (double) sameTop1 / instances;
        System.out.printf("bf16 vs float64 golden: top-1 identical on %d of %d instances (%.1f%%), "
                        + "kept/dropped identical on %d of %d matrix cells, worst logits relative error %.3g%n",
                sameTop1, instances, 100 * agreement, sameEdges, edges, worstLogits);
        assertTrue(agreement >= 0.99, "top-1 agreement " + agreement);
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            if (row[k] > row[best]) {
                best = k;
            }
        }
        return best;
    }
}
