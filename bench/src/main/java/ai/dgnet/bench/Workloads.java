package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.dg.Mode;

/**
 * What every benchmark here runs: models with the deterministic weights of spec section 6 and deterministic
 * inputs, so that the JMH numbers, the comparison harness and the ONNX exports all describe the same network on
 * the same data without any file.
 */
final class Workloads {
    /** Weight seed; the ONNX exporter and the PyTorch benchmark are called with the same one. */
    static final long WEIGHT_SEED = 3;
    /** Input seed: the weight seed + 1, as those two scripts derive it. */
    static final long INPUT_SEED = WEIGHT_SEED + 1;
    static final int NUM_CLASSES = 1000;
    static final int IN_CHANNELS = 3;

    private Workloads() {
    }

    static DgModel model(Arch arch, Mode mode) {
        return DgModel.random(ModelConfig.of(arch, mode).withClasses(NUM_CLASSES, IN_CHANNELS), WEIGHT_SEED);
    }

    /** The input batch {@code [batch, 3, size, size]}, NCHW row-major. */
    static float[] input(int batch, int size) {
        return DeterministicWeights.generate("input", inputShape(batch, size), INPUT_SEED);
    }

    static int[] inputShape(int batch, int size) {
        return new int[] {batch, IN_CHANNELS, size, size};
    }

    /** A thread count given as a number or as {@code max} (every available processor, as JMH's {@code -t max}). */
    static int threads(String value) {
        int threads = value.equals("max") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(value);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1 or 'max', got " + value);
        }
        return threads;
    }
}
