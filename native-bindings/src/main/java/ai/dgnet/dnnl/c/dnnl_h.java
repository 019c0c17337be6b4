// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import ai.dgnet.dnnl.DnnlLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The functions of {@code oneapi/dnnl/dnnl.h} that DG-Net uses: memory descriptors and memory, primitive
 * descriptors, primitives, attributes, post-ops, the CPU ISA and primitive cache controls, and {@code dnnl_sgemm}.
 * {@code BindingCheckTest} checks each one against the shipped header and library.
 */
@SuppressWarnings("restricted")
public class dnnl_h extends dnnl$shared {

    dnnl_h() {
        // Should not be called directly
    }

    private static class dnnl_primitive_desc_next_impl {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_desc_next_impl");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_next_impl(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_desc_next_impl$descriptor() {
        return dnnl_primitive_desc_next_impl.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_next_impl(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MethodHandle dnnl_primitive_desc_next_impl$handle() {
        return dnnl_primitive_desc_next_impl.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_next_impl(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MemorySegment dnnl_primitive_desc_next_impl$address() {
        return dnnl_primitive_desc_next_impl.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_next_impl(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static int dnnl_primitive_desc_next_impl(MemorySegment primitive_desc) {
        var mh$ = dnnl_primitive_desc_next_impl.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_desc_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_desc_destroy$descriptor() {
        return dnnl_primitive_desc_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MethodHandle dnnl_primitive_desc_destroy$handle() {
        return dnnl_primitive_desc_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MemorySegment dnnl_primitive_desc_destroy$address() {
        return dnnl_primitive_desc_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static int dnnl_primitive_desc_destroy(MemorySegment primitive_desc) {
        var mh$ = dnnl_primitive_desc_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_query {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_desc_query");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_query(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index, void *result)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_desc_query$descriptor() {
        return dnnl_primitive_desc_query.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_query(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index, void *result)
     * }
     */
    public static MethodHandle dnnl_primitive_desc_query$handle() {
        return dnnl_primitive_desc_query.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_query(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index, void *result)
     * }
     */
    public static MemorySegment dnnl_primitive_desc_query$address() {
        return dnnl_primitive_desc_query.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_desc_query(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index, void *result)
     * }
     */
    public static int dnnl_primitive_desc_query(MemorySegment primitive_desc, int what, int index, MemorySegment result) {
        var mh$ = dnnl_primitive_desc_query.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, what, index, result);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_query_md {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_POINTER,
            C_POINTER,
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_desc_query_md");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const_dnnl_memory_desc_t dnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_desc_query_md$descriptor() {
        return dnnl_primitive_desc_query_md.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const_dnnl_memory_desc_t dnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index)
     * }
     */
    public static MethodHandle dnnl_primitive_desc_query_md$handle() {
        return dnnl_primitive_desc_query_md.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const_dnnl_memory_desc_t dnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index)
     * }
     */
    public static MemorySegment dnnl_primitive_desc_query_md$address() {
        return dnnl_primitive_desc_query_md.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const_dnnl_memory_desc_t dnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index)
     * }
     */
    public static MemorySegment dnnl_primitive_desc_query_md(MemorySegment primitive_desc, int what, int index) {
        var mh$ = dnnl_primitive_desc_query_md.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(primitive_desc, what, index);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_create$descriptor() {
        return dnnl_primitive_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MethodHandle dnnl_primitive_create$handle() {
        return dnnl_primitive_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static MemorySegment dnnl_primitive_create$address() {
        return dnnl_primitive_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc)
     * }
     */
    public static int dnnl_primitive_create(MemorySegment primitive, MemorySegment primitive_desc) {
        var mh$ = dnnl_primitive_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive, primitive_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_execute {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_execute");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_execute$descriptor() {
        return dnnl_primitive_execute.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args)
     * }
     */
    public static MethodHandle dnnl_primitive_execute$handle() {
        return dnnl_primitive_execute.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args)
     * }
     */
    public static MemorySegment dnnl_primitive_execute$address() {
        return dnnl_primitive_execute.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args)
     * }
     */
    public static int dnnl_primitive_execute(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args) {
        var mh$ = dnnl_primitive_execute.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive, stream, nargs, args);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_destroy(dnnl_primitive_t primitive)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_destroy$descriptor() {
        return dnnl_primitive_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_destroy(dnnl_primitive_t primitive)
     * }
     */
    public static MethodHandle dnnl_primitive_destroy$handle() {
        return dnnl_primitive_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_destroy(dnnl_primitive_t primitive)
     * }
     */
    public static MemorySegment dnnl_primitive_destroy$address() {
        return dnnl_primitive_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_destroy(dnnl_primitive_t primitive)
     * }
     */
    public static int dnnl_primitive_destroy(MemorySegment primitive) {
        var mh$ = dnnl_primitive_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_create(dnnl_primitive_attr_t *attr)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_create$descriptor() {
        return dnnl_primitive_attr_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_create(dnnl_primitive_attr_t *attr)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_create$handle() {
        return dnnl_primitive_attr_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_create(dnnl_primitive_attr_t *attr)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_create$address() {
        return dnnl_primitive_attr_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_create(dnnl_primitive_attr_t *attr)
     * }
     */
    public static int dnnl_primitive_attr_create(MemorySegment attr) {
        var mh$ = dnnl_primitive_attr_create.HANDLE;
        try {
            return (int) mh$.invokeExact(attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_destroy$descriptor() {
        return dnnl_primitive_attr_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_destroy$handle() {
        return dnnl_primitive_attr_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_destroy$address() {
        return dnnl_primitive_attr_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_primitive_attr_destroy(MemorySegment attr) {
        var mh$ = dnnl_primitive_attr_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_get_fpmath_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_get_fpmath_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_get_fpmath_mode(const_dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t *mode)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_get_fpmath_mode$descriptor() {
        return dnnl_primitive_attr_get_fpmath_mode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_get_fpmath_mode(const_dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t *mode)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_get_fpmath_mode$handle() {
        return dnnl_primitive_attr_get_fpmath_mode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_get_fpmath_mode(const_dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t *mode)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_get_fpmath_mode$address() {
        return dnnl_primitive_attr_get_fpmath_mode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_get_fpmath_mode(const_dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t *mode)
     * }
     */
    public static int dnnl_primitive_attr_get_fpmath_mode(MemorySegment attr, MemorySegment mode) {
        var mh$ = dnnl_primitive_attr_get_fpmath_mode.HANDLE;
        try {
            return (int) mh$.invokeExact(attr, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_fpmath_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_set_fpmath_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_fpmath_mode(dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t mode)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_set_fpmath_mode$descriptor() {
        return dnnl_primitive_attr_set_fpmath_mode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_fpmath_mode(dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t mode)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_set_fpmath_mode$handle() {
        return dnnl_primitive_attr_set_fpmath_mode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_fpmath_mode(dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t mode)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_set_fpmath_mode$address() {
        return dnnl_primitive_attr_set_fpmath_mode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_fpmath_mode(dnnl_primitive_attr_t attr, dnnl_fpmath_mode_t mode)
     * }
     */
    public static int dnnl_primitive_attr_set_fpmath_mode(MemorySegment attr, int mode) {
        var mh$ = dnnl_primitive_attr_set_fpmath_mode.HANDLE;
        try {
            return (int) mh$.invokeExact(attr, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_scratchpad_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_set_scratchpad_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_set_scratchpad_mode$descriptor() {
        return dnnl_primitive_attr_set_scratchpad_mode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_set_scratchpad_mode$handle() {
        return dnnl_primitive_attr_set_scratchpad_mode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_set_scratchpad_mode$address() {
        return dnnl_primitive_attr_set_scratchpad_mode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode)
     * }
     */
    public static int dnnl_primitive_attr_set_scratchpad_mode(MemorySegment attr, int mode) {
        var mh$ = dnnl_primitive_attr_set_scratchpad_mode.HANDLE;
        try {
            return (int) mh$.invokeExact(attr, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_scales_mask {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_set_scales_mask");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scales_mask(dnnl_primitive_attr_t attr, int arg, int mask)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_set_scales_mask$descriptor() {
        return dnnl_primitive_attr_set_scales_mask.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scales_mask(dnnl_primitive_attr_t attr, int arg, int mask)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_set_scales_mask$handle() {
        return dnnl_primitive_attr_set_scales_mask.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scales_mask(dnnl_primitive_attr_t attr, int arg, int mask)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_set_scales_mask$address() {
        return dnnl_primitive_attr_set_scales_mask.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_scales_mask(dnnl_primitive_attr_t attr, int arg, int mask)
     * }
     */
    public static int dnnl_primitive_attr_set_scales_mask(MemorySegment attr, int arg, int mask) {
        var mh$ = dnnl_primitive_attr_set_scales_mask.HANDLE;
        try {
            return (int) mh$.invokeExact(attr, arg, mask);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_post_ops {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_primitive_attr_set_post_ops");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_post_ops(dnnl_primitive_attr_t attr, const_dnnl_post_ops_t post_ops)
     * }
     */
    public static FunctionDescriptor dnnl_primitive_attr_set_post_ops$descriptor() {
        return dnnl_primitive_attr_set_post_ops.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_post_ops(dnnl_primitive_attr_t attr, const_dnnl_post_ops_t post_ops)
     * }
     */
    public static MethodHandle dnnl_primitive_attr_set_post_ops$handle() {
        return dnnl_primitive_attr_set_post_ops.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_post_ops(dnnl_primitive_attr_t attr, const_dnnl_post_ops_t post_ops)
     * }
     */
    public static MemorySegment dnnl_primitive_attr_set_post_ops$address() {
        return dnnl_primitive_attr_set_post_ops.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_primitive_attr_set_post_ops(dnnl_primitive_attr_t attr, const_dnnl_post_ops_t post_ops)
     * }
     */
    public static int dnnl_primitive_attr_set_post_ops(MemorySegment attr, MemorySegment post_ops) {
        var mh$ = dnnl_primitive_attr_set_post_ops.HANDLE;
        try {
            return (int) mh$.invokeExact(attr, post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_create(dnnl_post_ops_t *post_ops)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_create$descriptor() {
        return dnnl_post_ops_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_create(dnnl_post_ops_t *post_ops)
     * }
     */
    public static MethodHandle dnnl_post_ops_create$handle() {
        return dnnl_post_ops_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_create(dnnl_post_ops_t *post_ops)
     * }
     */
    public static MemorySegment dnnl_post_ops_create$address() {
        return dnnl_post_ops_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_create(dnnl_post_ops_t *post_ops)
     * }
     */
    public static int dnnl_post_ops_create(MemorySegment post_ops) {
        var mh$ = dnnl_post_ops_create.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_destroy(dnnl_post_ops_t post_ops)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_destroy$descriptor() {
        return dnnl_post_ops_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_destroy(dnnl_post_ops_t post_ops)
     * }
     */
    public static MethodHandle dnnl_post_ops_destroy$handle() {
        return dnnl_post_ops_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_destroy(dnnl_post_ops_t post_ops)
     * }
     */
    public static MemorySegment dnnl_post_ops_destroy$address() {
        return dnnl_post_ops_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_destroy(dnnl_post_ops_t post_ops)
     * }
     */
    public static int dnnl_post_ops_destroy(MemorySegment post_ops) {
        var mh$ = dnnl_post_ops_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_len {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_len");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int dnnl_post_ops_len(const_dnnl_post_ops_t post_ops)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_len$descriptor() {
        return dnnl_post_ops_len.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int dnnl_post_ops_len(const_dnnl_post_ops_t post_ops)
     * }
     */
    public static MethodHandle dnnl_post_ops_len$handle() {
        return dnnl_post_ops_len.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int dnnl_post_ops_len(const_dnnl_post_ops_t post_ops)
     * }
     */
    public static MemorySegment dnnl_post_ops_len$address() {
        return dnnl_post_ops_len.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int dnnl_post_ops_len(const_dnnl_post_ops_t post_ops)
     * }
     */
    public static int dnnl_post_ops_len(MemorySegment post_ops) {
        var mh$ = dnnl_post_ops_len.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_sum {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_FLOAT,
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_append_sum");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_sum(dnnl_post_ops_t post_ops, float scale, int32_t zero_point, dnnl_data_type_t data_type)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_append_sum$descriptor() {
        return dnnl_post_ops_append_sum.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_sum(dnnl_post_ops_t post_ops, float scale, int32_t zero_point, dnnl_data_type_t data_type)
     * }
     */
    public static MethodHandle dnnl_post_ops_append_sum$handle() {
        return dnnl_post_ops_append_sum.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_sum(dnnl_post_ops_t post_ops, float scale, int32_t zero_point, dnnl_data_type_t data_type)
     * }
     */
    public static MemorySegment dnnl_post_ops_append_sum$address() {
        return dnnl_post_ops_append_sum.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_sum(dnnl_post_ops_t post_ops, float scale, int32_t zero_point, dnnl_data_type_t data_type)
     * }
     */
    public static int dnnl_post_ops_append_sum(MemorySegment post_ops, float scale, int zero_point, int data_type) {
        var mh$ = dnnl_post_ops_append_sum.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops, scale, zero_point, data_type);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_eltwise {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_FLOAT,
            C_FLOAT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_append_eltwise");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_eltwise(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, float alpha, float beta)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_append_eltwise$descriptor() {
        return dnnl_post_ops_append_eltwise.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_eltwise(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, float alpha, float beta)
     * }
     */
    public static MethodHandle dnnl_post_ops_append_eltwise$handle() {
        return dnnl_post_ops_append_eltwise.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_eltwise(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, float alpha, float beta)
     * }
     */
    public static MemorySegment dnnl_post_ops_append_eltwise$address() {
        return dnnl_post_ops_append_eltwise.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_eltwise(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, float alpha, float beta)
     * }
     */
    public static int dnnl_post_ops_append_eltwise(MemorySegment post_ops, int alg_kind, float alpha, float beta) {
        var mh$ = dnnl_post_ops_append_eltwise.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops, alg_kind, alpha, beta);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_dw {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_INT,
            C_INT,
            C_LONG,
            C_LONG,
            C_LONG
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_append_dw");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_dw(dnnl_post_ops_t post_ops, dnnl_data_type_t weights_data_type, dnnl_data_type_t bias_data_type, dnnl_data_type_t dst_data_type, dnnl_dim_t kernel_size, dnnl_dim_t stride_size, dnnl_dim_t padding_l_size)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_append_dw$descriptor() {
        return dnnl_post_ops_append_dw.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_dw(dnnl_post_ops_t post_ops, dnnl_data_type_t weights_data_type, dnnl_data_type_t bias_data_type, dnnl_data_type_t dst_data_type, dnnl_dim_t kernel_size, dnnl_dim_t stride_size, dnnl_dim_t padding_l_size)
     * }
     */
    public static MethodHandle dnnl_post_ops_append_dw$handle() {
        return dnnl_post_ops_append_dw.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_dw(dnnl_post_ops_t post_ops, dnnl_data_type_t weights_data_type, dnnl_data_type_t bias_data_type, dnnl_data_type_t dst_data_type, dnnl_dim_t kernel_size, dnnl_dim_t stride_size, dnnl_dim_t padding_l_size)
     * }
     */
    public static MemorySegment dnnl_post_ops_append_dw$address() {
        return dnnl_post_ops_append_dw.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_dw(dnnl_post_ops_t post_ops, dnnl_data_type_t weights_data_type, dnnl_data_type_t bias_data_type, dnnl_data_type_t dst_data_type, dnnl_dim_t kernel_size, dnnl_dim_t stride_size, dnnl_dim_t padding_l_size)
     * }
     */
    public static int dnnl_post_ops_append_dw(MemorySegment post_ops, int weights_data_type, int bias_data_type, int dst_data_type, long kernel_size, long stride_size, long padding_l_size) {
        var mh$ = dnnl_post_ops_append_dw.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops, weights_data_type, bias_data_type, dst_data_type, kernel_size, stride_size, padding_l_size);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_binary {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_post_ops_append_binary");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_binary(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src1_desc)
     * }
     */
    public static FunctionDescriptor dnnl_post_ops_append_binary$descriptor() {
        return dnnl_post_ops_append_binary.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_binary(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src1_desc)
     * }
     */
    public static MethodHandle dnnl_post_ops_append_binary$handle() {
        return dnnl_post_ops_append_binary.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_binary(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src1_desc)
     * }
     */
    public static MemorySegment dnnl_post_ops_append_binary$address() {
        return dnnl_post_ops_append_binary.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_post_ops_append_binary(dnnl_post_ops_t post_ops, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src1_desc)
     * }
     */
    public static int dnnl_post_ops_append_binary(MemorySegment post_ops, int alg_kind, MemorySegment src1_desc) {
        var mh$ = dnnl_post_ops_append_binary.HANDLE;
        try {
            return (int) mh$.invokeExact(post_ops, alg_kind, src1_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_destroy(dnnl_memory_desc_t memory_desc)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_destroy$descriptor() {
        return dnnl_memory_desc_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_destroy(dnnl_memory_desc_t memory_desc)
     * }
     */
    public static MethodHandle dnnl_memory_desc_destroy$handle() {
        return dnnl_memory_desc_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_destroy(dnnl_memory_desc_t memory_desc)
     * }
     */
    public static MemorySegment dnnl_memory_desc_destroy$address() {
        return dnnl_memory_desc_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_destroy(dnnl_memory_desc_t memory_desc)
     * }
     */
    public static int dnnl_memory_desc_destroy(MemorySegment memory_desc) {
        var mh$ = dnnl_memory_desc_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_clone {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_clone");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_clone(dnnl_memory_desc_t *memory_desc, const_dnnl_memory_desc_t existing_memory_desc)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_clone$descriptor() {
        return dnnl_memory_desc_clone.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_clone(dnnl_memory_desc_t *memory_desc, const_dnnl_memory_desc_t existing_memory_desc)
     * }
     */
    public static MethodHandle dnnl_memory_desc_clone$handle() {
        return dnnl_memory_desc_clone.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_clone(dnnl_memory_desc_t *memory_desc, const_dnnl_memory_desc_t existing_memory_desc)
     * }
     */
    public static MemorySegment dnnl_memory_desc_clone$address() {
        return dnnl_memory_desc_clone.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_clone(dnnl_memory_desc_t *memory_desc, const_dnnl_memory_desc_t existing_memory_desc)
     * }
     */
    public static int dnnl_memory_desc_clone(MemorySegment memory_desc, MemorySegment existing_memory_desc) {
        var mh$ = dnnl_memory_desc_clone.HANDLE;
        try {
            return (int) mh$.invokeExact(memory_desc, existing_memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_create_with_strides {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_POINTER,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_create_with_strides");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_strides(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, const dnnl_dims_t strides)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_create_with_strides$descriptor() {
        return dnnl_memory_desc_create_with_strides.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_strides(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, const dnnl_dims_t strides)
     * }
     */
    public static MethodHandle dnnl_memory_desc_create_with_strides$handle() {
        return dnnl_memory_desc_create_with_strides.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_strides(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, const dnnl_dims_t strides)
     * }
     */
    public static MemorySegment dnnl_memory_desc_create_with_strides$address() {
        return dnnl_memory_desc_create_with_strides.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_strides(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, const dnnl_dims_t strides)
     * }
     */
    public static int dnnl_memory_desc_create_with_strides(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, MemorySegment strides) {
        var mh$ = dnnl_memory_desc_create_with_strides.HANDLE;
        try {
            return (int) mh$.invokeExact(memory_desc, ndims, dims, data_type, strides);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_create_with_tag {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_POINTER,
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_create_with_tag");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_create_with_tag$descriptor() {
        return dnnl_memory_desc_create_with_tag.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag)
     * }
     */
    public static MethodHandle dnnl_memory_desc_create_with_tag$handle() {
        return dnnl_memory_desc_create_with_tag.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag)
     * }
     */
    public static MemorySegment dnnl_memory_desc_create_with_tag$address() {
        return dnnl_memory_desc_create_with_tag.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_create_with_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag)
     * }
     */
    public static int dnnl_memory_desc_create_with_tag(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, int tag) {
        var mh$ = dnnl_memory_desc_create_with_tag.HANDLE;
        try {
            return (int) mh$.invokeExact(memory_desc, ndims, dims, data_type, tag);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_reshape {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_reshape");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_reshape(dnnl_memory_desc_t *out_memory_desc, const_dnnl_memory_desc_t in_memory_desc, int ndims, const dnnl_dims_t dims)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_reshape$descriptor() {
        return dnnl_memory_desc_reshape.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_reshape(dnnl_memory_desc_t *out_memory_desc, const_dnnl_memory_desc_t in_memory_desc, int ndims, const dnnl_dims_t dims)
     * }
     */
    public static MethodHandle dnnl_memory_desc_reshape$handle() {
        return dnnl_memory_desc_reshape.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_reshape(dnnl_memory_desc_t *out_memory_desc, const_dnnl_memory_desc_t in_memory_desc, int ndims, const dnnl_dims_t dims)
     * }
     */
    public static MemorySegment dnnl_memory_desc_reshape$address() {
        return dnnl_memory_desc_reshape.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_reshape(dnnl_memory_desc_t *out_memory_desc, const_dnnl_memory_desc_t in_memory_desc, int ndims, const dnnl_dims_t dims)
     * }
     */
    public static int dnnl_memory_desc_reshape(MemorySegment out_memory_desc, MemorySegment in_memory_desc, int ndims, MemorySegment dims) {
        var mh$ = dnnl_memory_desc_reshape.HANDLE;
        try {
            return (int) mh$.invokeExact(out_memory_desc, in_memory_desc, ndims, dims);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_query {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_query");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_query(const_dnnl_memory_desc_t memory_desc, dnnl_query_t what, void *result)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_query$descriptor() {
        return dnnl_memory_desc_query.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_query(const_dnnl_memory_desc_t memory_desc, dnnl_query_t what, void *result)
     * }
     */
    public static MethodHandle dnnl_memory_desc_query$handle() {
        return dnnl_memory_desc_query.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_query(const_dnnl_memory_desc_t memory_desc, dnnl_query_t what, void *result)
     * }
     */
    public static MemorySegment dnnl_memory_desc_query$address() {
        return dnnl_memory_desc_query.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_desc_query(const_dnnl_memory_desc_t memory_desc, dnnl_query_t what, void *result)
     * }
     */
    public static int dnnl_memory_desc_query(MemorySegment memory_desc, int what, MemorySegment result) {
        var mh$ = dnnl_memory_desc_query.HANDLE;
        try {
            return (int) mh$.invokeExact(memory_desc, what, result);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_equal {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_equal");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int dnnl_memory_desc_equal(const_dnnl_memory_desc_t lhs, const_dnnl_memory_desc_t rhs)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_equal$descriptor() {
        return dnnl_memory_desc_equal.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int dnnl_memory_desc_equal(const_dnnl_memory_desc_t lhs, const_dnnl_memory_desc_t rhs)
     * }
     */
    public static MethodHandle dnnl_memory_desc_equal$handle() {
        return dnnl_memory_desc_equal.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int dnnl_memory_desc_equal(const_dnnl_memory_desc_t lhs, const_dnnl_memory_desc_t rhs)
     * }
     */
    public static MemorySegment dnnl_memory_desc_equal$address() {
        return dnnl_memory_desc_equal.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int dnnl_memory_desc_equal(const_dnnl_memory_desc_t lhs, const_dnnl_memory_desc_t rhs)
     * }
     */
    public static int dnnl_memory_desc_equal(MemorySegment lhs, MemorySegment rhs) {
        var mh$ = dnnl_memory_desc_equal.HANDLE;
        try {
            return (int) mh$.invokeExact(lhs, rhs);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_get_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_LONG,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_desc_get_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * size_t dnnl_memory_desc_get_size(const_dnnl_memory_desc_t memory_desc)
     * }
     */
    public static FunctionDescriptor dnnl_memory_desc_get_size$descriptor() {
        return dnnl_memory_desc_get_size.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * size_t dnnl_memory_desc_get_size(const_dnnl_memory_desc_t memory_desc)
     * }
     */
    public static MethodHandle dnnl_memory_desc_get_size$handle() {
        return dnnl_memory_desc_get_size.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * size_t dnnl_memory_desc_get_size(const_dnnl_memory_desc_t memory_desc)
     * }
     */
    public static MemorySegment dnnl_memory_desc_get_size$address() {
        return dnnl_memory_desc_get_size.ADDR;
    }

    /**
     * {@snippet lang=c :
     * size_t dnnl_memory_desc_get_size(const_dnnl_memory_desc_t memory_desc)
     * }
     */
    public static long dnnl_memory_desc_get_size(MemorySegment memory_desc) {
        var mh$ = dnnl_memory_desc_get_size.HANDLE;
        try {
            return (long) mh$.invokeExact(memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_data_type_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_LONG,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_data_type_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * size_t dnnl_data_type_size(dnnl_data_type_t data_type)
     * }
     */
    public static FunctionDescriptor dnnl_data_type_size$descriptor() {
        return dnnl_data_type_size.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * size_t dnnl_data_type_size(dnnl_data_type_t data_type)
     * }
     */
    public static MethodHandle dnnl_data_type_size$handle() {
        return dnnl_data_type_size.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * size_t dnnl_data_type_size(dnnl_data_type_t data_type)
     * }
     */
    public static MemorySegment dnnl_data_type_size$address() {
        return dnnl_data_type_size.ADDR;
    }

    /**
     * {@snippet lang=c :
     * size_t dnnl_data_type_size(dnnl_data_type_t data_type)
     * }
     */
    public static long dnnl_data_type_size(int data_type) {
        var mh$ = dnnl_data_type_size.HANDLE;
        try {
            return (long) mh$.invokeExact(data_type);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_create(dnnl_memory_t *memory, const_dnnl_memory_desc_t memory_desc, dnnl_engine_t engine, void *handle)
     * }
     */
    public static FunctionDescriptor dnnl_memory_create$descriptor() {
        return dnnl_memory_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_create(dnnl_memory_t *memory, const_dnnl_memory_desc_t memory_desc, dnnl_engine_t engine, void *handle)
     * }
     */
    public static MethodHandle dnnl_memory_create$handle() {
        return dnnl_memory_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_create(dnnl_memory_t *memory, const_dnnl_memory_desc_t memory_desc, dnnl_engine_t engine, void *handle)
     * }
     */
    public static MemorySegment dnnl_memory_create$address() {
        return dnnl_memory_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_create(dnnl_memory_t *memory, const_dnnl_memory_desc_t memory_desc, dnnl_engine_t engine, void *handle)
     * }
     */
    public static int dnnl_memory_create(MemorySegment memory, MemorySegment memory_desc, MemorySegment engine, MemorySegment handle) {
        var mh$ = dnnl_memory_create.HANDLE;
        try {
            return (int) mh$.invokeExact(memory, memory_desc, engine, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_get_memory_desc {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_get_memory_desc");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_memory_desc(const_dnnl_memory_t memory, const_dnnl_memory_desc_t *memory_desc)
     * }
     */
    public static FunctionDescriptor dnnl_memory_get_memory_desc$descriptor() {
        return dnnl_memory_get_memory_desc.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_memory_desc(const_dnnl_memory_t memory, const_dnnl_memory_desc_t *memory_desc)
     * }
     */
    public static MethodHandle dnnl_memory_get_memory_desc$handle() {
        return dnnl_memory_get_memory_desc.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_memory_desc(const_dnnl_memory_t memory, const_dnnl_memory_desc_t *memory_desc)
     * }
     */
    public static MemorySegment dnnl_memory_get_memory_desc$address() {
        return dnnl_memory_get_memory_desc.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_memory_desc(const_dnnl_memory_t memory, const_dnnl_memory_desc_t *memory_desc)
     * }
     */
    public static int dnnl_memory_get_memory_desc(MemorySegment memory, MemorySegment memory_desc) {
        var mh$ = dnnl_memory_get_memory_desc.HANDLE;
        try {
            return (int) mh$.invokeExact(memory, memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_get_data_handle {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_get_data_handle");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_data_handle(const_dnnl_memory_t memory, void **handle)
     * }
     */
    public static FunctionDescriptor dnnl_memory_get_data_handle$descriptor() {
        return dnnl_memory_get_data_handle.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_data_handle(const_dnnl_memory_t memory, void **handle)
     * }
     */
    public static MethodHandle dnnl_memory_get_data_handle$handle() {
        return dnnl_memory_get_data_handle.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_data_handle(const_dnnl_memory_t memory, void **handle)
     * }
     */
    public static MemorySegment dnnl_memory_get_data_handle$address() {
        return dnnl_memory_get_data_handle.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_get_data_handle(const_dnnl_memory_t memory, void **handle)
     * }
     */
    public static int dnnl_memory_get_data_handle(MemorySegment memory, MemorySegment handle) {
        var mh$ = dnnl_memory_get_data_handle.HANDLE;
        try {
            return (int) mh$.invokeExact(memory, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_set_data_handle {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_set_data_handle");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle)
     * }
     */
    public static FunctionDescriptor dnnl_memory_set_data_handle$descriptor() {
        return dnnl_memory_set_data_handle.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle)
     * }
     */
    public static MethodHandle dnnl_memory_set_data_handle$handle() {
        return dnnl_memory_set_data_handle.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle)
     * }
     */
    public static MemorySegment dnnl_memory_set_data_handle$address() {
        return dnnl_memory_set_data_handle.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle)
     * }
     */
    public static int dnnl_memory_set_data_handle(MemorySegment memory, MemorySegment handle) {
        var mh$ = dnnl_memory_set_data_handle.HANDLE;
        try {
            return (int) mh$.invokeExact(memory, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_memory_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_destroy(dnnl_memory_t memory)
     * }
     */
    public static FunctionDescriptor dnnl_memory_destroy$descriptor() {
        return dnnl_memory_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_destroy(dnnl_memory_t memory)
     * }
     */
    public static MethodHandle dnnl_memory_destroy$handle() {
        return dnnl_memory_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_destroy(dnnl_memory_t memory)
     * }
     */
    public static MemorySegment dnnl_memory_destroy$address() {
        return dnnl_memory_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_memory_destroy(dnnl_memory_t memory)
     * }
     */
    public static int dnnl_memory_destroy(MemorySegment memory) {
        var mh$ = dnnl_memory_destroy.HANDLE;
        try {
            return (int) mh$.invokeExact(memory);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_reorder_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_reorder_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const_dnnl_memory_desc_t src_desc, dnnl_engine_t src_engine, const_dnnl_memory_desc_t dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_reorder_primitive_desc_create$descriptor() {
        return dnnl_reorder_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const_dnnl_memory_desc_t src_desc, dnnl_engine_t src_engine, const_dnnl_memory_desc_t dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_reorder_primitive_desc_create$handle() {
        return dnnl_reorder_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const_dnnl_memory_desc_t src_desc, dnnl_engine_t src_engine, const_dnnl_memory_desc_t dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_reorder_primitive_desc_create$address() {
        return dnnl_reorder_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc, const_dnnl_memory_desc_t src_desc, dnnl_engine_t src_engine, const_dnnl_memory_desc_t dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_reorder_primitive_desc_create(MemorySegment reorder_primitive_desc, MemorySegment src_desc, MemorySegment src_engine, MemorySegment dst_desc, MemorySegment dst_engine, MemorySegment attr) {
        var mh$ = dnnl_reorder_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_sum_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_sum_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sum_primitive_desc_create(dnnl_primitive_desc_t *sum_primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t dst_desc, int n, const float *scales, const_dnnl_memory_desc_t const *src_descs, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_sum_primitive_desc_create$descriptor() {
        return dnnl_sum_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sum_primitive_desc_create(dnnl_primitive_desc_t *sum_primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t dst_desc, int n, const float *scales, const_dnnl_memory_desc_t const *src_descs, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_sum_primitive_desc_create$handle() {
        return dnnl_sum_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sum_primitive_desc_create(dnnl_primitive_desc_t *sum_primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t dst_desc, int n, const float *scales, const_dnnl_memory_desc_t const *src_descs, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_sum_primitive_desc_create$address() {
        return dnnl_sum_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sum_primitive_desc_create(dnnl_primitive_desc_t *sum_primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t dst_desc, int n, const float *scales, const_dnnl_memory_desc_t const *src_descs, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_sum_primitive_desc_create(MemorySegment sum_primitive_desc, MemorySegment engine, MemorySegment dst_desc, int n, MemorySegment scales, MemorySegment src_descs, MemorySegment attr) {
        var mh$ = dnnl_sum_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(sum_primitive_desc, engine, dst_desc, n, scales, src_descs, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_binary_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_binary_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_binary_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src0_desc, const_dnnl_memory_desc_t src1_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_binary_primitive_desc_create$descriptor() {
        return dnnl_binary_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_binary_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src0_desc, const_dnnl_memory_desc_t src1_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_binary_primitive_desc_create$handle() {
        return dnnl_binary_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_binary_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src0_desc, const_dnnl_memory_desc_t src1_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_binary_primitive_desc_create$address() {
        return dnnl_binary_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_binary_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src0_desc, const_dnnl_memory_desc_t src1_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_binary_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src0_desc, MemorySegment src1_desc, MemorySegment dst_desc, MemorySegment attr) {
        var mh$ = dnnl_binary_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, alg_kind, src0_desc, src1_desc, dst_desc, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_convolution_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_convolution_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_convolution_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_convolution_forward_primitive_desc_create$descriptor() {
        return dnnl_convolution_forward_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_convolution_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_convolution_forward_primitive_desc_create$handle() {
        return dnnl_convolution_forward_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_convolution_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_convolution_forward_primitive_desc_create$address() {
        return dnnl_convolution_forward_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_convolution_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_convolution_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment strides, MemorySegment dilates, MemorySegment padding_l, MemorySegment padding_r, MemorySegment attr) {
        var mh$ = dnnl_convolution_forward_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, weights_desc, bias_desc, dst_desc, strides, dilates, padding_l, padding_r, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_eltwise_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_FLOAT,
            C_FLOAT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_eltwise_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_eltwise_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, float alpha, float beta, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_eltwise_forward_primitive_desc_create$descriptor() {
        return dnnl_eltwise_forward_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_eltwise_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, float alpha, float beta, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_eltwise_forward_primitive_desc_create$handle() {
        return dnnl_eltwise_forward_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_eltwise_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, float alpha, float beta, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_eltwise_forward_primitive_desc_create$address() {
        return dnnl_eltwise_forward_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_eltwise_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, float alpha, float beta, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_eltwise_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, float alpha, float beta, MemorySegment attr) {
        var mh$ = dnnl_eltwise_forward_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, alpha, beta, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_pooling_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_pooling_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_pooling_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t kernel, const dnnl_dims_t dilation, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_pooling_forward_primitive_desc_create$descriptor() {
        return dnnl_pooling_forward_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_pooling_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t kernel, const dnnl_dims_t dilation, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_pooling_forward_primitive_desc_create$handle() {
        return dnnl_pooling_forward_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_pooling_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t kernel, const dnnl_dims_t dilation, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_pooling_forward_primitive_desc_create$address() {
        return dnnl_pooling_forward_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_pooling_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t kernel, const dnnl_dims_t dilation, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_pooling_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, MemorySegment strides, MemorySegment kernel, MemorySegment dilation, MemorySegment padding_l, MemorySegment padding_r, MemorySegment attr) {
        var mh$ = dnnl_pooling_forward_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, strides, kernel, dilation, padding_l, padding_r, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_inner_product_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_inner_product_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_inner_product_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_inner_product_forward_primitive_desc_create$descriptor() {
        return dnnl_inner_product_forward_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_inner_product_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_inner_product_forward_primitive_desc_create$handle() {
        return dnnl_inner_product_forward_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_inner_product_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_inner_product_forward_primitive_desc_create$address() {
        return dnnl_inner_product_forward_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_inner_product_forward_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_inner_product_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment attr) {
        var mh$ = dnnl_inner_product_forward_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, src_desc, weights_desc, bias_desc, dst_desc, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_matmul_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_matmul_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_matmul_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static FunctionDescriptor dnnl_matmul_primitive_desc_create$descriptor() {
        return dnnl_matmul_primitive_desc_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_matmul_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MethodHandle dnnl_matmul_primitive_desc_create$handle() {
        return dnnl_matmul_primitive_desc_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_matmul_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static MemorySegment dnnl_matmul_primitive_desc_create$address() {
        return dnnl_matmul_primitive_desc_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_matmul_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr)
     * }
     */
    public static int dnnl_matmul_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment attr) {
        var mh$ = dnnl_matmul_primitive_desc_create.HANDLE;
        try {
            return (int) mh$.invokeExact(primitive_desc, engine, src_desc, weights_desc, bias_desc, dst_desc, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_get_primitive_cache_capacity {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_get_primitive_cache_capacity");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_primitive_cache_capacity(int *capacity)
     * }
     */
    public static FunctionDescriptor dnnl_get_primitive_cache_capacity$descriptor() {
        return dnnl_get_primitive_cache_capacity.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_primitive_cache_capacity(int *capacity)
     * }
     */
    public static MethodHandle dnnl_get_primitive_cache_capacity$handle() {
        return dnnl_get_primitive_cache_capacity.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_primitive_cache_capacity(int *capacity)
     * }
     */
    public static MemorySegment dnnl_get_primitive_cache_capacity$address() {
        return dnnl_get_primitive_cache_capacity.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_get_primitive_cache_capacity(int *capacity)
     * }
     */
    public static int dnnl_get_primitive_cache_capacity(MemorySegment capacity) {
        var mh$ = dnnl_get_primitive_cache_capacity.HANDLE;
        try {
            return (int) mh$.invokeExact(capacity);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_set_primitive_cache_capacity {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_set_primitive_cache_capacity");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_primitive_cache_capacity(int capacity)
     * }
     */
    public static FunctionDescriptor dnnl_set_primitive_cache_capacity$descriptor() {
        return dnnl_set_primitive_cache_capacity.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_primitive_cache_capacity(int capacity)
     * }
     */
    public static MethodHandle dnnl_set_primitive_cache_capacity$handle() {
        return dnnl_set_primitive_cache_capacity.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_primitive_cache_capacity(int capacity)
     * }
     */
    public static MemorySegment dnnl_set_primitive_cache_capacity$address() {
        return dnnl_set_primitive_cache_capacity.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_primitive_cache_capacity(int capacity)
     * }
     */
    public static int dnnl_set_primitive_cache_capacity(int capacity) {
        var mh$ = dnnl_set_primitive_cache_capacity.HANDLE;
        try {
            return (int) mh$.invokeExact(capacity);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_set_max_cpu_isa {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_set_max_cpu_isa");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_max_cpu_isa(dnnl_cpu_isa_t isa)
     * }
     */
    public static FunctionDescriptor dnnl_set_max_cpu_isa$descriptor() {
        return dnnl_set_max_cpu_isa.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_max_cpu_isa(dnnl_cpu_isa_t isa)
     * }
     */
    public static MethodHandle dnnl_set_max_cpu_isa$handle() {
        return dnnl_set_max_cpu_isa.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_max_cpu_isa(dnnl_cpu_isa_t isa)
     * }
     */
    public static MemorySegment dnnl_set_max_cpu_isa$address() {
        return dnnl_set_max_cpu_isa.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_set_max_cpu_isa(dnnl_cpu_isa_t isa)
     * }
     */
    public static int dnnl_set_max_cpu_isa(int isa) {
        var mh$ = dnnl_set_max_cpu_isa.HANDLE;
        try {
            return (int) mh$.invokeExact(isa);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_get_effective_cpu_isa {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_get_effective_cpu_isa");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_cpu_isa_t dnnl_get_effective_cpu_isa()
     * }
     */
    public static FunctionDescriptor dnnl_get_effective_cpu_isa$descriptor() {
        return dnnl_get_effective_cpu_isa.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_cpu_isa_t dnnl_get_effective_cpu_isa()
     * }
     */
    public static MethodHandle dnnl_get_effective_cpu_isa$handle() {
        return dnnl_get_effective_cpu_isa.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_cpu_isa_t dnnl_get_effective_cpu_isa()
     * }
     */
    public static MemorySegment dnnl_get_effective_cpu_isa$address() {
        return dnnl_get_effective_cpu_isa.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_cpu_isa_t dnnl_get_effective_cpu_isa()
     * }
     */
    public static int dnnl_get_effective_cpu_isa() {
        var mh$ = dnnl_get_effective_cpu_isa.HANDLE;
        try {
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_sgemm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_CHAR,
            C_CHAR,
            C_LONG,
            C_LONG,
            C_LONG,
            C_FLOAT,
            C_POINTER,
            C_LONG,
            C_POINTER,
            C_LONG,
            C_FLOAT,
            C_POINTER,
            C_LONG
        );

        public static final MemorySegment ADDR = DnnlLibrary.findOrThrow("dnnl_sgemm");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc)
     * }
     */
    public static FunctionDescriptor dnnl_sgemm$descriptor() {
        return dnnl_sgemm.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc)
     * }
     */
    public static MethodHandle dnnl_sgemm$handle() {
        return dnnl_sgemm.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc)
     * }
     */
    public static MemorySegment dnnl_sgemm$address() {
        return dnnl_sgemm.ADDR;
    }

    /**
     * {@snippet lang=c :
     * dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc)
     * }
     */
    public static int dnnl_sgemm(byte transa, byte transb, long M, long N, long K, float alpha, MemorySegment A, long lda, MemorySegment B, long ldb, float beta, MemorySegment C, long ldc) {
        var mh$ = dnnl_sgemm.HANDLE;
        try {
            return (int) mh$.invokeExact(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
