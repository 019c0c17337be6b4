package ai.dgnet.models;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which activation layout a session prepares its network in, and what trying a layout it gives up costs. */
class LayoutChoiceTest {

    /**
     * A device offering {@code nChw16c}, then NHWC, as an AVX-512 CPU device does. RegNetY has convolutions with only
     * a generic kernel in {@code nChw16c}: with AVX-512 its grouped ones (8 channels a group), with AVX2 all of them
     * (it is AVX-512's layout). The session gives that layout up at its first stage that has one, not after preparing
     * a whole network in it, and runs in NHWC with the same logits as a device offering NHWC alone.
     */
    @Test
    void aLayoutWithAGenericKernelIsGivenUpAtTheFirstStageThatHasOne() {
        Shape shape = Shape.of(1, 3, 32, 32);
        float[] input = new float[(int) shape.elements()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(0.1 * i);
        }
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.REGNET_Y_400MF, Mode.DYNAMIC).withClasses(10, 3), 3);
             CountingDevice device = new CountingDevice(CpuDevice.create(1), List.of(Layout.NCHW16C, Layout.NHWC),
                     false);
             CountingDevice nhwcOnly = new CountingDevice(CpuDevice.create(1), Layout.NHWC);
             Session session = model.session(device);
             Session reference = model.session(nhwcOnly)) {
            float[] expected = reference.run(input, shape).logits()[0];
            float[] logits = session.run(input, shape).logits()[0];

            int network = nhwcOnly.convolutions(Layout.NHWC);
            assertEquals(network, device.convolutions(Layout.NHWC), "the network is prepared once, in NHWC");
            int triedFirst = device.convolutions(Layout.NCHW16C);
            assertTrue(triedFirst > 0 && triedFirst < network / 4, "nChw16c was given up after " + triedFirst
                    + " of the network's " + network + " convolutions");
            assertArrayEquals(expected, logits);
        }
    }

    /**
     * The CPU device plans ResNet-18 in its blocked layout and, without AVX-512, keeps the maps of at most 7x7 pixels
     * in NHWC: at 32x32, the stem and layer1 (8x8) blocked, layer2 to layer4 (4x4 down to 1x1) in NHWC, with one
     * reorder into NHWC before layer2. With AVX-512 ({@code nChw16c}) the whole network stays blocked, without a
     * reorder. Its logits are those of the network in either layout alone.
     */
    @Test
    void withoutAvx512SmallMapsRunInNhwcWithOneReorderBeforeTheFirstSuchStage() {
        Shape shape = Shape.of(2, 3, 32, 32);
        float[] input = DeterministicWeights.generate("input", shape.dims(), 5);
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.RESNET18, Mode.DYNAMIC).withClasses(10, 3), 3);
             CountingDevice device = new CountingDevice(CpuDevice.create(1), null);
             CountingDevice blockedOnly = new CountingDevice(CpuDevice.create(1), device.activationLayouts().getFirst());
             CountingDevice nhwcOnly = new CountingDevice(CpuDevice.create(1), Layout.NHWC);
             Session session = model.session(device);
             Session blocked = model.session(blockedOnly);
             Session nhwc = model.session(nhwcOnly)) {
            float[] logits = session.run(input, shape).logitsRowMajor();
            for (Session single : List.of(blocked, nhwc)) {
                double error = Agreement.relativeError(logits, single.run(input, shape).logitsRowMajor());
                assertTrue(error < 1e-5, "relative error " + error + " against one layout throughout");
            }

            Layout planned = device.activationLayouts().getFirst();
            int network = blockedOnly.convolutions(planned);
            List<String> reorders = session.profile(shape).stream().map(LayerProfile::layer)
                    .filter(layer -> layer.endsWith(".input")).toList();
            if (planned == Layout.NCHW16C) {
                assertEquals(network, device.convolutions(planned), "AVX-512: every convolution blocked");
                assertEquals(0, device.convolutions(Layout.NHWC), "AVX-512: none in NHWC");
                assertEquals(List.of(), reorders);
            } else {
                assertEquals(5, device.convolutions(planned), "the stem's convolution and layer1's four, blocked");
                assertEquals(network - 5, device.convolutions(Layout.NHWC), "layer2 to layer4 in NHWC");
                assertEquals(List.of("layer2.0.input"), reorders);
            }
        }
    }

    /**
     * Where no layout has optimized kernels throughout (RegNetY in {@code nChw16c} alone, on AVX-512 or AVX2), the
     * network kept is prepared whole once, after the trial that stopped at its first generic kernel: not prepared again
     * to be kept.
     */
    @Test
    void withoutAnyFullyOptimizedLayoutTheNetworkIsPreparedWholeOnce() {
        Shape shape = Shape.of(1, 3, 32, 32);
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.REGNET_Y_400MF, Mode.DYNAMIC).withClasses(10, 3), 3);
             CountingDevice nchw16c = new CountingDevice(CpuDevice.create(1), Layout.NCHW16C);
             CountingDevice nhwcOnly = new CountingDevice(CpuDevice.create(1), Layout.NHWC);
             Session session = model.session(nchw16c);
             Session reference = model.session(nhwcOnly)) {
            float[] input = new float[(int) shape.elements()];
            reference.run(input, shape);
            session.run(input, shape);
            int network = nhwcOnly.convolutions(Layout.NHWC);
            int made = nchw16c.convolutions(Layout.NCHW16C);
            assertTrue(made > network && made < 2 * network, made + " convolutions made for a network of " + network
                    + ": the trial's and one whole network's");
        }
    }

    /**
     * Where no layout has optimized kernels throughout, the networks prepared whole in turn are compared; memory
     * refused to a later one fails the preparation and leaves nothing open, the better network kept so far included.
     */
    @Test
    void memoryRefusedToALaterWholeNetworkClosesTheOneKeptSoFar() {
        Shape shape = Shape.of(1, 3, 32, 32);
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.REGNET_Y_400MF, Mode.DYNAMIC).withClasses(10, 3), 3);
             CountingDevice device = new CountingDevice(CpuDevice.create(1), List.of(Layout.NCHW16C, Layout.NCHW16C),
                     false);
             CountingDevice nhwcOnly = new CountingDevice(CpuDevice.create(1), Layout.NHWC);
             Session session = model.session(device);
             Session reference = model.session(nhwcOnly)) {
            float[] input = new float[(int) shape.elements()];
            reference.run(input, shape);
            device.memoryFor(nhwcOnly.convolutions(Layout.NHWC), false);

            assertThrows(InsufficientMemoryException.class, () -> session.run(input, shape));

            assertEquals(0, device.openConvolutions(), "no convolution of either whole network left open");
        }
    }
}
