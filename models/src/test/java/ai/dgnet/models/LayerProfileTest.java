package ai.dgnet.models;

import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.op.OpProfile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session's profile by layer, and what ran between two of them. */
class LayerProfileTest {

    @Test
    void aSessionProfilesEveryLayerOfTheNetworkItPreparedForAShape() {
        Shape shape = Shape.of(2, 3, 16, 16);
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3), 3);
             CpuDevice device = CpuDevice.create(1);
             Session session = model.session(device)) {
            assertEquals(List.of(), session.profile(shape), "nothing prepared for the shape yet");
            float[] input = new float[(int) shape.elements()];
            session.run(input, shape);
            List<LayerProfile> once = session.profile(shape);
            session.run(input, shape);
            session.run(input, shape);
            List<LayerProfile> thrice = session.profile(shape);

            // ResNet-20: its stem, two convolutions in each of nine blocks, two projections, the pooling and fc,
            // and where the CPU device keeps layer3's 4x4 maps in NHWC (without AVX-512), the reorder before it.
            Shape layer3 = Shape.of(2, 64, 4, 4);
            boolean reorder = device.activationLayout(device.activationLayouts().getFirst(), layer3) == Layout.NHWC;
            assertEquals(1 + 18 + 2 + 1 + 1 + (reorder ? 1 : 0), thrice.size());
            assertEquals("conv1", thrice.getFirst().layer());
            assertEquals(List.of("avgpool", "fc"), thrice.subList(thrice.size() - 2, thrice.size()).stream()
                    .map(LayerProfile::layer).toList());
            // Each block's projection runs before its convolutions, which add onto its output.
            List<String> names = thrice.stream().map(LayerProfile::layer).toList();
            assertEquals(List.of("layer2.0.downsample.0", "layer2.0.conv1", "layer2.0.conv2"),
                    names.subList(names.indexOf("layer2.0.downsample.0"), names.indexOf("layer2.0.conv2") + 1));
            if (reorder) {
                assertEquals(List.of("layer3.0.input", "layer3.0.downsample.0"),
                        names.subList(names.indexOf("layer3.0.input"), names.indexOf("layer3.0.downsample.0") + 1));
            }
            assertEquals("linear 64->10 (batch 2)", thrice.getLast().op().op());

            List<LayerProfile> between = LayerProfile.between(once, thrice);
            for (LayerProfile layer : between) {
                // Dynamic mode may skip a node whose input no instance kept; every other layer ran twice.
                assertTrue(layer.op().runs() == 2 || layer.layer().startsWith("layer"), layer.toString());
                assertTrue(layer.op().runs() <= 2, layer.toString());
            }
            assertTrue(between.stream().anyMatch(layer -> layer.layer().equals("fc")), between.toString());

            session.close();
            assertThrows(IllegalStateException.class, () -> session.profile(shape));
        }
    }

    @Test
    void betweenSubtractsLayerByLayerAndPutsTheMostTimeFirst() {
        List<LayerProfile> before = List.of(layer("conv1", 1, 10), layer("fc", 1, 5), layer("avgpool", 1, 1));
        List<LayerProfile> after = List.of(layer("conv1", 3, 30), layer("fc", 3, 45), layer("avgpool", 1, 1));

        assertEquals(List.of(layer("fc", 2, 40), layer("conv1", 2, 20)), LayerProfile.between(before, after),
                "avgpool did not run in between");
        assertEquals(List.of(layer("fc", 3, 45), layer("conv1", 3, 30), layer("avgpool", 1, 1)),
                LayerProfile.between(List.of(), after), "nothing before: everything so far");
        assertEquals(List.of(layer("a", 1, 5), layer("b", 1, 5)),
                LayerProfile.between(List.of(), List.of(layer("a", 1, 5), layer("b", 1, 5))), "ties keep their order");
        assertThrows(IllegalArgumentException.class, () -> LayerProfile.between(before, after.subList(0, 2)));
        assertThrows(IllegalArgumentException.class, () -> LayerProfile.between(before,
                List.of(layer("conv2", 3, 30), layer("fc", 3, 45), layer("avgpool", 1, 1))));
    }

    private static LayerProfile layer(String name, long runs, long nanos) {
        return new LayerProfile(name, new OpProfile("op of " + name, "jit", runs, nanos, 0));
    }
}
