package ai.dgnet.bench;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One stride-1 3x3 convolution of ResNet-50 (bias and ReLU fused) on a CPU device with every core, by the
 * algorithm {@code algorithm} names: {@code direct} (oneDNN's direct convolution, Winograd off), {@code default}
 * (what the device picks with its filter size limit, the default one unless {@code -Ddgnet.winograd.maxFilterMiB}
 * says otherwise) or {@code winograd} (the size limit lifted: Winograd F(4x4, 3x3) wherever a product has enough
 * tiles). The numbers behind {@code CpuDevice}'s default limit and {@code WinogradConvolution.MIN_TILES}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConvolutionBenchmark {
    /** ResNet-50's stages: channels x height (= width) of their stride-1 3x3 convolutions. */
    @Param({"64x56", "128x28", "256x14", "512x7"})
    public String layer;

    @Param({"direct", "default", "winograd"})
    public String algorithm;

    /** Images per run: at 8 the images share the Winograd matrix products, and the filter limit is per image. */
    @Param({"1", "8"})
    public int batch;

    private CpuDevice device;
    private Conv2d conv;
    private Tensor src;
    private Tensor dst;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = layer.split("x");
        int channels = Integer.parseInt(dims[0]);
        int size = Integer.parseInt(dims[1]);
        int threads = Runtime.getRuntime().availableProcessors();
        device = switch (algorithm) {
            case "direct" -> CpuDevice.create(threads, 0);
            case "default" -> CpuDevice.create(threads);
            case "winograd" -> CpuDevice.create(threads, Long.MAX_VALUE);
            default -> throw new IllegalArgumentException("algorithm must be direct, default or winograd, got "
                    + algorithm);
        };
        Layout layout = device.activationLayouts().getFirst();
        Conv2d.Spec spec = Conv2d.Spec.of(Shape.of(batch, channels, size, size), channels, 3, 1, 1)
                .withLayouts(layout, layout).withEpilogue(Activation.RELU, Residual.NONE);
        SplittableRandom random = new SplittableRandom(3);
        float[] weights = new float[Math.toIntExact(spec.weightCount())];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / (9 * channels)));
        }
        conv = device.conv2d(spec, new ConvWeights(weights, new float[channels]));
        src = device.allocate(spec.input(), DType.F32, layout);
        dst = device.allocate(spec.output(), DType.F32, layout);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dst.close();
        src.close();
        conv.close();
        device.close();
    }

    @Benchmark
    public void run() {
        conv.run(src, dst);
    }
}
