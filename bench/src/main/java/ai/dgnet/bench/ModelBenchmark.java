package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.models.Result;
import ai.dgnet.runtime.dg.Mode;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One inference of a whole model through the public API, {@code session.run(input, previous)}, on deterministic weights
 * (seed 3, 1000 classes) and a deterministic input. Preparation (kernel choice, weight reordering, buffers) happens
 * in the setup's first run and is not measured.
 *
 * <p>{@link #latency} is the time per batch; {@link #throughput} reports images per second as its {@code images}
 * counter. Run with {@code -prof gc} for the allocation per inference ({@code gc.alloc.rate.norm}, bytes per
 * batch, in the {@code latency} rows).
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ModelBenchmark {
    @Param({"resnet50", "mobilenet_v2", "regnet_y_400mf"})
    private String arch;

    @Param({"dynamic", "static"})
    private String mode;

    @Param({"1", "8", "32"})
    private int batch;

    @Param("224")
    private int size;

    /** A number, or {@code max} for every processor available to the fork. */
    @Param("max")
    private String threads;

    private Engine.Ours ours;

    @Setup(Level.Trial)
    public void prepare() {
        ours = new Engine.Ours(Arch.parse(arch), Mode.parse(mode), Workloads.threads(threads), batch, size);
        // The first run of a shape prepares the network for it; keep that out of the measurement.
        ours.infer();
    }

    @TearDown(Level.Trial)
    public void close() {
        ours.close();
    }

    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Result latency() {
        return ours.infer();
    }

    @Benchmark
    @BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Result throughput(Images images) {
        images.images += batch;
        return ours.infer();
    }

    /** Counts images rather than batches, so JMH reports {@code throughput:images} in images per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Images {
        /** JMH reads every public field of an aux-counter state as a counter. */
        public long images;

        @Setup(Level.Iteration)
        public void reset() {
            images = 0;
        }
    }
}
