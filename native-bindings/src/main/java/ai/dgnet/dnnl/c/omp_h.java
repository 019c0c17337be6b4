// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import ai.dgnet.dnnl.DnnlLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The OpenMP runtime functions DG-Net uses to size oneDNN's thread pool and to tell its threads apart. No
 * {@code omp.h} ships with oneDNN, so these follow the OpenMP API ({@code omp.h} of GCC's libgomp);
 * {@code BindingCheckTest} checks them against an embedded copy of those prototypes. The symbols resolve in the OpenMP runtime that libdnnl itself is linked to
 * (see {@link ai.dgnet.dnnl.DnnlLibrary}), so the thread count set here is the one oneDNN uses.
 */
@SuppressWarnings("restricted")
public class omp_h extends dnnl$shared {

    omp_h() {
        // Should not be called directly
    }

    private static class omp_set_num_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("omp_set_num_threads");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * void omp_set_num_threads(int num_threads)
     * }
     */
    public static FunctionDescriptor omp_set_num_threads$descriptor() {
        return omp_set_num_threads.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * void omp_set_num_threads(int num_threads)
     * }
     */
    public static MethodHandle omp_set_num_threads$handle() {
        return omp_set_num_threads.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * void omp_set_num_threads(int num_threads)
     * }
     */
    public static MemorySegment omp_set_num_threads$address() {
        return omp_set_num_threads.ADDR;
    }

    /**
     * {@snippet lang=c :
     * void omp_set_num_threads(int num_threads)
     * }
     */
    public static void omp_set_num_threads(int num_threads) {
        var mh$ = omp_set_num_threads.HANDLE;
        try {
            mh$.invokeExact(num_threads);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class omp_get_max_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("omp_get_max_threads");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int omp_get_max_threads()
     * }
     */
    public static FunctionDescriptor omp_get_max_threads$descriptor() {
        return omp_get_max_threads.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int omp_get_max_threads()
     * }
     */
    public static MethodHandle omp_get_max_threads$handle() {
        return omp_get_max_threads.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int omp_get_max_threads()
     * }
     */
    public static MemorySegment omp_get_max_threads$address() {
        return omp_get_max_threads.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int omp_get_max_threads()
     * }
     */
    public static int omp_get_max_threads() {
        var mh$ = omp_get_max_threads.HANDLE;
        try {
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class omp_get_num_procs {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("omp_get_num_procs");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int omp_get_num_procs()
     * }
     */
    public static FunctionDescriptor omp_get_num_procs$descriptor() {
        return omp_get_num_procs.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int omp_get_num_procs()
     * }
     */
    public static MethodHandle omp_get_num_procs$handle() {
        return omp_get_num_procs.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int omp_get_num_procs()
     * }
     */
    public static MemorySegment omp_get_num_procs$address() {
        return omp_get_num_procs.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int omp_get_num_procs()
     * }
     */
    public static int omp_get_num_procs() {
        var mh$ = omp_get_num_procs.HANDLE;
        try {
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class omp_get_thread_num {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("omp_get_thread_num");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int omp_get_thread_num()
     * }
     */
    public static FunctionDescriptor omp_get_thread_num$descriptor() {
        return omp_get_thread_num.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int omp_get_thread_num()
     * }
     */
    public static MethodHandle omp_get_thread_num$handle() {
        return omp_get_thread_num.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int omp_get_thread_num()
     * }
     */
    public static MemorySegment omp_get_thread_num$address() {
        return omp_get_thread_num.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int omp_get_thread_num()
     * }
     */
    public static int omp_get_thread_num() {
        var mh$ = omp_get_thread_num.HANDLE;
        try {
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
