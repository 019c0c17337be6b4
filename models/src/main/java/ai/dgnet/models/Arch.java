package ai.dgnet.models;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The architectures of spec section 3, by the names model files and the command use. */
public enum Arch {
    RESNET18("resnet18"),
    RESNET34("resnet34"),
    RESNET50("resnet50"),
    RESNET101("resnet101"),
    RESNEXT50_32X4D("resnext50_32x4d"),
    MOBILENET_V2("mobilenet_v2"),
    REGNET_X_400MF("regnet_x_400mf"),
    REGNET_Y_400MF("regnet_y_400mf"),
    RESNET20("resnet20");

    private final String id;

    Arch(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Arch parse(String id) {
        for (Arch arch : values()) {
            if (arch.id.equals(id)) {
                return arch;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + id + "'; known: "
                + Arrays.stream(values()).map(Arch::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
