package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Add;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Reorder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Pooling, global average pooling, inner product, reorder and add against the plain-Java reference. */
class OperationsTest {
    private static final double TOLERANCE = 1e-5;
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(2);

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void maxPoolingStride2Padding1OnOddSizes(Layout layout) {
        Shape in = Shape.of(2, 20, 15, 11);
        float[] x = Reference.random(21, in.elements());
        Pool2d.Spec spec = Pool2d.Spec.of(in, Pool2d.Kind.MAX, 3, 2, 1, layout);
        assertPool(spec, x, Reference.pool2d(x, in, true, false, 3, 2, 1));
    }

    @ParameterizedTest
    @EnumSource(value = Pool2d.Kind.class, names = {"AVG_INCLUDE_PADDING", "AVG_EXCLUDE_PADDING"})
    void averagePoolingCountsPaddingAsAsked(Pool2d.Kind kind) {
        Shape in = Shape.of(1, 17, 9, 10);
        float[] x = Reference.random(22, in.elements());
        Pool2d.Spec spec = Pool2d.Spec.of(in, kind, 3, 2, 1, Layout.NCHW16C);
        assertPool(spec, x, Reference.pool2d(x, in, false, kind == Pool2d.Kind.AVG_INCLUDE_PADDING, 3, 2, 1));
    }

