package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.OpProfile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CpuDevice#profile()}: runs, time and multiply-accumulates per kind of op. */
class ProfileTest {
    @Test
    void countsEachKindsRunsTimeAndMacsAndComparesTwoProfiles() {
        // 16 outputs x 5 x 5 pixels x 8 inputs per run.
        Conv2d.Spec pointwise = Conv2d.Spec.of(Shape.of(1, 8, 5, 5), 16, 1, 1, 0);
        Conv2d.Spec strided = Conv2d.Spec.of(Shape.of(1, 8, 5, 5), 16, 3, 2, 1);
        try (CpuDevice device = CpuDevice.create(1);
             Conv2d a = conv(device, pointwise, 1);
             Conv2d twin = conv(device, pointwise, 2);
             Conv2d b = conv(device, strided, 3);
             Linear unused = device.linear(new Linear.Spec(1, 4, 3), new ConvWeights(new float[12], new float[3]));
             Tensor src = Tensor.of(pointwise.input(), Layout.NCHW, Reference.random(4, pointwise.input().elements()));
             Tensor dst = device.allocate(pointwise.output(), DType.F32, Layout.NCHW);
             Tensor strideDst = device.allocate(strided.output(), DType.F32, Layout.NCHW)) {
            for (int i = 0; i < 3; i++) {
                a.run(src, dst);
            }
            twin.run(src, dst);
            b.run(src, strideDst);
            List<OpProfile> first = device.profile();
            assertEquals(3, first.size(), "the twins are one kind, the linear layer listed unrun: " + first);
            OpProfile ones = line(first, "conv 1x1 8->16 5x5");
            assertEquals(4, ones.runs(), "both twins' runs");
            assertEquals(4L * 16 * 25 * 8, ones.macs());
            assertTrue(ones.nanos() > 0 && ones.gflops() > 0, ones.toString());
            assertEquals(a.implementation(), ones.implementation());
            OpProfile threes = line(first, "conv 3x3 s2 8->16 5x5");
            assertEquals(1, threes.runs());
            assertEquals(16L * 9 * 8 * 9, threes.macs(), "3 x 3 outputs of 8 x 3 x 3 each");
            assertEquals(0, line(first, "linear 4->3").runs());
            for (int i = 1; i < first.size(); i++) {
                assertTrue(first.get(i - 1).nanos() >= first.get(i).nanos(), "the most time first: " + first);
            }

            b.run(src, strideDst);
            b.run(src, strideDst);
            twin.close();
            List<OpProfile> since = OpProfile.between(first, device.profile());
            assertEquals(1, since.size(), "only what ran in between: " + since);
            assertEquals(2, since.getFirst().runs());
            assertEquals(2 * threes.macs(), since.getFirst().macs());
            assertEquals(3, line(device.profile(), "conv 1x1 8->16 5x5").runs(), "a closed op leaves the profile");
        }
    }

    @Test
    void aWinogradConvolutionIsOneRunPerCallWhateverTheBatch() {
        try (CpuDevice device = CpuDevice.create(2, 1)) {
            // The blocked layout of this machine's vectors (8 or 16 channels), which Winograd's kernels run on.
            Layout blocked = device.activationLayouts().getFirst();
            Conv2d.Spec spec = Conv2d.Spec.of(Shape.of(3, 16, 16, 16), 16, 3, 1, 1).withLayouts(blocked, blocked);
            try (Conv2d conv = conv(device, spec, 5);
                 Tensor src = device.allocate(spec.input(), DType.F32, blocked);
                 Tensor dst = device.allocate(spec.output(), DType.F32, blocked)) {
                conv.run(src, dst);
                conv.run(src, dst);
                OpProfile line = line(device.profile(), "conv 3x3 16->16 16x16 (batch 3)");
                assertTrue(line.implementation().startsWith("winograd_4x3+"), line.implementation());
                assertEquals(2, line.runs(), "its matrix products run once per group of images, the op once a call");
                assertEquals(2L * 3 * 16 * 256 * 16 * 9, line.macs(), "counted as direct convolution");
                assertTrue(line.nanos() >= device.transformNanos(), "the transforms are the op's time too");
            }
        }
    }

    @Test
    void linesOfDifferentOpsDoNotCompare() {
        OpProfile a = new OpProfile("conv 1x1 8->16 5x5", "jit_1x1", 1, 10, 100);
        OpProfile b = new OpProfile("conv 1x1 8->16 5x5", "jit:avx2", 1, 10, 100);
        assertThrows(IllegalArgumentException.class, () -> a.since(b));
        assertEquals(0, new OpProfile("add 8 5x5", "jit", 0, 0, 0).gflops());
    }

    private static Conv2d conv(CpuDevice device, Conv2d.Spec spec, long seed) {
        return device.conv2d(spec, new ConvWeights(Reference.random(seed, spec.weightCount()),
                Reference.random(seed + 1, spec.outChannels())));
    }

    private static OpProfile line(List<OpProfile> profile, String op) {
        return profile.stream().filter(line -> line.op().equals(op)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + op + " in " + profile));
    }
}
