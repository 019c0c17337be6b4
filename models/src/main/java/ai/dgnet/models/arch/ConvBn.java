package ai.dgnet.models.arch;

import ai.dgnet.models.WeightSource;
import ai.dgnet.runtime.BatchNorm;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;

import java.util.List;

/**
 * A convolution followed by BatchNorm (named {@code bn}; null for none) and an activation, torchvision's
 * {@code Conv2dNormActivation} and its hand-written equivalents. Padding is {@code (kernel - 1) / 2}, as there.
 * The BatchNorm is folded into the convolution when it is prepared.
 */
public record ConvBn(String conv, String bn, int in, int out, int kernel, int stride, int groups, boolean bias,
                     Activation activation) {
    public static ConvBn of(String conv, String bn, int in, int out, int kernel, int stride, Activation activation) {
        return new ConvBn(conv, bn, in, out, kernel, stride, 1, false, activation);
    }

    public ConvBn grouped(int g) {
        return new ConvBn(conv, bn, in, out, kernel, stride, g, bias, activation);
    }

    void addParams(List<Param> params) {
        params.add(new Param(conv + ".weight", new int[] {out, in / groups, kernel, kernel}));
        if (bias) {
            params.add(new Param(conv + ".bias", new int[] {out}));
        }
        if (bn != null) {
            for (String suffix : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
                params.add(new Param(bn + suffix, new int[] {out}));
            }
        }
    }

    public Shape output(Shape input) {
        return spec(input, Layout.NCHW, Layout.NCHW, DType.F32, Residual.NONE).output();
    }

    public Conv2d prepare(Device device, WeightSource weights, Shape input, Layout src, Layout dst, DType dtype,
                          Residual residual) {
        return device.conv2d(spec(input, src, dst, dtype, residual), folded(weights));
    }

    /** The convolution's weights with the BatchNorm folded in. */
    ConvWeights folded(WeightSource weights) {
        float[] w = weights.read(conv + ".weight", new int[] {out, in / groups, kernel, kernel});
        float[] b = bias ? weights.read(conv + ".bias", new int[] {out}) : null;
        ConvWeights folded = new ConvWeights(w, b);
        if (bn == null) {
            return folded;
        }
        int[] shape = {out};
        return new BatchNorm(weights.read(bn + ".weight", shape), weights.read(bn + ".bias", shape),
                weights.read(bn + ".running_mean", shape), weights.read(bn + ".running_var", shape),
                BatchNorm.DEFAULT_EPS).fold(folded);
    }

    Conv2d.Spec spec(Shape input, Layout src, Layout dst, DType dtype, Residual residual) {
        if (input.dim(1) != in) {
            throw new IllegalArgumentException(conv + " expects " + in + " input channels, got " + input);
        }
        int pad = (kernel - 1) / 2;
        return new Conv2d.Spec(input, out, kernel, kernel, stride, stride, pad, pad, 1, 1, groups, dtype, src, dst,
                activation, residual);
    }
}
