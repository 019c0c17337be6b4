package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.runtime.dg.Mode;

import java.util.ArrayList;
import java.util.List;

/**
 * One model of the comparison, named {@code ARCH-dynamic}, {@code ARCH-static} or {@code ARCH-torchvision}. Ours
 * always runs the DG model of that arch and mode; ONNX Runtime and PyTorch run the same model, except for
 * {@code torchvision}: there they run torchvision's own architecture, and ours its equivalent, the static DG model
 * (same parameter names, same weights, same math).
 */
record Case(Arch arch, Mode mode, boolean torchvision) {
    private static final String TORCHVISION = "torchvision";

    /** Parses a case name such as {@code resnet50-dynamic} (picocli's converter for {@code --cases}). */
    static Case parse(String name) {
        int dash = name.lastIndexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("expected ARCH-dynamic, ARCH-static or ARCH-torchvision, got '"
                    + name + "'");
        }
        Arch arch = Arch.parse(name.substring(0, dash));
        String kind = name.substring(dash + 1);
        return kind.equals(TORCHVISION) ? new Case(arch, Mode.STATIC, true) : new Case(arch, Mode.parse(kind), false);
    }

    String name() {
        return arch.id() + "-" + (torchvision ? TORCHVISION : mode.label());
    }

    /** What each runtime runs, for the report's legend. */
    String description() {
        return torchvision
                ? "torchvision's " + arch.id() + " exported to ONNX (ORT, PyTorch) vs the static DG " + arch.id()
                        + " (ours): the same network and weights"
                : "DG " + arch.id() + ", " + mode.label() + " mode, in all three";
    }

    /**
     * The model options of {@code export_onnx.py} and {@code bench_torch.py}, which share them: the model and the
     * deterministic weights (and the input, seed + 1) that {@link Workloads} uses too.
     */
    List<String> modelArguments() {
        List<String> args = new ArrayList<>(List.of("--arch", arch.id(), "--mode", mode.label(),
                "--seed", Long.toString(Workloads.WEIGHT_SEED),
                "--num-classes", Integer.toString(Workloads.NUM_CLASSES)));
        if (torchvision) {
            args.add("--torchvision");
        }
        return args;
    }

    @Override
    public String toString() {
        return name();
    }
}
