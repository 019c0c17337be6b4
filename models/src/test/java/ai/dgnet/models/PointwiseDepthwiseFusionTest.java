package ai.dgnet.models;

import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.cpu.CpuIsa;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MobileNetV2's expansions and depthwise filters run as one op where the device fuses them, with the logits of a
 * device that runs every convolution on its own (which the golden cases check against PyTorch, and
 * {@code Bf16AgreementTest} in bf16; the golden case at 224x224 checks the fused network itself).
 */
class PointwiseDepthwiseFusionTest {

    @Test
    void mobileNetV2sLargeExpansionsRunFusedWithTheLogitsOfSeparateConvolutions() {
        List<String> fused = assertFusedAgrees(Shape.of(2, 3, 224, 224), Precision.F32, 1e-5);
        assertTrue(fused.contains("features.2.conv.0.0+features.2.conv.1.0"), "fused: " + fused);
    }

    /**
     * In bf16 at batch 8 oneDNN's AVX-512 1x1 kernel fuses the 56x56 expansions too; its AMX kernels have no
     * depthwise post-op, so with AMX every pair is declined and runs as two ops. Both networks round the expanded
     * maps to bf16, in different kernels, so the logits agree to bf16's precision, not to the bit.
     */
    @Test
    void inBf16TheFusedPairsGiveTheLogitsOfSeparateConvolutions() {
        try (CpuDevice probe = CpuDevice.create(1)) {
            assumeTrue(probe.activationLayouts().getFirst() == Layout.NCHW16C,
                    "oneDNN has bf16 convolutions with AVX-512 only");
        }
        List<String> fused = assertFusedAgrees(Shape.of(8, 3, 224, 224), Precision.BF16, 1e-2);
        if (CpuIsa.amx()) {
            assertEquals(List.of(), fused);
        } else {
            assertTrue(fused.contains("features.3.conv.0.0+features.3.conv.1.0"), "fused: " + fused);
        }
    }

    /** Runs one input through sessions on a fusing device and on one that is not; returns the fused layers. */
    private static List<String> assertFusedAgrees(Shape shape, Precision precision, double tolerance) {
        float[] input = new float[(int) shape.elements()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(0.01 * i);
        }
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.MOBILENET_V2, Mode.DYNAMIC).withClasses(10, 3), 3);
             CpuDevice device = CpuDevice.create(2);
             CountingDevice separate = new CountingDevice(CpuDevice.create(2), null);
             Session session = model.session(device, SessionOptions.defaults().withPrecision(precision));
             Session reference = model.session(separate, SessionOptions.defaults().withPrecision(precision))) {
            float[] expected = reference.run(input, shape).logitsRowMajor();
            float[] logits = session.run(input, shape).logitsRowMajor();

            List<String> fused = session.profile(shape).stream().map(LayerProfile::layer)
                    .filter(layer -> layer.contains("+")).toList();
            assertTrue(reference.profile(shape).stream().noneMatch(layer -> layer.layer().contains("+")));
            // Each fused pair is one op where the separate device ran two.
            assertEquals(reference.profile(shape).size() - fused.size(), session.profile(shape).size());
            double error = Agreement.relativeError(logits, expected);
            assertTrue(error <= tolerance, precision + ": relative error " + error + " with " + fused.size()
                    + " pairs fused");
            return fused;
        }
    }
}
