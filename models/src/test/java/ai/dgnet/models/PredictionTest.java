package ai.dgnet.models;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PredictionTest {
    @Test
    void topClassesWithSoftmaxProbabilitiesComputedByHand() {
        // Logits 1, 3, 2, 3: e^-2 + 1 + e^-1 + 1 = 2.5032147244080551 (max 3 subtracted).
        float[] logits = {1f, 3f, 2f, 3f};
        List<Prediction> top = Prediction.top(logits, 3, List.of("cat", "dog", "fox", "owl"));
        assertEquals(3, top.size());
        assertEquals(new Prediction(1, "dog", (float) (1 / 2.5032147244080551), 3f), top.get(0));
        assertEquals(new Prediction(3, "owl", (float) (1 / 2.5032147244080551), 3f), top.get(1),
                "equal logits: lower index first");
        assertEquals(new Prediction(2, "fox", (float) (0.36787944117144233 / 2.5032147244080551), 2f), top.get(2));
    }

    @Test
    void largeLogitsDoNotOverflowAndMissingLabelsAreNumbered() {
        List<Prediction> top = Prediction.top(new float[] {1000f, 999f}, 5, List.of());
        assertEquals(2, top.size(), "k is clamped to the class count");
        assertEquals("class 0", top.get(0).label());
        assertEquals((float) (1 / (1 + 0.36787944117144233)), top.get(0).probability());
        assertEquals("class 1", top.get(1).label());
        assertEquals((float) (0.36787944117144233 / (1 + 0.36787944117144233)), top.get(1).probability());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Prediction.top(new float[] {1f}, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Prediction.top(new float[] {1f, 2f}, 1, List.of("a")));
    }
}
