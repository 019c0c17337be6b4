package ai.dgnet.models.arch;

import ai.dgnet.models.Arch;
import ai.dgnet.runtime.dg.Mode;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole network: stem, DG stages of blocks, head. Parameter names follow torchvision exactly (spec section 3),
 * plus {@code router.{s}.{i}.*} for dynamic stages (spec section 4).
 *
 * @param stem      stem convolutions, in order
 * @param maxPool   whether the stem ends in ResNet's 3x3 stride-2 max pooling
 * @param stages    the DG stages; each block is a node
 * @param headConvs convolutions after the last stage (MobileNetV2's {@code features.18}), in order
 * @param fc        the classifier's name ({@code fc} or {@code classifier.1})
 */
public record NetworkDef(Arch arch, int inChannels, int numClasses, List<ConvBn> stem, boolean maxPool,
                         List<List<BlockDef>> stages, List<ConvBn> headConvs, String fc) {
    public NetworkDef {
        stem = List.copyOf(stem);
        stages = stages.stream().map(List::copyOf).toList();
        headConvs = List.copyOf(headConvs);
    }

    /** Channels of the node outputs of stage {@code s} ({@code C_s} of spec section 4). */
    public int stageChannels(int s) {
        return stages.get(s).getFirst().outChannels();
    }

    public int features() {
        return headConvs.isEmpty() ? stageChannels(stages.size() - 1) : headConvs.getLast().out();
    }

    /** Every parameter of the backbone (no routers), in network order. */
    public List<Param> backboneParams() {
        List<Param> params = new ArrayList<>();
        stem.forEach(c -> c.addParams(params));
        stages.forEach(stage -> stage.forEach(b -> b.addParams(params)));
        headConvs.forEach(c -> c.addParams(params));
        params.add(new Param(fc + ".weight", new int[] {numClasses, features()}));
        params.add(new Param(fc + ".bias", new int[] {numClasses}));
        return params;
    }

    /** The router parameters: for each stage with {@code m >= 2}, node {@code i} has {@code [m - i, C_s]} and {@code [m - i]}. */
    public List<Param> routerParams() {
        List<Param> params = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            int m = stages.get(s).size();
            for (int i = 0; m >= 2 && i < m; i++) {
                params.add(new Param(routerWeight(s, i), new int[] {m - i, stageChannels(s)}));
                params.add(new Param(routerBias(s, i), new int[] {m - i}));
            }
        }
        return params;
    }

    /** The parameters a model file of this mode must hold (routers are optional in static mode). */
    public List<Param> requiredParams(Mode mode) {
        List<Param> params = backboneParams();
        if (mode == Mode.DYNAMIC) {
            params.addAll(routerParams());
        }
        return params;
    }

    public static String routerWeight(int stage, int node) {
        return "router." + stage + "." + node + ".weight";
    }

    public static String routerBias(int stage, int node) {
        return "router." + stage + "." + node + ".bias";
    }
}
