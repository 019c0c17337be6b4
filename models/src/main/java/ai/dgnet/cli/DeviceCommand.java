package ai.dgnet.cli;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Residual;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Shows what the CPU device is and that oneDNN runs on it: the first thing to check on a new machine. */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Show the CPU device (oneDNN version, ISA, threads) and run one convolution on it.")
final class DeviceCommand implements Callable<Integer> {
    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (CpuDevice device = threads.device()) {
            out.println(device.name());
            Shape input = Shape.of(1, 64, 56, 56);
            Layout layout = device.activationLayouts().getFirst();
            Conv2d.Spec spec = Conv2d.Spec.of(input, 64, 3, 1, 1).withLayouts(layout, layout)
                    .withEpilogue(Activation.RELU, Residual.NONE);
            try (Conv2d conv = device.conv2d(spec, ConvWeights.withoutBias(new float[(int) spec.weightCount()]));
                 Tensor src = device.allocate(input, DType.F32, layout);
                 Tensor dst = device.allocate(spec.output(), DType.F32, layout)) {
                // Runs for a second first: a Winograd convolution's transforms are Java, and the JIT compiler
                // takes a few hundred runs to compile them; timed cold, they would be ten times slower.
                long warm = System.nanoTime() + 1_000_000_000L;
                do {
                    conv.run(src, dst);
                } while (System.nanoTime() < warm);
                int runs = 50;
                long start = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    conv.run(src, dst);
                }
                double ms = (System.nanoTime() - start) / 1e6 / runs;
                double gflops = 2.0 * spec.weightCount() * 56 * 56 / (ms * 1e6);
                // Counted as direct convolution's multiply-adds, so that algorithms compare: Winograd's exceed
                // the machine's peak.
                out.printf(Locale.ROOT, "conv 3x3 64->64 on 56x56 (%s): %.3f ms, %.1f GFLOP/s via %s%n", layout, ms,
                        gflops, conv.implementation());
            }
        }
        return 0;
    }
}
