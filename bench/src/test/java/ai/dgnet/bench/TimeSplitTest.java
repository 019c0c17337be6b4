package ai.dgnet.bench;

import ai.dgnet.bench.TimeSplit.Calls;
import ai.dgnet.bench.TimeSplit.Part;
import ai.dgnet.runtime.op.OpProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where the time goes, split into parts: ours from profile lines, ONNX Runtime's from its trace file. */
class TimeSplitTest {

    @Test
    void oursSplitsTheProfileLinesByKindAndTheDgKernelsIntoTheOtherOps() {
        List<OpProfile> ops = List.of(
                new OpProfile("conv 1x1 96->576 14x14 +relu6", "jit_1x1:avx512_core", 30, 1_000, 0),
                new OpProfile("conv 3x3 64->64 56x56 +relu", "winograd f4:avx512", 10, 600, 0),
                new OpProfile("dwconv 3x3 s2 96 112x112 +relu6", "jit_dw:avx512_core", 10, 500, 0),
                new OpProfile("linear 1280->1000", "brg_matmul:avx2", 10, 100, 0),
                new OpProfile("global avgpool 1280 7x7", "jit:avx512_core", 10, 10, 0),
                new OpProfile("maxpool 3x3 s2 p1 64 112x112", "jit:avx512_core", 10, 20, 0),
                new OpProfile("reorder 3 224x224 NCHW->NHWC", "jit:uni", 10, 5, 0),
                new OpProfile("add 256 56x56", "jit:avx512_core", 10, 7, 0));

        TimeSplit split = TimeSplit.ofOurs(10, 2_500, ops, 30, 40);

        assertEquals(10, split.runs());
        assertEquals(Map.of(Part.CONVOLUTIONS, 2_100L, Part.FULLY_CONNECTED, 100L, Part.POOLING, 30L,
                Part.REORDERS, 5L, Part.OTHER_OPS, 77L, Part.BETWEEN_OPS, 188L), split.nanos());
        assertEquals(List.of("conv", "dwconv", "linear", "weighted sums", "routing", "maxpool", "global avgpool",
                "add", "reorder"), List.copyOf(split.byKind().keySet()));
        assertEquals(1_600L, split.byKind().get("conv"));
        assertEquals(2_500e-6 / 10, split.totalMillisPerRun(), 1e-12);
        assertEquals(2_100.0 / 2_500, split.share(Part.CONVOLUTIONS), 1e-12);
    }

    @Test
    void ourConvolutionsMeetByShapeWhateverTheirEpilogueAndAFusedPairStaysWhole() {
        List<OpProfile> ops = List.of(
                new OpProfile("conv 1x1 96->576 14x14 +relu6", "jit_1x1:avx2", 20, 800, 0),
                new OpProfile("conv 1x1 96->576 14x14 +residual", "brgconv_1x1:avx2", 10, 300, 0),
                new OpProfile("conv 1x1 16->96 112x112 +relu6, then dwconv 3x3 s2 96 112x112 +relu6",
                        "jit_1x1:avx2", 10, 900, 0),
                new OpProfile("conv 3x3 s2 64->128 56x56 g8 +relu", "brgconv:avx2", 10, 400, 0),
                new OpProfile("linear 1280->1000", "brg_matmul:avx2", 10, 100, 0));

        assertEquals(Map.of("conv 1x1 96->576 14x14", new Calls(30, 1_100),
                "conv 1x1 16->96 112x112, then dwconv 3x3 s2 96 112x112", new Calls(10, 900),
                "conv 3x3 s2 64->128 56x56 g8", new Calls(10, 400)),
                TimeSplit.ofOurs(10, 5_000, ops, 0, 0).convolutions());
    }

