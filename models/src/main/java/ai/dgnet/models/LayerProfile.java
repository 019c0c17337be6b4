package ai.dgnet.models;

import ai.dgnet.runtime.op.OpProfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One layer of a prepared network with what its op has run ({@link Session#profile}).
 *
 * @param layer the layer's name: torchvision's module path ({@code layer1.0.conv1}, {@code features.3.conv.0.0},
 *              {@code fc}), or {@code input}, {@code maxpool} and {@code avgpool}
 * @param op    its op's description, kernel, runs, time and multiply-accumulates
 */
public record LayerProfile(String layer, OpProfile op) {
    /**
     * What each layer of one network ran between two of its profiles, {@code before} (empty when the network did not
     * exist yet) and {@code after}: the layers that ran, the most time first, in network order where times tie.
     */
    public static List<LayerProfile> between(List<LayerProfile> before, List<LayerProfile> after) {
        if (!before.isEmpty() && before.size() != after.size()) {
            throw new IllegalArgumentException("profiles of different networks: " + before.size() + " and "
                    + after.size() + " layers");
        }
        List<LayerProfile> ran = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            LayerProfile now = after.get(i);
            OpProfile since = now.op;
            if (!before.isEmpty()) {
                LayerProfile then = before.get(i);
                if (!then.layer.equals(now.layer)) {
                    throw new IllegalArgumentException("profiles of different networks: layer " + i + " is "
                            + then.layer + " in one and " + now.layer + " in the other");
                }
                since = now.op.since(then.op);
            }
            if (since.runs() > 0) {
                ran.add(new LayerProfile(now.layer, since));
            }
        }
        ran.sort(Comparator.comparingLong((LayerProfile line) -> line.op.nanos()).reversed());
        return ran;
    }
}
