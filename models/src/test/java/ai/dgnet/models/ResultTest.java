package ai.dgnet.models;

import ai.dgnet.runtime.dg.StageTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultTest {
    /** A batch of 2 through a single-node stage and a stage of 3 nodes. */
    private final Result result = new Result(new float[2][10], List.of(StageTrace.of(1, 2), StageTrace.of(3, 2)));

    @Test
    void aStageOrInstanceOutOfRangeIsNamed() {
        String stage = "stage %d is out of range: the result has 2 stages, numbered from 0";
        String instance = "instance %d is out of range: the batch has 2, numbered from 0";
        refused(stage.formatted(2), () -> result.adjacency(2, 0));
        refused(stage.formatted(-1), () -> result.routerOutputs(-1, 0));
        refused(stage.formatted(2), () -> result.nodes(2));
        refused(stage.formatted(2), () -> result.trace(2));
        refused(instance.formatted(2), () -> result.adjacency(1, 2));
        refused(instance.formatted(-1), () -> result.routerOutputs(1, -1));
        refused(instance.formatted(2), () -> result.top1(2));
    }

    @Test
    void inRangeTheMatricesAreTheStagesSize() {
        assertEquals(4, result.adjacency(1, 1).length);
        assertEquals(2, result.routerOutputs(0, 0)[1].length);
        assertEquals(3, result.nodes(1));
    }

    private static void refused(String message, Executable call) {
        assertEquals(message, assertThrows(IndexOutOfBoundsException.class, call).getMessage());
    }
}
