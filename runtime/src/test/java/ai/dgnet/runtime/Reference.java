package ai.dgnet.runtime;

import ai.dgnet.runtime.op.Activation;

import java.util.SplittableRandom;

/**
 * Plain-Java oracles for the device ops: loops straight from the definitions, on logical NCHW arrays, accumulated
 * in double. Slow and obviously right is the point.
 */
public final class Reference {
    private Reference() {
    }

    /** PyTorch's {@code conv2d}: weights {@code [out, in/groups, kh, kw]}, optional bias. */
    public static double[] conv2d(float[] x, Shape in, float[] w, float[] bias, int out, int kh, int kw, int stride,
                                  int pad, int dilation, int groups) {
        int n = in.dim(0), c = in.dim(1), h = in.dim(2), wd = in.dim(3);
        int oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
        int ow = (wd + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
        int cPerGroup = c / groups;
        int oPerGroup = out / groups;
        double[] y = new double[n * out * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                int g = o / oPerGroup;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias == null ? 0.0 : bias[o];
                        for (int ci = 0; ci < cPerGroup; ci++) {
                            int channel = g * cPerGroup + ci;
                            for (int u = 0; u < kh; u++) {
                                int row = i * stride - pad + u * dilation;
                                if (row < 0 || row >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int col = j * stride - pad + v * dilation;
                                    if (col < 0 || col >= wd) {
                                        continue;
                                    }
                                    acc += (double) x[((b * c + channel) * h + row) * wd + col]
                                            * w[((o * cPerGroup + ci) * kh + u) * kw + v];
                                }
                            }
                        }
                        y[((b * out + o) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** PyTorch's max or average pooling with {@code ceil_mode=False}. */
    public static double[] pool2d(float[] x, Shape in, boolean max, boolean countPadding, int k, int stride, int pad) {
        int n = in.dim(0), c = in.dim(1), h = in.dim(2), w = in.dim(3);
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        double[] y = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0.0;
                    int count = 0;
                    for (int u = 0; u < k; u++) {
                        for (int v = 0; v < k; v++) {
                            int row = i * stride - pad + u;
                            int col = j * stride - pad + v;
                            if (row < 0 || row >= h || col < 0 || col >= w) {
                                continue;
                            }
                            double value = x[(p * h + row) * w + col];
                            acc = max ? Math.max(acc, value) : acc + value;
                            count++;
                        }
                    }
                    y[(p * oh + i) * ow + j] = max ? acc : acc / (countPadding ? k * k : count);
                }
            }
        }
        return y;
    }

    public static double[] globalAvgPool(float[] x, Shape in) {
        int hw = in.dim(2) * in.dim(3);
        double[] y = new double[in.dim(0) * in.dim(1)];
        for (int p = 0; p < y.length; p++) {
            double acc = 0;
            for (int i = 0; i < hw; i++) {
                acc += x[p * hw + i];
            }
            y[p] = acc / hw;
        }
        return y;
    }

    public static double[] linear(float[] x, int batch, int in, float[] w, float[] bias, int out) {
        double[] y = new double[batch * out];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0.0 : bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[b * in + i] * w[o * in + i];
                }
                y[b * out + o] = acc;
            }
        }
        return y;
    }

    /** Batch normalization with running statistics, applied after a convolution's output. */
    public static double[] batchNorm(double[] x, Shape shape, BatchNorm bn) {
        int c = shape.dim(1);
        int hw = shape.dim(2) * shape.dim(3);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            y[i] = (x[i] - bn.mean()[ch]) / Math.sqrt(bn.variance()[ch] + bn.eps()) * bn.gamma()[ch] + bn.beta()[ch];
        }
        return y;
    }

    public static double[] add(double[] a, float[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /** {@code x} after {@code activation}, in double. */
    public static double[] activation(double[] x, Activation activation) {
        return switch (activation) {
            case NONE -> x;
            case RELU -> relu(x, Double.POSITIVE_INFINITY);
            case RELU6 -> relu(x, 6.0);
            case SIGMOID -> {
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = 1.0 / (1.0 + Math.exp(-x[i]));
                }
                yield y;
            }
        };
    }

    public static double[] relu(double[] x, double cap) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.min(Math.max(x[i], 0.0), cap);
        }
        return y;
    }

    /** {@code ||actual - expected|| / ||expected||} in the L2 norm, the spec's measure of "the same". */
    public static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    /** Uniform values in [-1, 1), reproducible from {@code seed}. */
    public static float[] random(long seed, long count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }
}
