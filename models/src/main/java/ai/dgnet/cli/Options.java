package ai.dgnet.cli;

import ai.dgnet.runtime.cpu.CpuDevice;

/** Option handling the subcommands share. */
final class Options {
    private Options() {
    }

    static void checkThreads(Integer threads) {
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
    }

    static CpuDevice device(Integer threads) {
        return threads == null ? CpuDevice.create() : CpuDevice.create(threads);
    }
}
