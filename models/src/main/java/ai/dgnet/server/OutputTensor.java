package ai.dgnet.server;

import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.arch.BlockDef;
import ai.dgnet.runtime.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * One tensor a model answers with, named as {@code dgnet infer} names them (spec section 8): {@code logits}
 * {@code [N, classes]}, and for every stage {@code s} of two or more nodes {@code adjacency.{s}} and
 * {@code router.{s}} {@code [N, m+1, m+1]}.
 *
 * @param instanceDims the shape of one instance's part, without the batch dimension
 */
record OutputTensor(String name, Kind kind, int stage, int[] instanceDims) {
    static final String LOGITS = "logits";

    enum Kind { LOGITS, ADJACENCY, ROUTER }

    static List<OutputTensor> of(ModelConfig config) {
        List<OutputTensor> outputs = new ArrayList<>();
        outputs.add(new OutputTensor(LOGITS, Kind.LOGITS, -1, new int[] {config.numClasses()}));
        List<List<BlockDef>> stages = Architectures.build(config.arch(), config.inChannels(), config.numClasses())
                .stages();
        for (int s = 0; s < stages.size(); s++) {
            int size = stages.get(s).size() + 1;
            if (size > 2) {
                outputs.add(new OutputTensor("adjacency." + s, Kind.ADJACENCY, s, new int[] {size, size}));
                outputs.add(new OutputTensor("router." + s, Kind.ROUTER, s, new int[] {size, size}));
            }
        }
        return List.copyOf(outputs);
    }

    /** The values of one instance's part. */
    int instanceElements() {
        return Math.toIntExact(Shape.of(instanceDims).elements());
    }

    /** Instance {@code n}'s values, row-major. */
    float[] instance(Result result, int n) {
        return switch (kind) {
            case LOGITS -> result.logits()[n];
            case ADJACENCY -> result.trace(stage).adjacency()[n];
            case ROUTER -> result.trace(stage).router()[n];
        };
    }
}
