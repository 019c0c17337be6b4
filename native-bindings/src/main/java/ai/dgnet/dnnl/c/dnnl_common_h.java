// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import ai.dgnet.dnnl.DnnlLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The functions of {@code oneapi/dnnl/dnnl_common.h} that DG-Net uses: engines, streams, the default fpmath mode,
 * verbosity and the library version. {@code BindingCheckTest} checks each one against the shipped header and library.
 */
@SuppressWarnings("restricted")
public class dnnl_common_h extends dnnl$shared {

    dnnl_common_h() {
        // Should not be called directly
    }

    private static class dnnl_engine_get_count {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_LONG,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_engine_get_count");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * size_t dnnl_engine_get_count(dnnl_engine_kind_t kind)
     * }
     */
    public static FunctionDescriptor dnnl_engine_get_count$descriptor() {
        return dnnl_engine_get_count.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * size_t dnnl_engine_get_count(dnnl_engine_kind_t kind)
     * }
     */
    public static MethodHandle dnnl_engine_get_count$handle() {
        return dnnl_engine_get_count.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * size_t dnnl_engine_get_count(dnnl_engine_kind_t kind)
     * }
     */
    public static MemorySegment dnnl_engine_get_count$address() {
        return dnnl_engine_get_count.ADDR;
    }

