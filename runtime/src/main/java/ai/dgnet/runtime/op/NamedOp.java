package ai.dgnet.runtime.op;

import java.util.Objects;

/**
 * A prepared op under the name of the model's layer it computes, such as torchvision's {@code layer1.0.conv1}: what
 * a per-layer profile lists. The op stays its owner's.
 */
public record NamedOp(String name, PreparedOp op) {
    public NamedOp {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
    }
}
