package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.BatchNorm;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvolutionTest {
    private static final double TOLERANCE = 1e-5;
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(2);

    record Case(String name, Shape input, int out, int kernel, int stride, int pad, int dilation, int groups,
                boolean bias, Layout src, Layout dst, Activation activation, Residual residual) {
        Conv2d.Spec spec() {
            return new Conv2d.Spec(input, out, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups,
                    DType.F32, src, dst, activation, residual);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("3x3 odd size", Shape.of(1, 3, 13, 11), 5, 3, 1, 1, 1, 1, true,
                        Layout.NCHW, Layout.NCHW, Activation.NONE, Residual.NONE),
                new Case("7x7 stride 2 stem, no bias", Shape.of(2, 3, 29, 31), 16, 7, 2, 3, 1, 1, false,
                        Layout.NCHW, Layout.NCHW16C, Activation.RELU, Residual.NONE),
                new Case("stride 2 odd size, blocked 16", Shape.of(2, 32, 15, 9), 48, 3, 2, 1, 1, 1, true,
                        Layout.NCHW16C, Layout.NCHW16C, Activation.RELU, Residual.NONE),
                new Case("1x1, blocked 8, padded channels", Shape.of(3, 12, 7, 5), 20, 1, 1, 0, 1, 1, true,
                        Layout.NCHW8C, Layout.NCHW8C, Activation.NONE, Residual.NONE),
                new Case("groups 4 (ResNeXt)", Shape.of(2, 32, 9, 9), 32, 3, 1, 1, 1, 4, true,
                        Layout.NCHW16C, Layout.NCHW16C, Activation.RELU, Residual.NONE),
                new Case("groups 3, plain, odd channels", Shape.of(1, 9, 8, 10), 6, 3, 2, 1, 1, 3, true,
                        Layout.NCHW, Layout.NCHW, Activation.NONE, Residual.NONE),
                new Case("depthwise stride 2 relu6", Shape.of(2, 24, 17, 13), 24, 3, 2, 1, 1, 24, true,
                        Layout.NCHW16C, Layout.NCHW16C, Activation.RELU6, Residual.NONE),
                new Case("depthwise plain", Shape.of(1, 5, 6, 7), 5, 3, 1, 1, 1, 5, true,
                        Layout.NCHW, Layout.NCHW, Activation.NONE, Residual.NONE),
                new Case("dilation 2", Shape.of(1, 8, 12, 12), 8, 3, 1, 2, 2, 1, true,
                        Layout.NHWC, Layout.NHWC, Activation.NONE, Residual.NONE),
                new Case("residual accumulate + relu", Shape.of(2, 16, 10, 10), 16, 3, 1, 1, 1, 1, true,
                        Layout.NCHW16C, Layout.NCHW16C, Activation.RELU, Residual.ACCUMULATE),
                new Case("residual add tensor + relu", Shape.of(2, 20, 7, 9), 36, 1, 1, 0, 1, 1, true,
                        Layout.NCHW16C, Layout.NCHW16C, Activation.RELU, Residual.ADD),
                new Case("residual add, plain, no activation", Shape.of(1, 4, 5, 5), 4, 3, 1, 1, 1, 1, false,
                        Layout.NCHW, Layout.NHWC, Activation.NONE, Residual.ADD),
                new Case("sigmoid", Shape.of(2, 16, 6, 6), 16, 1, 1, 0, 1, 1, true,
                        Layout.NCHW8C, Layout.NCHW8C, Activation.SIGMOID, Residual.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPlainJavaReference(Case c) {
        Conv2d.Spec spec = c.spec();
        float[] x = Reference.random(1, c.input().elements());
        float[] w = Reference.random(2, spec.weightCount());
        float[] b = c.bias() ? Reference.random(3, c.out()) : null;
        Shape outShape = spec.output();
        float[] residual = Reference.random(4, outShape.elements());

        double[] expected = Reference.conv2d(x, c.input(), w, b, c.out(), c.kernel(), c.kernel(), c.stride(),
                c.pad(), c.dilation(), c.groups());
        if (c.residual() != Residual.NONE) {
            expected = Reference.add(expected, residual);
        }
        expected = Reference.activation(expected, c.activation());

        try (Conv2d conv = device.conv2d(spec, new ConvWeights(w, b));
             Tensor src = Tensor.of(c.input(), c.src(), x);
             Tensor dst = device.allocate(outShape, DType.F32, c.dst());
             Tensor res = Tensor.of(outShape, c.dst(), residual)) {
            switch (c.residual()) {
                case NONE -> conv.run(src, dst);
                case ACCUMULATE -> {
                    dst.copyFrom(residual);
                    conv.run(src, dst);
                }
                case ADD -> conv.run(src, res, dst);
            }
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, c + ": relative error " + error + " via " + conv.implementation());
        }
    }

    /**
     * A prepared op binds a buffer once and skips binding it again (oneDNN would zero its padding on every bind), so
     * the padding of a blocked destination must come out zero from the primitive itself: run, spoil the padding,
     * run again on the same buffers.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paddedCases")
    void aRunZeroesItsDestinationsPaddingWithoutARebind(Case c) {
        Conv2d.Spec spec = c.spec();
        Shape outShape = spec.output();
        float[] x = Reference.random(1, c.input().elements());
        float[] w = Reference.random(2, spec.weightCount());
        float[] b = c.bias() ? Reference.random(3, c.out()) : null;
        try (Conv2d conv = device.conv2d(spec, new ConvWeights(w, b));
             Tensor src = Tensor.of(c.input(), c.src(), x);
             Tensor dst = device.allocate(outShape, DType.F32, c.dst());
             Tensor res = Tensor.of(outShape, c.dst(), Reference.random(4, outShape.elements()))) {
            Padding.assertZeroedBySecondRun(c.name(), () -> {
                if (c.residual() == Residual.ADD) {
                    conv.run(src, res, dst);
                } else {
                    conv.run(src, dst);
                }
            }, dst);
        }
    }

    /** The cases whose destination is blocked with padding, and written rather than added to. */
    static Stream<Case> paddedCases() {
        return cases().filter(c -> c.dst().isBlocked() && c.out() % c.dst().channelBlock() != 0
                && c.residual() != Residual.ACCUMULATE);
    }

    @Test
    void batchNormFoldedIntoConvolutionMatchesConvThenBatchNorm() {
        Shape in = Shape.of(2, 8, 9, 7);
        int out = 12;
        float[] x = Reference.random(11, in.elements());
        float[] w = Reference.random(12, (long) out * 8 * 9);
        BatchNorm bn = new BatchNorm(positive(Reference.random(13, out)), Reference.random(14, out),
                Reference.random(15, out), positive(Reference.random(16, out)), BatchNorm.DEFAULT_EPS);
        Conv2d.Spec spec = Conv2d.Spec.of(in, out, 3, 1, 1).withLayouts(Layout.NCHW16C, Layout.NCHW16C);
        double[] expected = Reference.batchNorm(Reference.conv2d(x, in, w, null, out, 3, 3, 1, 1, 1, 1),
                spec.output(), bn);

        try (Conv2d conv = device.conv2d(spec, bn.fold(ConvWeights.withoutBias(w)));
             Tensor src = Tensor.of(in, Layout.NCHW16C, x);
             Tensor dst = device.allocate(spec.output(), DType.F32, Layout.NCHW16C)) {
            conv.run(src, dst);
            double error = Reference.relativeError(dst.toFloatArray(), expected);
            assertTrue(error <= TOLERANCE, "relative error " + error);
        }
    }

    @Test
    void identicalWeightsArePlacedOnceAndFreedWithTheirLastOp() {
        try (CpuDevice own = CpuDevice.create(1)) {
            float[] w = Reference.random(21, 16L * 16 * 9);
            float[] b = Reference.random(22, 16);
            // Stride 2, so that oneDNN runs it (WinogradConvolutionTest covers sharing its transformed filters).
            Conv2d.Spec batch1 = Conv2d.Spec.of(Shape.of(1, 16, 8, 8), 16, 3, 2, 1)
                    .withLayouts(Layout.NCHW16C, Layout.NCHW16C);
            Conv2d.Spec batch4 = Conv2d.Spec.of(Shape.of(4, 16, 8, 8), 16, 3, 2, 1)
                    .withLayouts(Layout.NCHW16C, Layout.NCHW16C);
            Conv2d first = own.conv2d(batch1, new ConvWeights(w, b));
            assertEquals(2, own.weights().buffers(), "weights and bias");
            Conv2d second = own.conv2d(batch4, new ConvWeights(w.clone(), b.clone()));
            assertEquals(2, own.weights().buffers(), "the same values in the same layout are shared");
            float[] other = w.clone();
            other[5] += 1f;
            Conv2d third = own.conv2d(batch1, new ConvWeights(other, b));
            assertEquals(3, own.weights().buffers(), "different values get their own buffer");
            first.close();
            assertEquals(3, own.weights().buffers(), "still used by the second op");
            float[] x = Reference.random(23, batch4.input().elements());
            try (Tensor src = Tensor.of(batch4.input(), Layout.NCHW16C, x);
                 Tensor dst = own.allocate(batch4.output(), DType.F32, Layout.NCHW16C)) {
                second.run(src, dst);
                double error = Reference.relativeError(dst.toFloatArray(),
                        Reference.conv2d(x, batch4.input(), w, b, 16, 3, 3, 2, 1, 1, 1));
                assertTrue(error <= TOLERANCE, "shared weights after the first op closed: relative error " + error);
            }
            second.close();
            third.close();
            assertEquals(0, own.weights().buffers(), "freed with the last op");
        }
    }

    private static float[] positive(float[] values) {
        float[] p = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            p[i] = 0.5f + Math.abs(values[i]);
        }
        return p;
    }
}