    /** ORT's nodes in our ops' words, from the logical shapes of their inputs (data, weights) and output. */
    @Test
    void ortConvolutionsAreNamedAsOursAreFromTheirShapes() {
        assertEquals("conv 3x3 s2 3->32 224x224", TimeSplit.ortConvolutionShape("Conv",
                args(List.of(List.of(1, 3, 224, 224), List.of(32, 3, 3, 3), List.of(32)), List.of(1, 32, 112, 112))));
        assertEquals("dwconv 3x3 s2 96 112x112", TimeSplit.ortConvolutionShape("Conv",
                args(List.of(List.of(1, 96, 112, 112), List.of(96, 1, 3, 3), List.of(96)), List.of(1, 96, 56, 56))));
        assertEquals("conv 1x1 576->96 14x14", TimeSplit.ortConvolutionShape("FusedConv", args(List.of(
                List.of(1, 576, 14, 14), List.of(96, 576, 1, 1), List.of(96), List.of(1, 96, 14, 14)),
                List.of(1, 96, 14, 14))));
        assertEquals("conv 3x3 s2 64->128 56x56 g8", TimeSplit.ortConvolutionShape("Conv",
                args(List.of(List.of(1, 64, 56, 56), List.of(128, 8, 3, 3)), List.of(1, 128, 28, 28))));
        assertEquals("NhwcConv [[1, 56, 56, 64], [64, 64, 1, 1]] -> [[1, 56, 56, 64]]",
                TimeSplit.ortConvolutionShape("NhwcConv",
                        args(List.of(List.of(1, 56, 56, 64), List.of(64, 64, 1, 1)), List.of(1, 56, 56, 64))));
        assertEquals("conv 1x1 576->96 14x14 (batch 8)", TimeSplit.ortConvolutionShape("Conv",
                args(List.of(List.of(8, 576, 14, 14), List.of(96, 576, 1, 1)), List.of(8, 96, 14, 14))));
        assertEquals("conv 1x1 576->96 14x14 (batch 8)",
                TimeSplit.convolutionShape("conv 1x1 576->96 14x14 +residual (batch 8)"));
        assertEquals("Conv [[1, 6, 4, 4], [4, 4, 1, 1]] -> [[1, 4, 4, 4]]", TimeSplit.ortConvolutionShape("Conv",
                args(List.of(List.of(1, 6, 4, 4), List.of(4, 4, 1, 1)), List.of(1, 4, 4, 4))));
        assertEquals("Conv [] -> []", TimeSplit.ortConvolutionShape("Conv", Map.of()));
    }

    /** A trace node's arguments as Jackson reads them: each shape a one-entry map from its element type. */
    private static Map<String, Object> args(List<List<Integer>> inputs, List<Integer> output) {
        return Map.of("input_type_shape", inputs.stream().map(dims -> Map.of("float", dims)).toList(),
                "output_type_shape", List.of(Map.of("float", output)));
    }

    @Test
    void theSlowestTenthOfAProfilesRunsIsLeftOutTheOthersKeepTheirOrder() {
        List<Long> runs = List.of(5L, 9L, 1L, 7L, 3L, 300L, 2L, 6L, 4L, 10L, 8L);
        assertEquals(List.of(5L, 9L, 1L, 7L, 3L, 2L, 6L, 4L, 10L, 8L),
                TimeSplit.withoutTheSlowest(runs, Long::longValue));
        assertEquals(List.of(4L, 4L, 4L), TimeSplit.withoutTheSlowest(List.of(4L, 4L, 4L), Long::longValue));
    }

    @Test
    void oursHasNothingBetweenOpsWhenTheOpsAccountForMoreThanTheWallClock() {
        // The clocks are read apart from each other, so the parts may add up to a little more than the runs took.
        List<OpProfile> ops = List.of(new OpProfile("conv 1x1 8->8 4x4", "jit_1x1:avx512_core", 1, 1_010, 0));
        assertEquals(0L, TimeSplit.ofOurs(1, 1_000, ops, 0, 0).nanos().get(Part.BETWEEN_OPS));
    }