    /**
     * {@snippet lang=c :
     * size_t dnnl_engine_get_count(dnnl_engine_kind_t kind)
     * }
     */
    public static long dnnl_engine_get_count(int kind) {
        var mh$ = dnnl_engine_get_count.HANDLE;
        try {
            return (long) mh$.invokeExact(kind);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_engine_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_LONG
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_engine_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index)
     * }
     */
    public static FunctionDescriptor dnnl_engine_create$descriptor() {
        return dnnl_engine_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index)
     * }
     */
    public static MethodHandle dnnl_engine_create$handle() {
        return dnnl_engine_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index)
     * }
     */
    public static MemorySegment dnnl_engine_create$address() {
        return dnnl_engine_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index)
     * }
     */
    public static int dnnl_engine_create(MemorySegment engine, int kind, long index) {
        var mh$ = dnnl_engine_create.HANDLE;
        try {
            return (int) mh$.invokeExact(engine, kind, index);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_engine_get_kind {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_engine_get_kind");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_get_kind(dnnl_engine_t engine, dnnl_engine_kind_t *kind)
     * }
     */
    public static FunctionDescriptor dnnl_engine_get_kind$descriptor() {
        return dnnl_engine_get_kind.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_get_kind(dnnl_engine_t engine, dnnl_engine_kind_t *kind)
     * }
     */
    public static MethodHandle dnnl_engine_get_kind$handle() {
        return dnnl_engine_get_kind.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_get_kind(dnnl_engine_t engine, dnnl_engine_kind_t *kind)
     * }
     */
    public static MemorySegment dnnl_engine_get_kind$address() {
        return dnnl_engine_get_kind.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_get_kind(dnnl_engine_t engine, dnnl_engine_kind_t *kind)
     * }
     */
    public static int dnnl_engine_get_kind(MemorySegment engine, MemorySegment kind) {
        var mh$ = dnnl_engine_get_kind.HANDLE;
        try {
            return (int) mh$.invokeExact(engine, kind);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_engine_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_engine_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_destroy(dnnl_engine_t engine)
     * }
     */
    public static FunctionDescriptor dnnl_engine_destroy$descriptor() {
        return dnnl_engine_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_destroy(dnnl_engine_t engine)
     * }
     */
    public static MethodHandle dnnl_engine_destroy$handle() {
        return dnnl_engine_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_destroy(dnnl_engine_t engine)
     * }
     */
    public static MemorySegment dnnl_engine_destroy$address() {
        return dnnl_engine_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_engine_destroy(dnnl_engine_t engine)
     * }
     */
    public static int dnnl_engine_destroy(MemorySegment engine) {
        var mh$ = dnnl_engine_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(engine);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_stream_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags)
     * }
     */
    public static FunctionDescriptor dnnl_stream_create$descriptor() {
        return dnnl_stream_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags)
     * }
     */
    public static MethodHandle dnnl_stream_create$handle() {
        return dnnl_stream_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags)
     * }
     */
    public static MemorySegment dnnl_stream_create$address() {
        return dnnl_stream_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags)
     * }
     */
    public static int dnnl_stream_create(MemorySegment stream, MemorySegment engine, int flags) {
        var mh$ = dnnl_stream_create.HANDLE;
        try {
            return (int) mh$.invokeExact(stream, engine, flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_wait {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_stream_wait");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_wait(dnnl_stream_t stream)
     * }
     */
    public static FunctionDescriptor dnnl_stream_wait$descriptor() {
        return dnnl_stream_wait.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_wait(dnnl_stream_t stream)
     * }
     */
    public static MethodHandle dnnl_stream_wait$handle() {
        return dnnl_stream_wait.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_wait(dnnl_stream_t stream)
     * }
     */
    public static MemorySegment dnnl_stream_wait$address() {
        return dnnl_stream_wait.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_wait(dnnl_stream_t stream)
     * }
     */
    public static int dnnl_stream_wait(MemorySegment stream) {
        var mh$ = dnnl_stream_wait.HANDLE;
        try {
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_stream_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_destroy(dnnl_stream_t stream)
     * }
     */
    public static FunctionDescriptor dnnl_stream_destroy$descriptor() {
        return dnnl_stream_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_destroy(dnnl_stream_t stream)
     * }
     */
    public static MethodHandle dnnl_stream_destroy$handle() {
        return dnnl_stream_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_destroy(dnnl_stream_t stream)
     * }
     */
    public static MemorySegment dnnl_stream_destroy$address() {
        return dnnl_stream_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_stream_destroy(dnnl_stream_t stream)
     * }
     */
    public static int dnnl_stream_destroy(MemorySegment stream) {
        var mh$ = dnnl_stream_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_get_default_fpmath_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_get_default_fpmath_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_default_fpmath_mode(dnnl_fpmath_mode_t *mode)
     * }
     */
    public static FunctionDescriptor dnnl_get_default_fpmath_mode$descriptor() {
        return dnnl_get_default_fpmath_mode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_default_fpmath_mode(dnnl_fpmath_mode_t *mode)
     * }
     */
    public static MethodHandle dnnl_get_default_fpmath_mode$handle() {
        return dnnl_get_default_fpmath_mode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_default_fpmath_mode(dnnl_fpmath_mode_t *mode)
     * }
     */
    public static MemorySegment dnnl_get_default_fpmath_mode$address() {
        return dnnl_get_default_fpmath_mode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_default_fpmath_mode(dnnl_fpmath_mode_t *mode)
     * }
     */
    public static int dnnl_get_default_fpmath_mode(MemorySegment mode) {
        var mh$ = dnnl_get_default_fpmath_mode.HANDLE;
        try {
            return (int) mh$.invokeExact(mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_set_default_fpmath_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_set_default_fpmath_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_default_fpmath_mode(dnnl_fpmath_mode_t mode)
     * }
     */
    public static FunctionDescriptor dnnl_set_default_fpmath_mode$descriptor() {
        return dnnl_set_default_fpmath_mode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_default_fpmath_mode(dnnl_fpmath_mode_t mode)
     * }
     */
    public static MethodHandle dnnl_set_default_fpmath_mode$handle() {
        return dnnl_set_default_fpmath_mode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_default_fpmath_mode(dnnl_fpmath_mode_t mode)
     * }
     */
    public static MemorySegment dnnl_set_default_fpmath_mode$address() {
        return dnnl_set_default_fpmath_mode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_default_fpmath_mode(dnnl_fpmath_mode_t mode)
     * }
     */
    public static int dnnl_set_default_fpmath_mode(int mode) {
        var mh$ = dnnl_set_default_fpmath_mode.HANDLE;
        try {
            return (int) mh$.invokeExact(mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_set_verbose {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_set_verbose");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_verbose(int level)
     * }
     */
    public static FunctionDescriptor dnnl_set_verbose$descriptor() {
        return dnnl_set_verbose.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_verbose(int level)
     * }
     */
    public static MethodHandle dnnl_set_verbose$handle() {
        return dnnl_set_verbose.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_verbose(int level)
     * }
     */
    public static MemorySegment dnnl_set_verbose$address() {
        return dnnl_set_verbose.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_verbose(int level)
     * }
     */
    public static int dnnl_set_verbose(int level) {
        var mh$ = dnnl_set_verbose.HANDLE;
        try {
            return (int) mh$.invokeExact(level);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const dnnl_version_t *dnnl_version()
     * }
     */
    public static FunctionDescriptor dnnl_version$descriptor() {
        return dnnl_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const dnnl_version_t *dnnl_version()
     * }
     */
    public static MethodHandle dnnl_version$handle() {
        return dnnl_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const dnnl_version_t *dnnl_version()
     * }
     */
    public static MemorySegment dnnl_version$address() {
        return dnnl_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const dnnl_version_t *dnnl_version()
     * }
     */
    public static MemorySegment dnnl_version() {
        var mh$ = dnnl_version.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
