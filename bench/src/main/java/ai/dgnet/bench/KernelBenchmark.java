package ai.dgnet.bench;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The DG kernels ({@link DgKernels}) on the sizes of a ResNet-50 stage: the router's pooling and fully connected
 * layer, and the aggregation of three predecessors. {@link Vector} and {@link Scalar} run the same methods with
 * the Vector API and the plain-loop implementation, {@link Split} with what a stage runs on the CPU device: the
 * vector kernels with large sums and poolings split over the device's OpenMP threads. {@link DgKernelsProvider}
 * picks the implementation once per JVM, so each variant gets a fork with {@code -Ddgnet.kernels=...} and checks at
 * setup that it got what its name says (a command-line {@code -jvmArgsAppend} replaces the annotation's and would
 * otherwise mislabel the result).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class KernelBenchmark {
    private DgKernels kernels;

    /** Vector API kernels, forced even where the provider would prefer plain loops. */
    @Fork(value = 1, jvmArgsAppend = "-Ddgnet.kernels=vector")
    public static class Vector extends KernelBenchmark {
        @Override
        String requested() {
            return "vector";
        }
    }

    /** The plain-loop kernels, the Vector API ones' oracle. */
    @Fork(value = 1, jvmArgsAppend = "-Ddgnet.kernels=scalar")
    public static class Scalar extends KernelBenchmark {
        @Override
        String requested() {
            return "scalar";
        }
    }

    /**
     * The vector kernels as a CPU device with every core gives them to its stages: sums and poolings of 128 K elements
     * and more split over its OpenMP threads (serial where there is one core). Each call here follows the previous
     * one, not a convolution as in a network, so the OpenMP threads are always still awake.
     */
    @Fork(value = 1, jvmArgsAppend = "-Ddgnet.kernels=vector")
    public static class Split extends KernelBenchmark {
        private CpuDevice device;

        @Override
        String requested() {
            return "vector";
        }

        @Override
        DgKernels kernels() {
            device = CpuDevice.create();
            return device.dgKernels();
        }

        @TearDown(Level.Trial)
        public void closeDevice() {
            device.close();
        }
    }

    /**
     * The vector kernels in a JVM that ran bf16 ones first, as a server with a bf16 and an f32 model does: before it
     * times anything, each fork runs the bf16 pooling and sum 20,000 times, past C2's compilation of them. Before the
     * bf16 kernels stopped using the Vector API's reinterpret fallback, which goes through heap segments, this made the
     * f32 sum 1.27 times slower here (RESULTS.md, 2026-11-26).
     */
    @Fork(value = 1, jvmArgsAppend = "-Ddgnet.kernels=vector")
    public static class AfterBf16 extends KernelBenchmark {
        @Override
        String requested() {
            return "vector";
        }

        @Override
        DgKernels kernels() {
            DgKernels kernels = DgKernelsProvider.get();
            Shape map = Shape.of(1, 32, 14, 14);
            try (Tensor x = Tensor.allocate(map, DType.BF16, Layout.NCHW16C);
                 Tensor plain = Tensor.allocate(map, DType.BF16, Layout.NCHW);
                 Tensor sum = Tensor.allocate(map, DType.BF16, Layout.NCHW)) {
                float[] means = new float[map.dim(1)];
                MemorySegment[] sources = {plain.segment(), plain.segment()};
                long[] offsets = new long[2];
                float[] weights = {0.6f, 0.7f};
                for (int i = 0; i < 20_000; i++) {
                    kernels.channelMeans(x.segment(), map, Layout.NCHW16C, DType.BF16, 0, means);
                    kernels.channelMeans(plain.segment(), map, Layout.NCHW, DType.BF16, 0, means);
                    kernels.weightedSum(sum.segment(), 0, map.elements(), DType.BF16, sources, offsets, weights, 2);
                }
            }
            return kernels;
        }
    }

    /** What this variant's {@code @Fork} sets {@code dgnet.kernels} to; the kernels' names start with it. */
    abstract String requested();

    /** The kernels to time. */
    DgKernels kernels() {
        return DgKernelsProvider.get();
    }

    @Setup(Level.Trial)
    public void chooseKernels() {
        kernels = kernels();
        if (!kernels.name().startsWith(requested())) {
            throw new IllegalStateException("the " + requested() + " benchmark got the '" + kernels.name()
                    + "' kernels: run it in its own fork (its @Fork sets -D" + DgKernelsProvider.PROPERTY
                    + "), without -jvmArgsAppend");
        }
    }

    /** {@code GAP(x_i)} of one instance: the router's input. */
    @Benchmark
    public float[] channelMeans(FeatureMap map) {
        kernels.channelMeans(map.x.segment(), map.x.shape(), map.x.layout(), map.x.dtype(), 0, map.means);
        return map.means;
    }

    /**
     * The channel means of every instance of a batch, one call per instance, as stages and squeeze-and-excitation
     * took them before the kernels had calls over a batch: each instance of a late stage is too small to split.
     */
    @Benchmark
    public float[][] channelMeansInstanceByInstance(BatchMap map) {
        Tensor x = map.x;
        for (int n = 0; n < x.shape().dim(0); n++) {
            kernels.channelMeans(x.segment(), x.shape(), x.layout(), x.dtype(), n, map.means[n]);
        }
        return map.means;
    }

    /** The same means in one call over the batch, which {@link Split} splits by instance. */
    @Benchmark
    public float[][] channelMeansOfBatch(BatchMap map) {
        Tensor x = map.x;
        kernels.channelMeans(x.segment(), x.shape(), x.layout(), x.dtype(), map.means);
        return map.means;
    }

    /** The router's fully connected layer and sigmoid, {@code 256 -> 4} by default. */
    @Benchmark
    public float[] router(RouterLayer layer) {
        kernels.router(layer.pooled, layer.channels, layer.weight, layer.bias, layer.rows, layer.out);
        return layer.out;
    }

    /** The dimensions of a shape parameter written {@code NxCxHxW}. */
    static int[] dims(String shape) {
        return Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    /** {@code a_j = sum_i A[i][j] * x_i} over {@code count} kept edges. */
    @Benchmark
    public void weightedSum(Aggregation aggregation) {
        kernels.weightedSum(aggregation.dst, 0, aggregation.length, aggregation.dtype, aggregation.sources,
                aggregation.offsets, aggregation.weights, aggregation.count);
    }

    /** A node's output, in the blocked layout the CPU device keeps activations in on AVX-512. */
    @State(Scope.Thread)
    public static class FeatureMap {
        /** {@code NxCxHxW}: a ResNet-50 stage-1 output and a stage-4 one. */
        @Param({"1x256x56x56", "1x2048x7x7"})
        private String shape;

        @Param("NCHW16C")
        private String layout;

        /** How the map is stored: f32, or bf16 as a bf16 session keeps activations. */
        @Param({"F32", "BF16"})
        private String type;

        private Tensor x;
        private float[] means;

        @Setup(Level.Trial)
        public void allocate() {
            int[] dims = dims(shape);
            x = Tensor.allocate(Shape.of(dims), DType.valueOf(type), Layout.valueOf(layout));
            x.copyFrom(DeterministicWeights.generate("input", dims, 1));
            means = new float[dims[1]];
        }

        @TearDown(Level.Trial)
        public void free() {
            x.close();
        }
    }

    /** A batch of late-stage maps, as DG-RegNetY-400MF's last stage gives its routers and gates at batch 8. */
    @State(Scope.Thread)
    public static class BatchMap {
        @Param("8x440x7x7")
        private String shape;

        private Tensor x;
        private float[][] means;

        @Setup(Level.Trial)
        public void allocate() {
            int[] dims = dims(shape);
            x = Tensor.allocate(Shape.of(dims), DType.F32, Layout.NCHW8C);
            x.copyFrom(DeterministicWeights.generate("input", dims, 1));
            means = new float[dims[0]][dims[1]];
        }

        @TearDown(Level.Trial)
        public void free() {
            x.close();
        }
    }

    /** A router of node {@code i}: {@code rows = m - i} outgoing edges from {@code channels} channel means. */
    @State(Scope.Thread)
    public static class RouterLayer {
        @Param("256")
        private int channels;

        @Param("4")
        private int rows;

        private float[] pooled;
        private float[] weight;
        private float[] bias;
        private float[] out;

        @Setup(Level.Trial)
        public void generate() {
            pooled = DeterministicWeights.generate("input", new int[] {channels}, 1);
            weight = DeterministicWeights.generate("router.0.0.weight", new int[] {rows, channels}, 1);
            bias = DeterministicWeights.generate("router.0.0.bias", new int[] {rows}, 1);
            out = new float[rows];
        }
    }

    /** {@code count} predecessors and the stage's aggregation buffer. */
    @State(Scope.Thread)
    public static class Aggregation {
        /** {@code NxCxHxW}: a ResNet-50 stage-1 map (3.2 MB) and a DG-MobileNetV2 stage-2 one (0.3 MB). */
        @Param({"1x256x56x56", "1x24x56x56"})
        private String shape;

        @Param("3")
        private int count;

        @Param({"F32", "BF16"})
        private String type;

        private DType dtype;
        private Tensor[] tensors;
        private MemorySegment dst;
        private MemorySegment[] sources;
        private long[] offsets;
        private float[] weights;
        private long length;

        @Setup(Level.Trial)
        public void allocate() {
            Shape map = Shape.of(dims(shape));
            dtype = DType.valueOf(type);
            length = map.elements();
            tensors = new Tensor[count + 1];
            sources = new MemorySegment[count];
            weights = new float[count];
            offsets = new long[count];
            for (int i = 0; i < count; i++) {
                tensors[i] = Tensor.allocate(map, dtype, Layout.NCHW);
                tensors[i].copyFrom(DeterministicWeights.generate("input", map.dims(), i + 1));
                sources[i] = tensors[i].segment();
                // Router outputs above the default threshold 0.5, as kept edges have.
                weights[i] = 0.6f + 0.1f * i;
            }
            tensors[count] = Tensor.allocate(map, dtype, Layout.NCHW);
            dst = tensors[count].segment();
        }

        @TearDown(Level.Trial)
        public void free() {
            for (Tensor t : tensors) {
                t.close();
            }
        }
    }
}
