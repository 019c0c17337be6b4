package ai.dgnet.models;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session's precision against what its device can compute in. */
class SessionPrecisionTest {
    private static final ModelConfig CONFIG = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);

    /** Refused when the session is made, in one line naming the precision and the device, before any native call. */
    @Test
    void aBf16SessionOnADeviceWithoutBf16ConvolutionsIsRefused() {
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(CpuDevice.create(1), null, true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.session(device, SessionOptions.defaults().withPrecision(Precision.BF16)));
            assertEquals("precision bf16 needs a device with bf16 convolutions; " + device.name() + " has none",
                    e.getMessage());
            assertEquals(0, device.convolutions(device.activationLayouts().getFirst()));
            try (Session f32 = model.session(device)) {
                assertEquals(Precision.F32, f32.precision());
            }
        }
    }

    /** Whatever the CPU: either its bf16 sessions run, agreeing with f32 to bf16's precision, or they are refused. */
    @Test
    void aBf16SessionRunsWhereTheCpuDeviceHasBf16Convolutions() {
        Shape shape = Shape.of(1, 3, 16, 16);
        float[] input = DeterministicWeights.generate("input", shape.dims(), 4);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CpuDevice device = CpuDevice.create(1)) {
            assertTrue(device.supports(DType.F32));
            SessionOptions bf16 = SessionOptions.defaults().withPrecision(Precision.BF16);
            if (!device.supports(DType.BF16)) {
                assertThrows(IllegalArgumentException.class, () -> model.session(device, bf16));
                return;
            }
            try (Session f32 = model.session(device);
                 Session session = model.session(device, bf16)) {
                float[] expected = f32.run(input, shape).logitsRowMajor();
                float[] logits = session.run(input, shape).logitsRowMajor();
                double error = Agreement.relativeError(logits, expected);
                assertTrue(error <= 2e-2, "bf16 against f32: relative error " + error);
            }
        }
    }
}