    private static void assertPool(Pool2d.Spec spec, float[] x, double[] expected) {
        try (Pool2d pool = device.pool2d(spec);
             Tensor src = Tensor.of(spec.input(), spec.layout(), x);
             Tensor dst = device.allocate(spec.output(), DType.F32, spec.layout())) {
            pool.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, spec + ": relative error " + error);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void globalAveragePoolingFromEveryLayout(Layout layout) {
        Shape in = Shape.of(3, 20, 7, 5);
        float[] x = Reference.random(23, in.elements());
        try (GlobalAvgPool gap = device.globalAvgPool(in, DType.F32, layout);
             Tensor src = Tensor.of(in, layout, x);
             Tensor dst = device.allocate(GlobalAvgPool.output(in), DType.F32, Layout.NC)) {
            gap.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), Reference.globalAvgPool(x, in));
            assertTrue(error <= TOLERANCE, layout + ": relative error " + error);
        }
    }

    /**
     * Where the DG kernels take a pooling's means instead of a reference kernel (f32 with channels that leave a block
     * part empty, on a layout whose blocks oneDNN has no optimized kernel for here), the op's profile times them: the
     * device's routing clock must not count them again, as it did, for {@code dgnet bench} and the comparison
     * harness's profile to add them to the op's time a second time.
     */
    @Test
    void globalAveragePoolingByTheDgKernelsIsTheOpsTimeNotRouting() {
        Shape in = Shape.of(2, 20, 7, 5);
        float[] x = Reference.random(28, in.elements());
        int byDgKernels = 0;
        try (CpuDevice fresh = CpuDevice.create(2)) {
            for (Layout layout : new Layout[] {Layout.NCHW8C, Layout.NCHW16C}) {
                try (GlobalAvgPool gap = fresh.globalAvgPool(in, DType.F32, layout);
                     Tensor src = Tensor.of(in, layout, x);
                     Tensor dst = fresh.allocate(GlobalAvgPool.output(in), DType.F32, Layout.NC)) {
                    gap.run(src, dst);
                    double error = Reference.relativeError(dst.toFloatArray(), Reference.globalAvgPool(x, in));
                    assertTrue(error <= TOLERANCE, layout + ": relative error " + error);
                    if (gap.implementation().startsWith("java:")) {
                        byDgKernels++;
                    }
                }
            }
            assumeTrue(byDgKernels > 0, "oneDNN pools every such layout here");
            assertEquals(0, fresh.routingNanos());
        }
    }

    /**
     * oneDNN 3.13 pools bf16 into f32 with its reference kernel only, and only where it has bf16 at all: the device's
     * DG kernels take the means.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void globalAveragePoolingOfBf16RunsNoReferenceKernel(Layout layout) {
        assumeTrue(device.supports(DType.BF16), "no bf16 on this CPU");
        Shape in = Shape.of(3, 20, 7, 5);
        float[] x = Reference.random(27, in.elements());
        for (int i = 0; i < x.length; i++) {
            x[i] = BFloat16.toFloat(BFloat16.fromFloat(x[i]));
        }
        try (GlobalAvgPool gap = device.globalAvgPool(in, DType.BF16, layout);
             Tensor src = device.allocate(in, DType.BF16, layout);
             Tensor dst = device.allocate(GlobalAvgPool.output(in), DType.F32, Layout.NC)) {
            src.copyFrom(x);
            gap.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), Reference.globalAvgPool(x, in));
            assertTrue(error <= TOLERANCE, layout + ": relative error " + error);
            assertTrue(gap.optimized(), gap.implementation());
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void linearWithAndWithoutBias(Activation activation) {
        Linear.Spec spec = new Linear.Spec(3, 37, 11, activation);
        float[] x = Reference.random(24, 3 * 37);
        float[] w = Reference.random(25, 11 * 37);
        float[] b = Reference.random(26, 11);
        for (float[] bias : new float[][] {b, null}) {
            try (Linear linear = device.linear(spec, new ConvWeights(w, bias));
                 Tensor src = Tensor.of(spec.input(), Layout.NC, x);
                 Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NC)) {
                linear.run(src, dst);
                double[] expected = Reference.activation(Reference.linear(x, 3, 37, w, bias, 11), activation);
                double error = Reference.relativeError(dst.toFloatArray(), expected);
                assertTrue(error <= TOLERANCE, activation + ", bias " + (bias != null) + ": relative error " + error);
            }
        }
    }

    @Test
    void reorderRoundTripsThroughBlockedLayoutsWithPaddedChannels() {
        Shape shape = Shape.of(2, 5, 3, 4);
        float[] x = Reference.random(27, shape.elements());
        try (Reorder toBlocked = device.reorder(new Reorder.Spec(shape, DType.F32, Layout.NCHW, DType.F32, Layout.NCHW16C));
             Reorder toNhwc = device.reorder(new Reorder.Spec(shape, DType.F32, Layout.NCHW16C, DType.F32, Layout.NHWC));
             Tensor plain = Tensor.of(shape, Layout.NCHW, x);
             Tensor blocked = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor nhwc = device.allocate(shape, DType.F32, Layout.NHWC)) {
            toBlocked.run(plain, blocked);
            assertArrayEquals(x, blocked.toFloatArray());
            toNhwc.run(blocked, nhwc);
            assertArrayEquals(x, nhwc.toFloatArray());
        }
    }

    @Test
    void reorderToBf16RoundsToNearestEven() {
        Shape shape = Shape.of(1, 16, 3, 3);
        float[] x = Reference.random(28, shape.elements());
        try (Reorder toBf16 = device.reorder(new Reorder.Spec(shape, DType.F32, Layout.NCHW, DType.BF16, Layout.NCHW16C));
             Tensor src = Tensor.of(shape, Layout.NCHW, x);
             Tensor dst = device.allocate(shape, DType.BF16, Layout.NCHW16C)) {
            toBf16.run(src, dst);
            float[] actual = dst.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(BFloat16.toFloat(BFloat16.fromFloat(x[i])), actual[i], "element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NCHW16C"})
    void elementwiseAdd(Layout layout) {
        Shape shape = Shape.of(2, 19, 5, 3);
        float[] a = Reference.random(29, shape.elements());
        float[] b = Reference.random(30, shape.elements());
        double[] expected = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            expected[i] = (double) a[i] + b[i];
        }
        try (Add add = device.add(new Add.Spec(shape, DType.F32, layout));
             Tensor ta = Tensor.of(shape, layout, a);
             Tensor tb = Tensor.of(shape, layout, b);
             Tensor dst = device.allocate(shape, DType.F32, layout)) {
            add.run(ta, tb, dst);
            assertTrue(Reference.relativeError(dst.toFloatArray(), expected) <= TOLERANCE);
            add.run(ta, tb, ta);
            assertTrue(Reference.relativeError(ta.toFloatArray(), expected) <= TOLERANCE, "in place");
        }
    }

    /**
     * The blocked outputs of pooling, reorder and add come out with zero padding from the primitive itself: a second
     * run on the same buffers binds nothing (see {@link Padding}).
     */
    @Test
    void eachOpZeroesItsDestinationsPaddingWithoutARebind() {
        Shape shape = Shape.of(2, 19, 7, 6);
        float[] x = Reference.random(31, shape.elements());
        Pool2d.Spec poolSpec = Pool2d.Spec.of(shape, Pool2d.Kind.MAX, 3, 2, 1, Layout.NCHW16C);
        try (Pool2d pool = device.pool2d(poolSpec);
             Reorder reorder = device.reorder(new Reorder.Spec(shape, DType.F32, Layout.NCHW, DType.F32,
                     Layout.NCHW16C));
             Add add = device.add(new Add.Spec(shape, DType.F32, Layout.NCHW16C));
             Tensor plain = Tensor.of(shape, Layout.NCHW, x);
             Tensor blocked = Tensor.of(shape, Layout.NCHW16C, x);
             Tensor pooled = device.allocate(poolSpec.output(), DType.F32, Layout.NCHW16C);
             Tensor reordered = device.allocate(shape, DType.F32, Layout.NCHW16C);
             Tensor sum = device.allocate(shape, DType.F32, Layout.NCHW16C)) {
            Padding.assertZeroedBySecondRun("max pooling", () -> pool.run(blocked, pooled), pooled);
            Padding.assertZeroedBySecondRun("reorder", () -> reorder.run(plain, reordered), reordered);
            Padding.assertZeroedBySecondRun("add", () -> add.run(blocked, blocked, sum), sum);
        }
    }

}
