package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The comparison harness's own logic, without running any runtime. */
class CompareTest {

    @Test
    void latencyIsSummarizedLikeBenchTorch() {
        // statistics.median and the nearest-rank 90th percentile of bench_torch.py.
        assertEquals(new Latency(2, 3), Latency.of(new double[] {3, 1, 2}));
        assertEquals(new Latency(5.5, 9), Latency.of(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));
        assertEquals(new Latency(4, 4), Latency.of(new double[] {4}));
        assertEquals(250.0, new Latency(32, 40).imagesPerSecond(8));
    }

    @Test
    void casesParseAndNameThemselves() {
        Case torchvision = Case.parse("resnet50-torchvision");
        assertEquals(new Case(Arch.RESNET50, Mode.STATIC, true), torchvision);
        assertEquals("resnet50-torchvision", torchvision.name());
        assertEquals(List.of("--arch", "resnet50", "--mode", "static", "--seed", "3", "--num-classes", "1000",
                "--torchvision"), torchvision.modelArguments());
        assertEquals(new Case(Arch.MOBILENET_V2, Mode.DYNAMIC, false), Case.parse("mobilenet_v2-dynamic"));
        assertEquals("regnet_y_400mf-static", Case.parse("regnet_y_400mf-static").name());
        for (String bad : List.of("resnet50", "resnet50-fast", "vgg16-static", "")) {
            assertThrows(IllegalArgumentException.class, () -> Case.parse(bad), bad);
        }
    }

    @Test
    void relativeL2IsAgainstTheSecondArgument() {
        assertEquals(0.0, Compare.relativeL2(new float[] {1, 2}, new float[] {1, 2}));
        assertEquals(0.2, Compare.relativeL2(new float[] {3, 5}, new float[] {3, 4}), 1e-12, "||(0, 1)|| / ||(3, 4)||");
        assertThrows(IllegalStateException.class, () -> Compare.relativeL2(new float[2], new float[3]));
    }

    @Test
    void tablesArePaddedAndAligned() {
        String table = new MarkdownTable(1, "case", "ms").add("resnet50-static", "12.5").add("a", "3").toString();
        assertEquals("""
                | case            |   ms |
                | --------------- | ---: |
                | resnet50-static | 12.5 |
                | a               |    3 |
                """, table);
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable(1, "a", "b").add("only one"));
    }
}
