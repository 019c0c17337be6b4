package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.NamedOp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stage executor against spec section 2 written out in plain Java with double accumulation, with blocks that
 * are simple known functions so that every routing and aggregation decision can be checked.
 */
class StageExecutorTest {
    private static final Shape SHAPE = Shape.of(3, 20, 5, 4);
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(1);

    /** A test block mapping {@link #shape()} to itself, optimized and owning nothing, no op included. */
    private interface SameShapeBlock extends Block {
        Shape shape();

        @Override
        default List<NamedOp> ops() {
            return List.of();
        }

        @Override
        default Shape input() {
            return shape();
        }

        @Override
        default Shape output() {
            return shape();
        }

        @Override
        default boolean optimized() {
            return true;
        }

        @Override
        default void close() {
        }
    }

    /** Node {@code j}: {@code out = tanh(a * in + b)} per element, different for every node; counts its runs. */
    private record AffineBlock(Shape shape, float a, float b, int[] runs, List<float[]> inputs)
            implements SameShapeBlock {
        @Override
        public void run(Tensor in, Tensor out) {
            runs[0]++;
            float[] x = in.toFloatArray();
            inputs.add(x.clone());
            for (int i = 0; i < x.length; i++) {
                x[i] = apply(x[i]);
            }
            out.copyFrom(x);
        }

        float apply(float x) {
            return (float) Math.tanh(a * x + b);
        }
    }

    private static List<Block> blocks(int m, int[] runs) {
        return blocks(m, runs, SHAPE);
    }

