package ai.dgnet.viz;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static ai.dgnet.viz.ConnectivityPictureTest.groups;
import static ai.dgnet.viz.ConnectivityPictureTest.key;
import static ai.dgnet.viz.ConnectivityPictureTest.keys;
import static ai.dgnet.viz.ConnectivityPictureTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Pictures of what a real network (DG-ResNet-20, deterministic weights) did, checked against its result. */
class ResultPictureTest {
    private static Result result;

    @BeforeAll
    static void run() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Shape shape = Shape.of(2, 3, 32, 32);
        try (DgModel model = DgModel.random(config, 3); CpuDevice device = CpuDevice.create(1);
             Session session = model.session(device)) {
            result = session.run(DeterministicWeights.generate("input", shape.dims(), 4), shape);
        }
    }

    @Test
    void theInstancePictureDrawsExactlyTheResultsKeptEdges() throws Exception {
        Document svg = parse(ConnectivityPicture.ofInstance(result, 1, "resnet20").toSvg());
        Set<String> kept = new HashSet<>();
        Set<String> dropped = new HashSet<>();
        Map<String, String> labels = new HashMap<>();
        for (int s = 0; s < result.stages(); s++) {
            float[][] a = result.adjacency(s, 1);
            int m = result.nodes(s);
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j <= m; j++) {
                    String key = s + ":" + i + "-" + j;
                    if (a[i][j] != 0) {
                        kept.add(key);
                        labels.put(key, new BigDecimal(a[i][j]).setScale(2, RoundingMode.HALF_UP).toPlainString());
                    } else {
                        dropped.add(key);
                    }
                }
            }
        }
        assertFalse(kept.isEmpty());
        assertFalse(dropped.isEmpty(), "seed 3's untrained routers drop some edges");
        assertEquals(kept, keys(groups(svg, "edge kept")));
        assertEquals(dropped, keys(groups(svg, "edge dropped")));
        Map<String, String> drawn = new HashMap<>();
        groups(svg, "edge-label").forEach(l -> drawn.put(key(l), l.getElementsByTagName("text").item(0)
                .getTextContent()));
        assertEquals(labels, drawn);
    }

    @Test
    void frequenciesOfOneBatchAreItsShareOfKeptEdges() {
        EdgeFrequencies frequencies = new EdgeFrequencies();
        frequencies.add(result);
        frequencies.add(result);
        assertEquals(4, frequencies.instances());
        assertEquals(result.stages(), frequencies.stages());
        for (int s = 0; s < result.stages(); s++) {
            double[][] fraction = frequencies.keptFraction(s);
            int m = result.nodes(s);
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j <= m; j++) {
                    int kept = (result.adjacency(s, 0)[i][j] != 0 ? 1 : 0)
                            + (result.adjacency(s, 1)[i][j] != 0 ? 1 : 0);
                    assertEquals(kept / 2.0, fraction[i][j], 1e-12, "stage " + s + " edge " + i + "->" + j);
                }
            }
        }
    }
}
