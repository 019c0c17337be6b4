package ai.dgnet.runtime.kernel;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link DgKernels} implementation once per JVM: the Vector API one where it is faster, else the
 * scalar one. A missing {@code --add-modules=jdk.incubator.vector} makes the runtime slower, never broken.
 *
 * <p>The system property {@value #PROPERTY} forces a choice: {@code scalar}, or {@code vector} (honoured whenever
 * the module is there, even where the scalar loops would be faster). Any fallback is logged as one warning
 * saying why; the choice itself is logged at debug level. Another value is refused where a device is created
 * ({@link #checkProperty}); the choice, made in a class initializer that must not throw, ignores it with a warning.
 */
public final class DgKernelsProvider {
    /** The system property that forces an implementation: {@code scalar} or {@code vector}. */
    public static final String PROPERTY = "dgnet.kernels";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_KERNELS = "ai.dgnet.runtime.kernel.VectorDgKernels";

    /**
     * The choice, made when first asked for, not when this class is first used: {@link #checkProperty} must refuse a
     * bad value before the choice has logged its warning about it, so that the user sees one line.
     */
    private static final class Chosen {
        static final DgKernels KERNELS = chooseAndLog();
    }

    private DgKernelsProvider() {
    }

    /** The implementation this JVM uses. */
    public static DgKernels get() {
        return Chosen.KERNELS;
    }

    /**
     * Refuses a value of {@value #PROPERTY} that names no implementation, as {@code dgnet.layout} refuses an unknown
     * layout: a device calls this when it is created.
     *
     * @throws IllegalArgumentException naming the property, the values it takes and the value given
     */
    public static void checkProperty() {
        check(System.getProperty(PROPERTY));
    }

    static void check(String property) {
        if (!List.of("", "scalar", "vector").contains(normalized(property))) {
            throw new IllegalArgumentException(PROPERTY + " must be scalar or vector, got '" + property + "'");
        }
    }

    /** The property's value as {@link #choose} reads it: case and surrounding blanks do not count, unset is empty. */
    private static String normalized(String property) {
        return property == null ? "" : property.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The plain-Java kernels, whatever this JVM chose: they need no JIT warm-up, where the Vector API ones run
     * many times slower until C2 has compiled them, so they finish first when a process runs only a few inferences.
     */
    public static DgKernels scalar() {
        return new ScalarDgKernels();
    }

    /** Whether this JVM runs the Vector API kernels, and so may run the other Vector API code in this package. */
    public static boolean vectorized() {
        return !(Chosen.KERNELS instanceof ScalarDgKernels);
    }

    /** What {@link #choose} picked and the one line to log about it. */
    record Choice(DgKernels kernels, Level level, String message) {
    }

    private static DgKernels chooseAndLog() {
        Choice choice = choose(System.getProperty(PROPERTY),
                ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
                System.getProperty("java.vm.info", ""));
        System.getLogger(DgKernelsProvider.class.getName()).log(choice.level(), choice.message());
        return choice.kernels();
    }

    /**
     * The choice for a property value ({@code null} when unset), given whether the vector module is in the boot
     * layer and the VM's {@code java.vm.info}. Never throws: every way to fail ends in the scalar kernels.
     */
    static Choice choose(String property, boolean vectorModule, String vmInfo) {
        return switch (normalized(property)) {
            case "scalar" -> new Choice(scalar(), Level.DEBUG, "DG kernels: scalar, as " + PROPERTY
                    + " asks");
            case "vector" -> vector(true, vectorModule, vmInfo);
            case "" -> vector(false, vectorModule, vmInfo);
            default -> {
                Choice choice = vector(false, vectorModule, vmInfo);
                yield new Choice(choice.kernels(), Level.WARNING, PROPERTY + " must be scalar or vector, got '"
                        + property + "', so it is ignored. " + choice.message());
            }
        };
    }

    /** The Vector API kernels if they load and, unless {@code forced}, are likely faster than plain loops. */
    private static Choice vector(boolean forced, boolean vectorModule, String vmInfo) {
        if (!vectorModule) {
            return fallback("the module " + VECTOR_MODULE + " is not in the JVM; pass --add-modules="
                    + VECTOR_MODULE + " for the Vector API kernels");
        }
        // -Xint reports "interpreted mode"; TieredStopAtLevel below 4 reports "emulated-client". Without C2 the
        // Vector API is not compiled to vector instructions, and its fallback code is far slower than plain loops.
        if (!forced && (vmInfo.contains("interpreted mode") || vmInfo.contains("emulated-client"))) {
            return fallback("the C2 compiler is off (java.vm.info: " + vmInfo
                    + "), so the Vector API would be slower than plain loops");
        }
        DgKernels kernels;
        int bits;
        try {
            Class<? extends DgKernels> type = Class.forName(VECTOR_KERNELS).asSubclass(DgKernels.class);
            bits = (int) type.getDeclaredMethod("bitSize").invoke(null);
            kernels = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return fallback("the Vector API kernels did not load: " + e);
        }
        if (!forced && bits < 128) {
            return fallback("the preferred vector is " + bits + " bits, too narrow to beat plain loops");
        }
        return new Choice(kernels, Level.DEBUG, "DG kernels: " + kernels.name()
                + (forced ? ", as " + PROPERTY + " asks" : ""));
    }

    private static Choice fallback(String why) {
        return new Choice(scalar(), Level.WARNING, "DG kernels: scalar, because " + why);
    }
}
