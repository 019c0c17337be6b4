package ai.dgnet.models;

import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MobileNetV2's expansions and depthwise filters run as one op where the device fuses them, with the logits of a
 * device that runs every convolution on its own (which the golden cases check against PyTorch).
 */
class PointwiseDepthwiseFusionTest {

    @Test
    void mobileNetV2sLargeExpansionsRunFusedWithTheLogitsOfSeparateConvolutions() {
        Shape shape = Shape.of(2, 3, 224, 224);
        float[] input = new float[(int) shape.elements()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(0.01 * i);
        }
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.MOBILENET_V2, Mode.DYNAMIC).withClasses(10, 3), 3);
             CpuDevice device = CpuDevice.create(2);
             CountingDevice separate = new CountingDevice(CpuDevice.create(2), null);
             Session session = model.session(device);
             Session reference = model.session(separate)) {
            float[] expected = reference.run(input, shape).logitsRowMajor();
            float[] logits = session.run(input, shape).logitsRowMajor();

            List<String> fused = session.profile(shape).stream().map(LayerProfile::layer)
                    .filter(layer -> layer.contains("+")).toList();
            assertTrue(fused.contains("features.2.conv.0.0+features.2.conv.1.0"), "fused: " + fused);
            assertTrue(reference.profile(shape).stream().noneMatch(layer -> layer.layer().contains("+")));
            // Each fused pair is one op where the separate device ran two.
            assertEquals(reference.profile(shape).size() - fused.size(), session.profile(shape).size());
            double error = Agreement.relativeError(logits, expected);
            assertTrue(error <= 1e-5, "relative error " + error + " with " + fused.size() + " pairs fused");
        }
    }
}
