package ai.dgnet.tests;

import ai.dgnet.models.Agreement;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A result passed back to {@link Session#run(Tensor, Result)} holds only the new run's values, whoever made it. */
class ResultReuseTest {
    /**
     * A dynamic model's result fits a static session of the same architecture and input shape in every dimension,
     * but holds edges the static chain never writes. Passed to the static session, it must give the golden case's
     * static logits and the chain of spec section 2 (A[i][i+1] = 1, nothing else, routers zero), not aggregate over
     * the dynamic run's edges.
     */
    @Test
    void aResultOfAnotherSessionHoldsOnlyTheNewRunsValues() throws Exception {
        Path file = Path.of(ResultReuseTest.class.getResource("/golden/resnet20_static.safetensors").toURI());
        Shape shape = Shape.of(2, 3, 32, 32);
        try (SafeTensors golden = SafeTensors.open(file);
             CpuDevice device = CpuDevice.create(1);
             DgModel dynamicModel = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3), 3);
             DgModel staticModel = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 3), 3);
             Session dynamic = dynamicModel.session(device, 0f);
             Session fixed = staticModel.session(device);
             Tensor input = Tensor.of(shape, Layout.NCHW, DeterministicWeights.generate("input", shape.dims(), 1))) {
            Result other = dynamic.run(input);

            Result result = fixed.run(input, other);

            double error = Agreement.relativeError(result.logitsRowMajor(), golden.floats("logits"));
            assertTrue(error <= 1e-4, "logits relative error " + error);
            for (int s = 0; s < result.stages(); s++) {
                int size = result.nodes(s) + 1;
                for (int n = 0; n < result.batch(); n++) {
                    for (int i = 0; i < size; i++) {
                        for (int j = 0; j < size; j++) {
                            String where = "stage " + s + " instance " + n + " edge " + i + "->" + j;
                            assertEquals(j == i + 1 ? 1f : 0f, result.adjacency(s, n)[i][j], where);
                            assertEquals(0f, result.routerOutputs(s, n)[i][j], where + " router");
                        }
                    }
                }
            }
            assertSame(other, result, "a result that fits is written into, whoever made it");
        }
    }
}