    @Test
    void kindsAreTheWordsBeforeTheFirstSize() {
        assertEquals("global avgpool", TimeSplit.kindOf("global avgpool 2048 7x7"));
        assertEquals("conv", TimeSplit.kindOf("conv 3x3 s2 3->32 224x224 +relu6"));
        assertEquals("reorder", TimeSplit.kindOf("reorder 3 224x224 NCHW->NHWC"));
        assertEquals("linear", TimeSplit.kindOf("linear 2048->1000 x8"));
        assertEquals(Part.POOLING, TimeSplit.ourPart("global avgpool"));
        assertEquals(Part.OTHER_OPS, TimeSplit.ourPart("add"));
        assertEquals(Part.CONVOLUTIONS, TimeSplit.ortPart("FusedConv"));
        assertEquals(Part.FULLY_CONNECTED, TimeSplit.ortPart("FusedGemm"));
        assertEquals(Part.REORDERS, TimeSplit.ortPart("ReorderOutput"));
        assertEquals(Part.OTHER_OPS, TimeSplit.ortPart("ReduceMean"));
    }

    /**
     * A trace in the shape ONNX Runtime 1.23 writes (events out of order, node arguments nested): three runs, the
     * first untimed; a node outside every run and the session's other events count nowhere.
     */
    @Test
    void ortTraceLeavesOutTheUntimedRunsAndSplitsTheNodesByOpType(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("ort.json");
        Files.writeString(trace, """
                [
                {"cat" : "Session","pid" :1,"tid" :2,"dur" :27552,"ts" :10,"ph" : "X","name" :"model_loading_uri","args" : {}},
                {"cat" : "Session","pid" :1,"tid" :2,"dur" :50,"ts" :400,"ph" : "X","name" :"model_run","args" : {}},
                %s,
                %s,
                {"cat" : "Session","pid" :1,"tid" :2,"dur" :100,"ts" :0,"ph" : "X","name" :"model_run","args" : {}},
                {"cat" : "Session","pid" :1,"tid" :2,"dur" :100,"ts" :200,"ph" : "X","name" :"model_run","args" : {}},
                {"cat" : "Session","pid" :1,"tid" :2,"dur" :95,"ts" :201,"ph" : "X","name" :"SequentialExecutor::Execute","args" : {}},
                %s, %s, %s, %s, %s, %s, %s, %s
                ]
                """.formatted(node("Conv", 401, 30), node("Add", 431, 10), node("Conv", 1, 60), node("Conv", 201, 50),
                node("Mul", 251, 20), node("ReorderInput", 271, 10), node("Gemm", 281, 5),
                node("GlobalAveragePool", 441, 5), node("Conv", 350, 40), node("Conv", 202, 0)
                        .replace("_kernel_time", "_fence_before")));

        TimeSplit split = TimeSplit.ofOrtProfile(trace, 1);

        assertEquals(2, split.runs());
        assertEquals(Map.of(Part.CONVOLUTIONS, 80_000L, Part.FULLY_CONNECTED, 5_000L, Part.POOLING, 5_000L,
                Part.REORDERS, 10_000L, Part.OTHER_OPS, 30_000L, Part.BETWEEN_OPS, 20_000L), split.nanos());
        assertEquals(Map.of("Conv", 80_000L, "Mul", 20_000L, "Add", 10_000L, "ReorderInput", 10_000L, "Gemm", 5_000L,
                "GlobalAveragePool", 5_000L), split.byKind());
        assertEquals(0.075, split.totalMillisPerRun(), 1e-12);
        assertEquals(Map.of("Conv [[1, 32, 56, 56]] -> []", new Calls(2, 80_000)), split.convolutions());

        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> TimeSplit.ofOrtProfile(trace, 3));
        assertEquals("ONNX Runtime's profile " + trace + " has 3 runs, expected more than the 3 to leave out",
                tooFew.getMessage());
    }

    private static String node(String opType, long ts, long dur) {
        return """
                {"cat" : "Node","pid" :1,"tid" :2,"dur" :%d,"ts" :%d,"ph" : "X","name" :"/n%d_kernel_time","args" : \
                {"thread_scheduling_stats" : {"main_thread": {"block_size": [1], "Run": 1}},\
                "input_type_shape" : [{"float":[1,32,56,56]}],"provider" : "CPUExecutionProvider","op_name" : "%s"}}"""
                .formatted(dur, ts, ts, opType);
    }
}
