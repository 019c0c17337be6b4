package ai.dgnet.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark once, briefly, on the smallest inputs, so that a broken benchmark fails the build rather
 * than the next measurement campaign. Checks that each produced a result; never looks at how fast.
 */
class BenchmarkSmokeTest {

    @Test
    void everyBenchmarkProducesAResult() throws RunnerException {
        List<RunResult> results = new ArrayList<>();
        // The models run in this JVM: their setup dominates, and a fork would only add its start-up.
        results.addAll(new Runner(brief()
                .include(ModelBenchmark.class.getName())
                .param("arch", "resnet50", "mobilenet_v2")
                .param("mode", "static")
                .param("batch", "1")
                .param("size", "64")
                .forks(0)
                .build()).run());
        results.addAll(new Runner(brief()
                .include(ConvolutionBenchmark.class.getName())
                .param("layer", "64x56")
                .forks(0)
                .build()).run());
        results.addAll(new Runner(brief()
                .include(WinogradTransformBenchmark.class.getName())
                .param("layer", "256x14")
                .forks(0)
                .build()).run());
        // The kernel variants differ only by the system property their @Fork sets, so they need their forks.
        results.addAll(new Runner(BenchmarkMain.withJvmFlags(brief(), List.of())
                .include(KernelBenchmark.class.getName())
                .build()).run());

        Set<String> expected = BenchmarkList.defaultList()
                .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of())
                .stream().map(BenchmarkListEntry::getUsername).collect(Collectors.toCollection(TreeSet::new));
        Set<String> ran = new TreeSet<>();
        for (RunResult run : results) {
            String name = run.getParams().getBenchmark();
            ran.add(name);
            assertMeasured(name, run.getPrimaryResult());
            run.getSecondaryResults().forEach((label, result) -> assertMeasured(name + ":" + label, result));
        }
        assertEquals(expected, ran, "benchmarks that ran");
        assertTrue(results.stream().anyMatch(r -> r.getSecondaryResults().containsKey("images")),
                "ModelBenchmark.throughput reports images per second");
    }

    /** One 100 ms iteration, no warm-up; any benchmark failure fails the run. */
    private static ChainedOptionsBuilder brief() {
        return new OptionsBuilder()
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
    }

    private static void assertMeasured(String name, Result<?> result) {
        double score = result.getScore();
        assertTrue(Double.isFinite(score) && score > 0, name + " measured " + score + " " + result.getScoreUnit());
    }
}
