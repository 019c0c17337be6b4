package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.kernel.DgKernelsProvider.Choice;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.System.Logger.Level;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The provider's choice for each property value and JVM, and the one line it logs. */
class DgKernelsProviderTest {
    private static final String C2 = "mixed mode, sharing";

    @Test
    void theScalarPropertyForcesTheScalarKernels() {
        Choice choice = DgKernelsProvider.choose(" Scalar ", true, C2);
        assertInstanceOf(ScalarDgKernels.class, choice.kernels());
        assertEquals(Level.DEBUG, choice.level());
    }

    @Test
    void byDefaultTheVectorKernelsRunWhereTheyPay() {
        assumeTrue(VectorDgKernels.bitSize() >= 128, "this machine's vectors are under 128 bits");
        Choice choice = DgKernelsProvider.choose(null, true, C2);
        assertInstanceOf(VectorDgKernels.class, choice.kernels());
        assertEquals(Level.DEBUG, choice.level());
        assertInstanceOf(VectorDgKernels.class, DgKernelsProvider.choose("", true, C2).kernels());
    }

    @Test
    void withoutTheModuleItFallsBackAndSaysHowToAddIt() {
        for (String property : new String[] {null, "vector"}) {
            Choice choice = DgKernelsProvider.choose(property, false, C2);
            assertInstanceOf(ScalarDgKernels.class, choice.kernels());
            assertEquals(Level.WARNING, choice.level());
            assertTrue(choice.message().contains("--add-modules=jdk.incubator.vector"), choice.message());
        }
    }

    @Test
    void withoutC2ItFallsBackUnlessVectorIsForced() {
        for (String vmInfo : List.of("interpreted mode, sharing", "mixed mode, emulated-client, sharing")) {
            Choice choice = DgKernelsProvider.choose(null, true, vmInfo);
            assertInstanceOf(ScalarDgKernels.class, choice.kernels());
            assertEquals(Level.WARNING, choice.level());
            assertTrue(choice.message().contains("C2"), choice.message());
            assertInstanceOf(VectorDgKernels.class, DgKernelsProvider.choose("vector", true, vmInfo).kernels());
        }
    }

    @Test
    void anUnknownValueIsIgnoredWithAWarning() {
        Choice choice = DgKernelsProvider.choose("fast", true, C2);
        assertEquals(DgKernelsProvider.choose(null, true, C2).kernels().getClass(), choice.kernels().getClass());
        assertEquals(Level.WARNING, choice.level());
        assertTrue(choice.message().contains("'fast'"), choice.message());
    }

    /**
     * The choice only warns about an unknown value (it runs in a class initializer), and the command ran on the
     * default kernels; a device refuses it in one line, the device for few runs too.
     */
    @Test
    void aDeviceRefusesAnUnknownValue() {
        for (String value : new String[] {null, "", " Scalar ", "VECTOR"}) {
            DgKernelsProvider.check(value);
        }
        String expected = "dgnet.kernels must be scalar or vector, got 'fast'";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> DgKernelsProvider.check("fast"))
                .getMessage());
        String before = System.getProperty(DgKernelsProvider.PROPERTY);
        System.setProperty(DgKernelsProvider.PROPERTY, "fast");
        try {
            for (IntFunction<CpuDevice> create : List.<IntFunction<CpuDevice>>of(CpuDevice::create,
                    CpuDevice::forFewRuns)) {
                assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> create.apply(1).close())
                        .getMessage());
            }
        } finally {
            if (before == null) {
                System.clearProperty(DgKernelsProvider.PROPERTY);
            } else {
                System.setProperty(DgKernelsProvider.PROPERTY, before);
            }
        }
    }

    @Test
    void getChoosesOnceForThisJvm() {
        DgKernels kernels = DgKernelsProvider.get();
        assertSame(kernels, DgKernelsProvider.get());
        Choice expected = DgKernelsProvider.choose(System.getProperty(DgKernelsProvider.PROPERTY),
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                System.getProperty("java.vm.info", ""));
        assertEquals(expected.kernels().getClass(), kernels.getClass());
    }

    /** The promise of the provider: a JVM started without the module runs, on the scalar kernels. */
    @Test
    void aJvmWithoutTheVectorModuleRunsTheScalarKernels() throws Exception {
        // The kernels need nothing beyond the runtime's own classes, so the child gets just the two class folders
        // (or jars), wherever the test runner put them.
        String classPath = location(DgKernelsProvider.class) + File.pathSeparator + location(PrintKernels.class);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, PrintKernels.class.getName());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not finish in 60 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), err);
        assertEquals("scalar", out.strip(), err);
        assertTrue(err.contains("--add-modules=jdk.incubator.vector"), err);
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Run in a child JVM by the test above. */
    static final class PrintKernels {
        public static void main(String[] args) {
            System.out.print(DgKernelsProvider.get().name());
        }
    }
}
