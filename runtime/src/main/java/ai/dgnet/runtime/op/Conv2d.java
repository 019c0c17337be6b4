package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** A prepared 2-D convolution with bias and fused epilogue: {@code activation(conv(src) + bias + residual)}. */
public interface Conv2d extends SpecifiedOp<Conv2d.Spec> {
    /** Runs with {@link Residual#NONE} or {@link Residual#ACCUMULATE} (then {@code dst} holds the residual). */
    void run(Tensor src, Tensor dst);

    /** Runs with {@link Residual#ADD}: {@code dst = activation(conv(src) + bias + residual)}. */
    void run(Tensor src, Tensor residual, Tensor dst);

    /**
     * Everything that fixes a convolution: the input it takes, PyTorch's {@code Conv2d} parameters (dilation 1
     * means none, as in PyTorch), and the layouts of source and destination. Weights are {@code [out, in/groups,
     * kernelH, kernelW]}.
     */
    record Spec(Shape input, int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                int dilationH, int dilationW, int groups, DType dtype, Layout srcLayout, Layout dstLayout,
                Activation activation, Residual residual) implements OpSpec {
        public Spec {
            input.requireRank(4, "convolution input");
            srcLayout.requireRank(input);
            if (dstLayout.rank() != 4) {
                throw new IllegalArgumentException("convolution destination layout must be rank 4, got " + dstLayout);
            }
            requirePositive("outChannels", outChannels);
            requirePositive("kernelH", kernelH);
            requirePositive("kernelW", kernelW);
            requirePositive("strideH", strideH);
            requirePositive("strideW", strideW);
            requirePositive("dilationH", dilationH);
            requirePositive("dilationW", dilationW);
            requirePositive("groups", groups);
            if (padH < 0 || padW < 0) {
                throw new IllegalArgumentException("padding must be >= 0, got " + padH + "x" + padW);
            }
            int inChannels = input.dim(1);
            if (inChannels % groups != 0 || outChannels % groups != 0) {
                throw new IllegalArgumentException("groups (" + groups + ") must divide input channels ("
                        + inChannels + ") and output channels (" + outChannels + ")");
            }
            long outH = outputExtent(input.dim(2), kernelH, strideH, padH, dilationH);
            long outW = outputExtent(input.dim(3), kernelW, strideW, padW, dilationW);
            if (outH < 1 || outW < 1) {
                throw new IllegalArgumentException("input " + input + " is smaller than the dilated kernel "
                        + kernelH + "x" + kernelW + " with padding " + padH + "x" + padW);
            }
            if (Math.max(outH, outW) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("convolution of " + input + " with padding " + padH + "x" + padW
                        + " would have an output of " + outH + "x" + outW + ", past the largest int");
            }
        }

        /** A square-kernel convolution with no groups, dilation or epilogue, plain NCHW in and out. */
        public static Spec of(Shape input, int outChannels, int kernel, int stride, int padding) {
            return new Spec(input, outChannels, kernel, kernel, stride, stride, padding, padding, 1, 1, 1, DType.F32,
                    Layout.NCHW, Layout.NCHW, Activation.NONE, Residual.NONE);
        }

        public Spec withGroups(int g) {
            return new Spec(input, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                    g, dtype, srcLayout, dstLayout, activation, residual);
        }

        public Spec withDilation(int d) {
            return new Spec(input, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, d, d, groups, dtype,
                    srcLayout, dstLayout, activation, residual);
        }

        public Spec withLayouts(Layout src, Layout dst) {
            return new Spec(input, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                    groups, dtype, src, dst, activation, residual);
        }

        public Spec withEpilogue(Activation act, Residual res) {
            return new Spec(input, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                    groups, dtype, srcLayout, dstLayout, act, res);
        }

        public Spec withDType(DType type) {
            return new Spec(input, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                    groups, type, srcLayout, dstLayout, activation, residual);
        }

        public Shape output() {
            return Shape.of(input.dim(0), outChannels,
                    (int) outputExtent(input.dim(2), kernelH, strideH, padH, dilationH),
                    (int) outputExtent(input.dim(3), kernelW, strideW, padW, dilationW));
        }

        /**
         * Multiply-accumulates of one run as direct convolution counts them, torchvision's "FLOPS": every output
         * element of the batch takes {@code in/groups * kernelH * kernelW}.
         */
        @Override
        public long macs() {
            Shape out = output();
            return (long) out.dim(0) * outChannels * out.dim(2) * out.dim(3) * (input.dim(1) / groups) * kernelH
                    * kernelW;
        }

        /**
         * In a few words, for profiles: {@code conv 3x3 s2 64->128 56x56 +relu} (kernel, stride and dilation where
         * not 1, channels, input size, then groups, residual, activation, a type other than f32 and a batch other
         * than 1); depthwise ones read {@code dwconv 3x3 96 112x112}.
         */
        @Override
        public String describe() {
            int in = input.dim(1);
            boolean depthwise = groups > 1 && groups == in && outChannels == in;
            StringBuilder text = new StringBuilder(depthwise ? "dwconv " : "conv ")
                    .append(kernelH).append('x').append(kernelW);
            OpText.appendPair(text, "s", strideH, strideW);
            OpText.appendPair(text, "d", dilationH, dilationW);
            text.append(' ').append(depthwise ? Integer.toString(in) : in + "->" + outChannels);
            text.append(' ').append(input.dim(2)).append('x').append(input.dim(3));
            if (groups > 1 && !depthwise) {
                text.append(" g").append(groups);
            }
            if (residual != Residual.NONE) {
                text.append(" +residual");
            }
            OpText.appendActivation(text, activation);
            return OpText.suffixed(text, dtype, input.dim(0));
        }

        /** Weight values expected: {@code out * in/groups * kernelH * kernelW}. */
        public long weightCount() {
            return (long) outChannels * (input.dim(1) / groups) * kernelH * kernelW;
        }

        /** In long: a large padding or dilation would wrap around in int, to an extent that looks valid. */
        static long outputExtent(int in, int kernel, int stride, int pad, int dilation) {
            return Math.floorDiv(in + 2L * pad - (long) dilation * (kernel - 1) - 1, stride) + 1;
        }

        private static void requirePositive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
        }
    }
}
