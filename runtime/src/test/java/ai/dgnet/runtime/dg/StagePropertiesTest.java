package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.BFloat16;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.NamedOp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random dynamic stages against spec section 2 written out in double: 1 to 5 nodes, batches of 1 to 9 whose
 * instances keep different edges (some none at all), every layout, f32 and bf16, devices of one and two threads, and
 * thresholds from 0 to 1. The blocks are known per-element functions, so the reference follows the trace's decisions
 * where a router value lies too close to the threshold to call, and checks every other decision itself.
 */
class StagePropertiesTest {
    private static final List<Layout> LAYOUTS = List.of(Layout.NCHW, Layout.NHWC, Layout.NCHW8C, Layout.NCHW16C);
    @AutoClose
    private static final CpuDevice one = CpuDevice.create(1);
    @AutoClose
    private static final CpuDevice two = CpuDevice.create(2);

    /** {@code out = tanh(a * in + b)} per element. */
    private record Affine(Shape shape, float a, float b) implements Block {
        @Override
        public void run(Tensor in, Tensor out) {
            float[] x = in.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                x[i] = apply(x[i]);
            }
            out.copyFrom(x);
        }

        float apply(float x) {
            return (float) Math.tanh(a * x + b);
        }

        @Override
        public List<NamedOp> ops() {
            return List.of();
        }

        @Override
        public Shape input() {
            return shape;
        }

        @Override
        public Shape output() {
            return shape;
        }

        @Override
        public boolean optimized() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    static Stream<Integer> seeds() {
        return IntStream.range(0, 100).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void dynamicStageMatchesTheSpec(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int m = random.nextInt(1, 6);
        int[] channelChoices = {1, 3, 8, 13, 16, 20, 33};
        Shape shape = Shape.of(random.nextInt(1, 10), channelChoices[random.nextInt(channelChoices.length)],
                random.nextInt(1, 7), random.nextInt(1, 7));
        Layout layout = LAYOUTS.get(random.nextInt(LAYOUTS.size()));
        DType dtype = random.nextBoolean() ? DType.F32 : DType.BF16;
        float tau = switch (random.nextInt(5)) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> (float) random.nextDouble();
        };
        int channels = shape.dim(1);
        List<Block> blocks = new ArrayList<>();
        List<Router> routers = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            blocks.add(new Affine(shape, (float) random.nextDouble(0.3, 1.5), (float) random.nextDouble(-0.5, 0.5)));
            float[] w = new float[(m - j) * channels];
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) random.nextDouble(-8, 8);
            }
            float[] b = new float[m - j];
            for (int k = 0; k < b.length; k++) {
                b[k] = (float) random.nextDouble(-2, 2);
            }
            routers.add(new Router(w, b, m - j, channels));
        }
        int per = (int) (shape.elements() / shape.dim(0));
        float[] z = new float[(int) shape.elements()];
        for (int i = 0; i < z.length; i++) {
            // Each instance its own offset, so that instances route differently.
            z[i] = stored(dtype, (float) (random.nextDouble(-1, 1) + Math.sin(3.1 * (i / per))));
        }
        CpuDevice device = random.nextBoolean() ? one : two;
        String what = "seed " + seed + ": m=" + m + " " + shape + " " + layout + " " + dtype + " tau " + tau + " on "
                + device.threads() + " threads";
        try (StageExecutor stage = new StageExecutor(device, blocks, routers, Mode.DYNAMIC, tau, layout, dtype);
             Tensor input = Tensor.allocate(shape, dtype, layout)) {
            input.copyFrom(z);
            StageTrace trace = StageTrace.of(m, shape.dim(0));
            // Twice: the second run reuses every buffer, and any output for zeros kept by the first.
            stage.run(input, trace);
            float[] y = stage.run(input, trace).toFloatArray();
            for (int n = 0; n < shape.dim(0); n++) {
                double[][] x = new double[m][];
                double[][] adjacency = new double[m + 1][m + 1];
                for (int j = 0; j < m; j++) {
                    double[] a = new double[per];
                    if (j == 0) {
                        for (int e = 0; e < per; e++) {
                            a[e] = z[n * per + e];
                        }
                    } else {
                        for (int i = 0; i < j; i++) {
                            for (int e = 0; e < per; e++) {
                                a[e] += adjacency[i][j] * x[i][e];
                            }
                        }
                    }
                    Affine block = (Affine) blocks.get(j);
                    x[j] = new double[per];
                    for (int e = 0; e < per; e++) {
                        x[j][e] = stored(dtype, block.apply(stored(dtype, (float) a[e])));
                    }
                    if (m == 1) {
                        break;
                    }
                    double[] r = StageExecutorTest.route(routers.get(j), x[j], shape);
                    for (int k = 0; k < r.length; k++) {
                        float raw = trace.routerOutput(n, j, j + 1 + k);
                        String where = what + ", instance " + n + " edge " + j + "->" + (j + 1 + k);
                        // The inputs of this router carry the sums' roundoff (in bf16, a bf16 unit of each value).
                        double tolerance = dtype == DType.BF16 ? 2e-2 : 1e-4;
                        if (Math.abs(raw - r[k]) > tolerance) {
                            fail(where + ": router " + raw + ", expected " + r[k]);
                        }
                        boolean kept = Math.abs(r[k] - tau) > tolerance ? r[k] > tau : raw > tau;
                        adjacency[j][j + 1 + k] = kept ? raw : 0;
                        assertEquals((float) adjacency[j][j + 1 + k], trace.edge(n, j, j + 1 + k), where);
                    }
                }
                double[] expected = new double[per];
                if (m == 1) {
                    expected = x[0];
                } else {
                    for (int i = 0; i < m; i++) {
                        for (int e = 0; e < per; e++) {
                            expected[e] += adjacency[i][m] * x[i][e];
                        }
                    }
                }
                for (int e = 0; e < per; e++) {
                    double tolerance = dtype == DType.BF16 ? 3e-2 * (1 + Math.abs(expected[e])) : 1e-4;
                    if (Math.abs(y[n * per + e] - expected[e]) > tolerance) {
                        fail(what + ", instance " + n + " element " + e + ": " + y[n * per + e] + ", expected "
                                + expected[e]);
                    }
                }
            }
        }
    }

    private static float stored(DType dtype, float value) {
        return dtype == DType.BF16 ? BFloat16.toFloat(BFloat16.fromFloat(value)) : value;
    }
}
