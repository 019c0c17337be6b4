package ai.dgnet.viz;

import ai.dgnet.runtime.dg.StageTrace;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static ai.dgnet.viz.ConnectivityPictureTest.VIRIDIS;
import static ai.dgnet.viz.ConnectivityPictureTest.fill;
import static ai.dgnet.viz.ConnectivityPictureTest.groups;
import static ai.dgnet.viz.ConnectivityPictureTest.key;
import static ai.dgnet.viz.ConnectivityPictureTest.keys;
import static ai.dgnet.viz.ConnectivityPictureTest.parse;
import static ai.dgnet.viz.ConnectivityPictureTest.set;
import static ai.dgnet.viz.ConnectivityPictureTest.texts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EdgeFrequenciesTest {
    /**
     * Of five images, image {@code k} keeps stage 1's edge {@code e} when {@code k < KEEPS[e]}, with weight
     * {@code 0.5 + 0.1 k}; stage 0 has a single node.
     */
    private static final int[][] EDGES = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
    private static final int[] KEEPS = {1, 2, 5, 0, 3, 4};

    /** Images {@code first .. first+count-1} of the five, as one batch. */
    private static List<StageTrace> batch(int first, int count) {
        StageTrace single = StageTrace.of(1, count);
        StageTrace stage = StageTrace.of(3, count);
        for (int n = 0; n < count; n++) {
            int image = first + n;
            for (int e = 0; e < EDGES.length; e++) {
                if (image < KEEPS[e]) {
                    set(stage, n, EDGES[e][0], EDGES[e][1], 0.5f + 0.1f * image);
                }
            }
        }
        return List.of(single, stage);
    }

    private static EdgeFrequencies fiveImagesInTwoBatches() {
        EdgeFrequencies frequencies = new EdgeFrequencies();
        frequencies.add(batch(0, 2));
        frequencies.add(batch(2, 3));
        return frequencies;
    }

    @Test
    void countsEveryInstanceOfEveryBatch() {
        EdgeFrequencies f = fiveImagesInTwoBatches();
        assertEquals(5, f.instances());
        assertEquals(2, f.stages());
        assertEquals(1, f.nodes(0));
        assertEquals(3, f.nodes(1));
        double[][] expected = {
                {0, 0.2, 0.4, 1.0},
                {0, 0, 0.0, 0.6},
                {0, 0, 0, 0.8},
                {0, 0, 0, 0}};
        double[][] fraction = f.keptFraction(1);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected[i], fraction[i], 1e-12, "row " + i);
        }
        assertArrayEquals(new double[][] {{0, 0}, {0, 0}}, f.keptFraction(0));
    }

    @Test
    void meanWeightIsOverTheImagesThatKeptTheEdge() {
        // Images 0..c-1 keep an edge kept c times, with weights 0.5, 0.6, ...: their mean is 0.5 + 0.05 (c - 1).
        double[][] mean = fiveImagesInTwoBatches().meanKeptWeight(1);
        assertEquals(0.5, mean[0][1], 1e-6);
        assertEquals(0.55, mean[0][2], 1e-6);
        assertEquals(0.7, mean[0][3], 1e-6);
        assertEquals(0.0, mean[1][2], "never kept");
        assertEquals(0.6, mean[1][3], 1e-6);
        assertEquals(0.65, mean[2][3], 1e-6);
    }

    @Test
    void thePictureLabelsPercentagesAndColoursCellsByFrequency() throws Exception {
        Document svg = parse(ConnectivityPicture.ofFrequencies(fiveImagesInTwoBatches(), "five images").toSvg());
        Map<String, String> labels = new HashMap<>();
        for (Element label : groups(svg, "edge-label")) {
            labels.put(key(label), label.getElementsByTagName("text").item(0).getTextContent());
        }
        assertEquals(Map.of("1:0-1", "20%", "1:0-2", "40%", "1:0-3", "100%", "1:1-3", "60%", "1:2-3", "80%"), labels);
        assertEquals(Set.of("1:1-2"), keys(groups(svg, "edge dropped")));
        Map<String, String> fills = new HashMap<>();
        groups(svg, "cell").forEach(cell -> fills.put(key(cell), fill(cell)));
        assertEquals(Map.of("1:0-1", VIRIDIS.get(0.2), "1:0-2", VIRIDIS.get(0.4), "1:0-3", VIRIDIS.get(1.0),
                "1:1-2", VIRIDIS.get(0.0), "1:1-3", VIRIDIS.get(0.6), "1:2-3", VIRIDIS.get(0.8)), fills);
        List<String> texts = texts(svg);
        // 0.2 + 0.4 + 1 + 0.6 + 0.8 edges per image.
        assertTrue(texts.contains("stage 1: 5 of 6 edges kept by at least one image, 3.0 per image on average"),
                texts.toString());
        assertTrue(texts.contains("5 images: how often each edge was kept"), texts.toString());
    }

    @Test
    void rareAndNearlyConstantEdgesAreNotRoundedToZeroOrAll() throws Exception {
        StageTrace stage = StageTrace.of(2, 400);
        set(stage, 0, 0, 1, 0.9f);
        for (int n = 1; n < 400; n++) {
            set(stage, n, 1, 2, 0.9f);
        }
        EdgeFrequencies f = new EdgeFrequencies();
        f.add(List.of(stage));
        Document svg = parse(ConnectivityPicture.ofFrequencies(f, "rare").toSvg());
        Map<String, String> labels = new HashMap<>();
        groups(svg, "edge-label").forEach(l -> labels.put(key(l), l.getElementsByTagName("text").item(0)
                .getTextContent()));
        assertEquals(Map.of("0:0-1", "<1%", "0:1-2", ">99%"), labels);
    }

    @Test
    void aBatchOfAnotherShapeIsRejectedAndLeavesTheCountsAlone() {
        EdgeFrequencies f = fiveImagesInTwoBatches();
        String stages = assertThrows(IllegalArgumentException.class,
                () -> f.add(List.of(StageTrace.of(1, 1)))).getMessage();
        assertTrue(stages.contains("expected 2 stages") && stages.contains("got 1"), stages);
        String nodes = assertThrows(IllegalArgumentException.class,
                () -> f.add(List.of(StageTrace.of(1, 1), StageTrace.of(4, 1)))).getMessage();
        assertTrue(nodes.contains("stage 1 has 4 nodes but had 3"), nodes);
        String empty = assertThrows(IllegalArgumentException.class, () -> f.add(List.of())).getMessage();
        assertTrue(empty.contains("no stages"), empty);
        assertEquals(5, f.instances());
        assertEquals(0.2, f.keptFraction(1)[0][1], 1e-12);

        String range = assertThrows(IllegalArgumentException.class, () -> f.keptFraction(2)).getMessage();
        assertTrue(range.contains("stage 2") && range.contains("0 to 1"), range);
        String fresh = assertThrows(IllegalArgumentException.class,
                () -> new EdgeFrequencies().nodes(0)).getMessage();
        assertTrue(fresh.contains("no images added yet"), fresh);
    }
}
