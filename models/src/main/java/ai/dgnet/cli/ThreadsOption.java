package ai.dgnet.cli;

import ai.dgnet.runtime.cpu.CpuDevice;
import picocli.CommandLine.Option;

/** The {@code --threads} option every subcommand that runs a model shares, and the device it asks for. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Threads per operation (default: all cores).")
    Integer threads;

    /** The CPU device with the requested threads; a count under 1 is a one-line error, not a crash. */
    CpuDevice device() {
        if (threads == null) {
            return CpuDevice.create();
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        return CpuDevice.create(threads);
    }
}
