package ai.dgnet.cli;

import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import picocli.CommandLine.Option;

/** The {@code --threads} option every subcommand that runs a model shares, and the device it asks for. */
final class ThreadsOption {
    /**
     * The most images a command runs on a device set up for few runs ({@link CpuDevice#forFewRuns}). On 2 AVX2
     * cores that device was the faster in every case measured, up to 64 images (DG-ResNet-50: one image 3.6-3.8
     * against 2.5-2.8 s end to end, 32 images at batch 1 6.0-6.5 against 4.8-5.4 s); this stays below that for
     * machines whose vector kernels gain more per image.
     */
    static final long FEW_IMAGES = 32;

    @Option(names = "--threads", paramLabel = "N", description = "Threads per operation (default: all cores).")
    Integer threads;

    /** The CPU device with the requested threads; a count it may not take is a one-line error, not a crash. */
    CpuDevice device() {
        return CpuDevice.create(threads());
    }

    /**
     * The device for a command that runs {@code images} images in all and exits: set up for few runs when they
     * are at most {@link #FEW_IMAGES}, unless a system property chooses the DG kernels or the Winograd limit, which
     * says the user picks the kernels.
     */
    CpuDevice device(long images) {
        boolean chosen = System.getProperty(DgKernelsProvider.PROPERTY) != null
                || System.getProperty(CpuDevice.WINOGRAD_PROPERTY) != null;
        return images <= FEW_IMAGES && !chosen ? CpuDevice.forFewRuns(threads()) : device();
    }

    private int threads() {
        if (threads == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        CpuDevice.requireThreads("--threads", threads);
        return threads;
    }
}
