package ai.dgnet.cli;

import ai.dgnet.dnnl.DnnlLibrary;
import ai.dgnet.runtime.CpuInfo;
import ai.dgnet.runtime.cpu.CpuDevice;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What {@code dgnet bench --json} writes, for scripts and dashboards: the machine, the date, the options and each
 * model's results, in the order given. Times are in milliseconds, shares are fractions of the timed runs' time.
 *
 * @param date    when the timed runs ended, ISO-8601 in UTC
 * @param machine what the numbers were measured on
 * @param options the options every model ran with
 * @param models  one entry per MODEL
 */
record BenchReport(String date, Machine machine, Options options, List<ModelResult> models) {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    BenchReport {
        models = List.copyOf(models);
    }

    /**
     * @param cpu         the CPU's model name as /proc/cpuinfo gives it, null where there is none
     * @param logicalCpus the CPUs the JVM may use
     * @param isa         the widest instruction set oneDNN uses, as {@code dgnet device} names it
     * @param onednn      oneDNN's version and threading runtime
     * @param jdk         the Java runtime's version
     */
    record Machine(String cpu, int logicalCpus, String isa, String onednn, String jdk) {
        static Machine of(CpuDevice device) {
            return new Machine(CpuInfo.read().field("model name", null), Runtime.getRuntime().availableProcessors(),
                    device.isa(), DnnlLibrary.version(), Runtime.version().toString());
        }
    }

    /** The options given: {@code size} and {@code threshold} are null where each model's own apply. */
    record Options(int batch, int threads, int warmup, int runs, String precision, Integer size, Float threshold) {
    }

    /**
     * @param model        the MODEL argument
     * @param name         what the table calls it
     * @param mode         dynamic or static
     * @param threshold    the edge threshold it ran with
     * @param precision    f32 or bf16
     * @param input        the input's shape
     * @param gmacPerImage the backbone's multiply-accumulates per image, in billions, as {@code dgnet info} counts them
     * @param runs         the timed runs
     * @param latencyMs    the runs' latencies
     * @param imagesPerSec images over the timed runs' time
     * @param timeSplit    where the time went
     * @param p50Ratio     the median latency over the first model's
     * @param windowMs     when the first run of this model started and its last ended, since the first timed run of
     *                     all: overlapping windows show the models took turns
     */
    record ModelResult(String model, String name, String mode, float threshold, String precision, List<Integer> input,
                       double gmacPerImage, int runs, Latency latencyMs, double imagesPerSec, TimeSplit timeSplit,
                       double p50Ratio, Window windowMs) {
        ModelResult {
            input = List.copyOf(input);
        }
    }

    record Latency(double min, double p50, double p90, double p99, double max) {
        static Latency of(Timing timing) {
            return new Latency(timing.min(), timing.percentile(50), timing.percentile(90), timing.percentile(99),
                    timing.max());
        }
    }

    /** Fractions of the timed runs' time, summing to 1. */
    record TimeSplit(double onednn, double routing, double weightedSums, double winogradTransforms, double rest) {
        static TimeSplit of(Timing timing) {
            return new TimeSplit(timing.inPrimitives(), timing.inRouting(), timing.inAggregation(),
                    timing.inTransforms(), timing.inRest());
        }
    }

    record Window(double from, double to) {
    }

    /** The date now, to the second, ISO-8601 in UTC: 2026-01-31T12:34:56Z. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The report as JSON, ending in a newline as a text file does. */
    byte[] json() {
        try {
            return (JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
        }
    }
}
