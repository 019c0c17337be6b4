package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Reference;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Conv2d;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernel provider's promise, for the device's convolutions: without {@code --add-modules=jdk.incubator.vector}
 * the runtime is slower, never broken. A convolution that Winograd's algorithm (Vector API code) would run with the
 * module runs by oneDNN's direct convolution without it.
 */
class WithoutVectorModuleTest {
    @Test
    void aConvolutionWinogradWouldRunRunsDirect() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Convolve.class.getName());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        // Read before waiting: a child whose output fills a pipe would block; stderr holds only the provider's warning.
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the child JVM did not finish in 60 s");
        }
        assertEquals(0, process.exitValue(), err);
        String[] fields = out.strip().split(" ");
        assertFalse(fields[0].startsWith("winograd"), out);
        assertTrue(Double.parseDouble(fields[1]) <= 1e-5, "relative error " + fields[1]);
    }

    /** Run in a child JVM without the vector module: prints the implementation and its error against the oracle. */
    static final class Convolve {
        public static void main(String[] args) {
            Shape in = Shape.of(1, 16, 16, 16);
            float[] x = Reference.random(1, in.elements());
            float[] w = Reference.random(2, 16 * 16 * 3 * 3);
            double[] expected = Reference.conv2d(x, in, w, null, 16, 3, 3, 1, 1, 1, 1);
            try (CpuDevice device = CpuDevice.create(1)) {
                Layout blocked = device.activationLayouts().getFirst();
                // A shape WinogradConvolutionTest has Winograd's algorithm run.
                Conv2d.Spec spec = Conv2d.Spec.of(in, 16, 3, 1, 1).withLayouts(blocked, blocked);
                try (Conv2d conv = device.conv2d(spec, ConvWeights.withoutBias(w));
                     Tensor src = Tensor.of(in, blocked, x);
                     Tensor dst = device.allocate(spec.output(), DType.F32, blocked)) {
                    conv.run(src, dst);
                    System.out.print(conv.implementation() + " " + Reference.relativeError(dst.toFloatArray(),
                            expected));
                }
            }
        }
    }
}
