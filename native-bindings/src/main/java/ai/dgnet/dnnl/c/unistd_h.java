// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The terminal test of the C library ({@code unistd.h}, Linux x86-64 values), with which the {@code dgnet} command
 * refuses to write binary output to a terminal or read binary input from one: {@code System.console()} answers
 * whether standard input and output are both terminals, not one of them alone. {@code BindingCheckTest} checks it
 * against an embedded copy of the glibc prototype and values. The symbol resolves in the C library the JVM runs on,
 * so nothing here loads oneDNN.
 */
@SuppressWarnings("restricted")
public class unistd_h extends dnnl$shared {

    unistd_h() {
        // Should not be called directly
    }

    private static final SymbolLookup LIBC = Linker.nativeLinker().defaultLookup();

    private static class isatty {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = LIBC.findOrThrow("isatty");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int isatty(int fd)
     * }
     */
    public static FunctionDescriptor isatty$descriptor() {
        return isatty.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int isatty(int fd)
     * }
     */
    public static MethodHandle isatty$handle() {
        return isatty.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int isatty(int fd)
     * }
     */
    public static MemorySegment isatty$address() {
        return isatty.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int isatty(int fd)
     * }
     */
    public static int isatty(int fd) {
        var mh$ = isatty.HANDLE;
        try {
            return (int) mh$.invokeExact(fd);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final int STDIN_FILENO = (int)0L;

    /**
     * {@snippet lang=c :
     * #define STDIN_FILENO 0
     * }
     */
    public static int STDIN_FILENO() {
        return STDIN_FILENO;
    }

    private static final int STDOUT_FILENO = (int)1L;

    /**
     * {@snippet lang=c :
     * #define STDOUT_FILENO 1
     * }
     */
    public static int STDOUT_FILENO() {
        return STDOUT_FILENO;
    }
}
