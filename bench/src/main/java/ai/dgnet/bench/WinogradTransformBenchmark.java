package ai.dgnet.bench;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.kernel.WinogradTransforms;
import ai.dgnet.runtime.kernel.WinogradTransforms.Size;
import ai.dgnet.runtime.op.Activation;
import jdk.incubator.vector.FloatVector;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The Winograd transforms alone, on one thread: one image of a ResNet-50 stage through the input transform
 * ({@code input}), or the products back through the output transform, adding the image as a residual, with ReLU
 * ({@code output}); every channel block and row of tiles, as a {@code WinogradConvolution} splits them over its
 * team. The part of a Winograd convolution that is Java, apart from oneDNN's matrix products
 * ({@link ConvolutionBenchmark} times the whole).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WinogradTransformBenchmark {
    /** Channels x height (= width), as in {@link ConvolutionBenchmark}. */
    @Param({"64x56", "128x28", "256x14"})
    public String layer;

    @Param({"F4", "F2"})
    public String size;

    @Param({"input", "output"})
    public String pass;

    private Arena arena;
    private Size tiles;
    private int channels;
    private int hw;
    private int blocks;
    private int rows;
    private float[] bias;
    private MemorySegment image;
    private MemorySegment result;
    private MemorySegment transformed;
    private MemorySegment scratch;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = layer.split("x");
        channels = Integer.parseInt(dims[0]);
        hw = Integer.parseInt(dims[1]);
        tiles = Size.valueOf(size);
        blocks = channels / FloatVector.SPECIES_PREFERRED.length();
        rows = tiles.tiles(hw);
        bias = new float[channels];
        arena = Arena.ofShared();
        image = arena.allocate((long) channels * hw * hw * Float.BYTES, 64);
        result = arena.allocate(image.byteSize(), 64);
        transformed = arena.allocate((long) tiles.points() * rows * rows * channels * Float.BYTES, 64);
        scratch = arena.allocate(WinogradTransforms.scratchBytes(tiles, hw), 64);
        DeterministicWeights.generate("input", new int[] {channels, hw, hw}, 1, image);
        DeterministicWeights.generate("input", new int[] {tiles.points(), rows * rows, channels}, 2, transformed);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void run() {
        boolean input = pass.equals("input");
        for (int block = 0; block < blocks; block++) {
            for (int row = 0; row < rows; row++) {
                if (input) {
                    WinogradTransforms.input(tiles, image, 0, hw, hw, block, row, transformed, channels, 0,
                            rows * rows, scratch);
                } else {
                    WinogradTransforms.output(tiles, transformed, channels, 0, rows * rows, block, row, bias, image,
                            Activation.RELU, result, 0, hw, hw, scratch);
                }
            }
        }
    }
}
