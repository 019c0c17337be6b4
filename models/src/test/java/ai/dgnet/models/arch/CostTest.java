package ai.dgnet.models.arch;

import ai.dgnet.models.Arch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CostTest {
    /**
     * Parameters and MACs at 224x224 as torch counts them on torchvision's own models
     * ({@code tests/reference/count_cost.py}); torchvision publishes the same parameter counts and, rounded, the
     * MACs as "GFLOPS" (resnet50 4.09, resnet18 1.81, mobilenet_v2 0.30).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "resnet18, 11689512, 1814073344",
            "resnet34, 21797672, 3663761408",
            "resnet50, 25557032, 4089184256",
            "resnet101, 44549160, 7801405440",
            "resnext50_32x4d, 25028904, 4230479872",
            "mobilenet_v2, 3504872, 300774272",
            "regnet_x_400mf, 5495976, 413812608",
            "regnet_y_400mf, 4344144, 401842848",
    })
    void backboneMatchesTorchvision(String arch, long parameters, long macs) {
        Cost cost = Cost.of(Architectures.build(Arch.parse(arch), 3, 1000), 224, 224);
        assertEquals(parameters, cost.backbone().parameters());
        assertEquals(macs, cost.backbone().macs());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet50", "mobilenet_v2", "regnet_x_400mf"})
    void routerParametersAreTheRouterTensors(String arch) {
        NetworkDef net = Architectures.build(Arch.parse(arch), 3, 1000);
        long expected = net.routerParams().stream().mapToLong(Param::elements).sum();
        assertEquals(expected, Cost.of(net, 224, 224).routers().parameters());
    }

    @Test
    void routersAndAggregationOfResnet20ByHand() {
        // Stages of 3 nodes at 16x32x32, 32x16x16, 64x8x8. Routers per stage: [3,C],[2,C],[1,C] + biases, so
        // 6C weights and 6 biases, 6C MACs; aggregation with every edge kept: 3*4/2 = 6 terms per element.
        Cost cost = Cost.of(Architectures.build(Arch.RESNET20, 3, 10), 32, 32);
        int[] channels = {16, 32, 64};
        int[] side = {32, 16, 8};
        for (int s = 0; s < 3; s++) {
            Cost.StageCost stage = cost.stages().get(s);
            assertEquals(3, stage.nodes());
            assertEquals(new Cost.Part(6L * channels[s] + 6, 6L * channels[s]), stage.routers());
            assertEquals(6L * channels[s] * side[s] * side[s], stage.aggregationMacs());
        }
        // conv1 3x3 3->16 (432 weights + 32 BN) at 32x32; fc 64->10.
        assertEquals(new Cost.Part(432 + 32, 432L * 32 * 32), cost.stem());
        assertEquals(new Cost.Part(650, 640), cost.head());
    }
}