    private static List<Block> blocks(int m, int[] runs, Shape shape) {
        List<Block> blocks = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            blocks.add(new AffineBlock(shape, 0.5f + 0.25f * j, 0.1f * j - 0.2f, runs, new ArrayList<>()));
        }
        return blocks;
    }

    private static List<Router> routers(int m, long seed, float scale) {
        List<Router> routers = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            float[] w = Reference.random(seed + i, (long) (m - i) * SHAPE.dim(1));
            for (int k = 0; k < w.length; k++) {
                w[k] *= scale;
            }
            routers.add(new Router(w, Reference.random(seed + 100 + i, m - i), m - i, SHAPE.dim(1)));
        }
        return routers;
    }

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void dynamicStageMatchesTheSpecWrittenOut(Layout layout) {
        assertDynamicStage(device, SHAPE, layout, Reference.random(3, SHAPE.elements()));
    }

    /**
     * Instances of 128 K elements and more (the channels of {@link #SHAPE}, which the routers are made for), on two
     * threads: the device splits each weighted sum over its OpenMP threads. Each instance's channels get their own
     * offset, so that the means the routers see (over 6,560 pixels) send the instances different ways.
     */
    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"NCHW", "NHWC", "NCHW8C", "NCHW16C"})
    void dynamicStageWithSplitSumsMatchesTheSpecWrittenOut(Layout layout) {
        Shape shape = Shape.of(2, 20, 80, 82);
        float[] z = Reference.random(3, shape.elements());
        int plane = shape.dim(2) * shape.dim(3);
        for (int i = 0; i < z.length; i++) {
            int channel = i / plane;
            z[i] += (float) Math.sin(1.7 * channel + 2.3 * (channel / shape.dim(1)));
        }
        try (CpuDevice twoThreads = CpuDevice.create(2)) {
            assertDynamicStage(twoThreads, shape, layout, z);
        }
    }

    private static void assertDynamicStage(CpuDevice device, Shape shape, Layout layout, float[] z) {
        int m = 4;
        float tau = 0.5f;
        int[] runs = {0};
        List<Block> blocks = blocks(m, runs, shape);
        List<Router> routers = routers(m, 7, 4f);
        try (StageExecutor stage = new StageExecutor(device, blocks, routers, Mode.DYNAMIC, tau, layout, DType.F32);
             Tensor input = Tensor.of(shape, layout, z)) {
            StageTrace trace = StageTrace.of(m, shape.dim(0));
            float[] y = stage.run(input, trace).toFloatArray();

            int per = (int) (shape.elements() / shape.dim(0));
            boolean differentPaths = false;
            for (int n = 0; n < shape.dim(0); n++) {
                double[][] x = new double[m][];
                double[][] adjacency = new double[m + 1][m + 1];
                double[] zn = slice(z, n, per);
                for (int j = 0; j < m; j++) {
                    double[] a = zn;
                    if (j > 0) {
                        a = new double[per];
                        for (int i = 0; i < j; i++) {
                            for (int e = 0; e < per; e++) {
                                a[e] += adjacency[i][j] * x[i][e];
                            }
                        }
                    }
                    AffineBlock block = (AffineBlock) blocks.get(j);
                    x[j] = new double[per];
                    for (int e = 0; e < per; e++) {
                        x[j][e] = block.apply((float) a[e]);
                    }
                    double[] r = route(routers.get(j), x[j], shape);
                    for (int k = 0; k < r.length; k++) {
                        float raw = trace.routerOutput(n, j, j + 1 + k);
                        assertEquals(r[k], raw, 1e-5, "router " + j + " edge " + k + " instance " + n);
                        assertTrue(Math.abs(r[k] - tau) > 1e-4, "test data too close to the threshold");
                        adjacency[j][j + 1 + k] = r[k] > tau ? raw : 0;
                        assertEquals(adjacency[j][j + 1 + k], trace.edge(n, j, j + 1 + k), "A");
                    }
                }
                double[] expected = new double[per];
                for (int i = 0; i < m; i++) {
                    for (int e = 0; e < per; e++) {
                        expected[e] += adjacency[i][m] * x[i][e];
                    }
                }
                float[] actual = new float[per];
                System.arraycopy(y, n * per, actual, 0, per);
                assertTrue(Reference.relativeError(actual, expected) <= 1e-5 || norm(expected) == 0,
                        "stage output of instance " + n);
                differentPaths |= !java.util.Arrays.equals(trace.adjacency()[n], trace.adjacency()[0]);
            }
            assertTrue(differentPaths, "test data should route instances differently");
        }
    }

    @Test
    void staticStageIsTheChainAndCopiesNothing() {
        int m = 3;
        int[] runs = {0};
        List<Block> blocks = blocks(m, runs);
        float[] z = Reference.random(5, SHAPE.elements());
        try (StageExecutor stage = new StageExecutor(device, blocks, List.of(), Mode.STATIC, 0.5f, Layout.NCHW, DType.F32);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, z)) {
            StageTrace trace = StageTrace.of(m, SHAPE.dim(0));
            Tensor out = stage.run(input, trace);
            float[] expected = z.clone();
            for (Block b : blocks) {
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = ((AffineBlock) b).apply(expected[i]);
                }
            }
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(out.toFloatArray()));
            for (int n = 0; n < SHAPE.dim(0); n++) {
                for (int i = 0; i < m; i++) {
                    for (int j = i + 1; j <= m; j++) {
                        assertEquals(j == i + 1 ? 1f : 0f, trace.edge(n, i, j));
                        assertEquals(0f, trace.routerOutput(n, i, j));
                    }
                }
            }
            // A single kept edge of weight 1 is used in place: the output is the last node's own buffer. A trace
            // that another run (a dynamic stage's) filled holds none of what it held before.
            StageTrace filled = StageTrace.of(m, SHAPE.dim(0));
            for (int n = 0; n < SHAPE.dim(0); n++) {
                java.util.Arrays.fill(filled.adjacency()[n], 0.75f);
                java.util.Arrays.fill(filled.router()[n], 0.75f);
            }
            assertThrows(IllegalArgumentException.class,
                    () -> new StageTrace(m, new float[SHAPE.dim(0)][9], new float[SHAPE.dim(0)][16]));
            Tensor again = stage.run(input, filled);
            assertSame(out, again);
            assertEquals(2 * m, runs[0]);
            assertEquals(java.util.Arrays.toString(trace.adjacencyRowMajor()),
                    java.util.Arrays.toString(filled.adjacencyRowMajor()));
            assertEquals(java.util.Arrays.toString(trace.routerRowMajor()),
                    java.util.Arrays.toString(filled.routerRowMajor()));
        }
    }

    @Test
    void nodesWithoutKeptInputsGetZeros() {
        int m = 3;
        int[] runs = {0};
        List<Block> blocks = blocks(m, runs);
        // Biases far below zero and no weight: every router output is sigmoid(-20), so every edge is dropped.
        List<Router> routers = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            float[] bias = new float[m - i];
            java.util.Arrays.fill(bias, -20f);
            routers.add(new Router(new float[(m - i) * SHAPE.dim(1)], bias, m - i, SHAPE.dim(1)));
        }
        try (StageExecutor stage = new StageExecutor(device, blocks, routers, Mode.DYNAMIC, 0.5f, Layout.NCHW16C, DType.F32);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW16C, Reference.random(9, SHAPE.elements()))) {
            StageTrace trace = StageTrace.of(m, SHAPE.dim(0));
            Tensor out = stage.run(input, trace);
            for (float v : out.toFloatArray()) {
                assertEquals(0f, v, "stage output with no kept edge");
            }
            for (int j = 1; j < m; j++) {
                for (float v : ((AffineBlock) blocks.get(j)).inputs().getLast()) {
                    assertEquals(0f, v, "input of node " + j + " with no kept edge");
                }
            }
        }
    }

    /**
     * Node 1 keeps no input (router 0 drops every edge) but feeds node 2 and the output: its output for zeros is
     * computed in the first run only, and every run's stage output is still the spec's, whatever the input.
     */
    @Test
    void aNodeWithoutInputsRunsOnceAndItsOutputForZerosIsKept() {
        int m = 3;
        int[] runs = {0};
        List<Block> blocks = blocks(m, runs);
        int channels = SHAPE.dim(1);
        // No weights: each router's output is sigmoid(bias), -20 dropping an edge and 3 keeping it (0.9526).
        List<Router> routers = List.of(
                new Router(new float[3 * channels], new float[] {-20f, -20f, 3f}, 3, channels),
                new Router(new float[2 * channels], new float[] {3f, 3f}, 2, channels),
                new Router(new float[channels], new float[] {3f}, 1, channels));
        float w = (float) (1 / (1 + Math.exp(-3)));
        try (StageExecutor stage = new StageExecutor(device, blocks, routers, Mode.DYNAMIC, 0.5f, Layout.NCHW16C,
                DType.F32)) {
            for (int round = 0; round < 3; round++) {
                float[] z = Reference.random(20 + round, SHAPE.elements());
                try (Tensor input = Tensor.of(SHAPE, Layout.NCHW16C, z)) {
                    float[] y = stage.run(input, StageTrace.of(m, SHAPE.dim(0))).toFloatArray();
                    AffineBlock first = (AffineBlock) blocks.get(0);
                    AffineBlock second = (AffineBlock) blocks.get(1);
                    AffineBlock third = (AffineBlock) blocks.get(2);
                    double[] expected = new double[z.length];
                    for (int e = 0; e < z.length; e++) {
                        float x0 = first.apply(z[e]);
                        float x1 = second.apply(0f);
                        float x2 = third.apply(w * x1);
                        expected[e] = (double) w * x0 + (double) w * x1 + (double) w * x2;
                    }
                    assertTrue(Reference.relativeError(y, expected) <= 1e-6, "stage output, run " + round);
                }
                assertEquals(3 + 2 * round, runs[0],
                        "runs of all nodes after run " + round + ": node 1 only in the first");
            }
        }
    }

    /**
     * As above, with node 1's kept output for zeros read in place by everything downstream of it: its own router,
     * whose scores depend on what it reads (edge 1 to out), node 2, which takes it alone with weight exactly 1 (its
     * input directly at batch 1, a weighted sum at batch 3), and the stage output's sum. Between runs, NaN fills the
     * shared buffers, as other stages of a network would overwrite them.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aKeptOutputForZerosIsReadInPlaceByItsRouterItsSuccessorAndTheOutput(int batch) {
        int m = 3;
        Shape shape = Shape.of(batch, 20, 5, 4);
        int channels = shape.dim(1);
        int[] runs = {0};
        List<Block> blocks = blocks(m, runs, shape);
        float[] towardOut = new float[2 * channels];
        Arrays.fill(towardOut, channels, 2 * channels, -0.05f);
        List<Router> routers = List.of(
                new Router(new float[3 * channels], new float[] {-20f, -20f, 3f}, 3, channels),
                new Router(towardOut, new float[] {20f, 0f}, 2, channels),
                new Router(new float[channels], new float[] {3f}, 1, channels));
        float w = (float) (1 / (1 + Math.exp(-3)));
        AffineBlock first = (AffineBlock) blocks.get(0);
        AffineBlock second = (AffineBlock) blocks.get(1);
        AffineBlock third = (AffineBlock) blocks.get(2);
        float x1 = second.apply(0f);
        // Router 1 on x1 everywhere: sigmoid(sum_c -0.05 * x1) toward the output; 20 makes exactly 1 toward node 2.
        float r = (float) (1 / (1 + Math.exp(0.05 * channels * x1)));
        assertTrue(r > 0.5f, "edge 1 to out is kept");
        long sharedBytes = StageBuffers.bytes(shape, m, DType.F32, Layout.NCHW16C);
        try (StageBuffers shared = new StageBuffers(sharedBytes);
             StageBuffers firstOutput = new StageBuffers(StageBuffers.bytes(List.of(shape), DType.F32,
                     Layout.NCHW16C));
             StageExecutor stage = new StageExecutor(device, blocks, routers, Mode.DYNAMIC, 0.5f, Layout.NCHW16C,
                     DType.F32, shared, firstOutput)) {
            Tensor whole = shared.views(List.of(Shape.of(1, (int) (sharedBytes / Float.BYTES), 1, 1)), DType.F32,
                    Layout.NCHW).getFirst();
            for (int round = 0; round < 3; round++) {
                whole.segment().fill((byte) 0xFF);
                float[] z = Reference.random(30 + round, shape.elements());
                StageTrace trace = StageTrace.of(m, batch);
                try (Tensor input = Tensor.of(shape, Layout.NCHW16C, z)) {
                    float[] y = stage.run(input, trace).toFloatArray();
                    double[] expected = new double[z.length];
                    for (int e = 0; e < z.length; e++) {
                        float x2 = third.apply(x1);
                        expected[e] = (double) w * first.apply(z[e]) + (double) r * x1 + (double) w * x2;
                    }
                    assertTrue(Reference.relativeError(y, expected) <= 1e-6, "stage output, run " + round);
                }
                for (int n = 0; n < batch; n++) {
                    assertEquals(1.0f, trace.adjacency()[n][(m + 1) + 2], "edge 1 to 2, instance " + n);
                    assertEquals(r, trace.adjacency()[n][(m + 1) + 3], 1e-6f, "edge 1 to out, instance " + n);
                }
                assertEquals(3 + 2 * round, runs[0],
                        "runs of all nodes after run " + round + ": node 1 only in the first");
            }
        }
    }

    /**
     * {@code out = tanh(a * in + b) + in}, reading {@code in} again after writing {@code out}: wrong wherever the
     * two overlap, as a convolution with a residual would be.
     */
    private record ResidualBlock(Shape shape, float a, float b) implements SameShapeBlock {
        @Override
        public void run(Tensor in, Tensor out) {
            float[] x = in.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.tanh(a * x[i] + b);
            }
            out.copyFrom(x);
            float[] again = in.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                x[i] += again[i];
            }
            out.copyFrom(x);
        }
    }

    /**
     * Static stages of 1, 2 and 3 nodes in shared buffers, their first nodes' outputs taking turns in two more, run
     * twice: each stage's input is the previous stage's output, which may lie in the shared buffers, so a stage's
     * first node must write elsewhere.
     */
    @Test
    void stagesSharingBuffersMatchTheChainWrittenOut() {
        int[] sizes = {1, 2, 3};
        List<List<Block>> stages = new ArrayList<>();
        long bytes = 0;
        for (int s = 0; s < sizes.length; s++) {
            List<Block> blocks = new ArrayList<>();
            for (int j = 0; j < sizes[s]; j++) {
                blocks.add(new ResidualBlock(SHAPE, 0.5f + 0.25f * j + s, 0.1f * j - 0.2f * s));
            }
            stages.add(blocks);
            bytes = Math.max(bytes, StageBuffers.bytes(SHAPE, sizes[s], DType.F32, Layout.NCHW));
        }
        float[] z = Reference.random(11, SHAPE.elements());
        double[] expected = new double[z.length];
        for (int e = 0; e < z.length; e++) {
            double x = z[e];
            for (List<Block> blocks : stages) {
                for (Block block : blocks) {
                    ResidualBlock r = (ResidualBlock) block;
                    x = Math.tanh(r.a() * x + r.b()) + x;
                }
            }
            expected[e] = x;
        }
        long first = StageBuffers.bytes(List.of(SHAPE), DType.F32, Layout.NCHW);
        try (StageBuffers buffers = new StageBuffers(bytes);
             StageBuffers even = new StageBuffers(first);
             StageBuffers odd = new StageBuffers(first);
             Tensor input = Tensor.of(SHAPE, Layout.NCHW, z)) {
            List<StageExecutor> executors = new ArrayList<>();
            try {
                for (int s = 0; s < stages.size(); s++) {
                    executors.add(new StageExecutor(device, stages.get(s), List.of(), Mode.STATIC, 0.5f,
                            Layout.NCHW, DType.F32, buffers, s % 2 == 0 ? even : odd));
                }
                for (int round = 0; round < 2; round++) {
                    Tensor x = input;
                    for (StageExecutor stage : executors) {
                        x = stage.run(x, StageTrace.of(stage.nodes(), SHAPE.dim(0)));
                    }
                    assertTrue(Reference.relativeError(x.toFloatArray(), expected) <= 1e-5,
                            "output of round " + round);
                }
            } finally {
                executors.forEach(StageExecutor::close);
            }
        }
    }

    @Test
    void sharedBuffersTooSmallForAStageAreIllegalArgument() {
        int[] runs = {0};
        try (StageBuffers buffers = new StageBuffers(StageBuffers.bytes(SHAPE, 2, DType.F32, Layout.NCHW))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new StageExecutor(device, blocks(3, runs), List.of(), Mode.STATIC, 0.5f, Layout.NCHW,
                            DType.F32, buffers, buffers));
            assertTrue(e.getMessage().contains("too small"), e.getMessage());
        }
    }

    @Test
    void badConfigurationsAreIllegalArgument() {
        int[] runs = {0};
        assertThrows(IllegalArgumentException.class,
                () -> new StageExecutor(device, blocks(3, runs), routers(2, 1, 1f), Mode.DYNAMIC, 0.5f, Layout.NCHW, DType.F32));
        assertThrows(IllegalArgumentException.class,
                () -> new StageExecutor(device, blocks(3, runs), routers(3, 1, 1f), Mode.DYNAMIC, 1.5f, Layout.NCHW, DType.F32));
        assertThrows(IllegalArgumentException.class,
                () -> new StageExecutor(device, List.of(), List.of(), Mode.STATIC, 0.5f, Layout.NCHW, DType.F32));
        List<Router> wrong = routers(3, 1, 1f);
        wrong.set(1, new Router(new float[3 * 20], new float[3], 3, 20));
        assertThrows(IllegalArgumentException.class,
                () -> new StageExecutor(device, blocks(3, runs), wrong, Mode.DYNAMIC, 0.5f, Layout.NCHW, DType.F32));
    }

    /** The router in double, from one instance's node output {@code x} ([C, H, W]): the oracle of both stage tests. */
    static double[] route(Router router, double[] x, Shape shape) {
        int c = shape.dim(1);
        int hw = shape.dim(2) * shape.dim(3);
        double[] pooled = new double[c];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < hw; p++) {
                pooled[ch] += x[ch * hw + p];
            }
            pooled[ch] /= hw;
        }
        double[] r = new double[router.edges()];
        for (int k = 0; k < r.length; k++) {
            double acc = router.bias()[k];
            for (int ch = 0; ch < c; ch++) {
                acc += router.weight()[k * c + ch] * pooled[ch];
            }
            r[k] = 1 / (1 + Math.exp(-acc));
        }
        return r;
    }

    private static double[] slice(float[] values, int n, int per) {
        double[] s = new double[per];
        for (int e = 0; e < per; e++) {
            s[e] = values[n * per + e];
        }
        return s;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
