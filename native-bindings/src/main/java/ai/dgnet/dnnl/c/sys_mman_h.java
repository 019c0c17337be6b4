// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The memory-mapping functions of the C library ({@code sys/mman.h}, Linux x86-64 values) that the runtime uses to
 * put large buffers on transparent huge pages and to count how much of them is resident. {@code BindingCheckTest}
 * checks them against an embedded copy of the glibc prototypes and values. The symbols resolve in the C library the
 * JVM runs on, as jextract's default lookup does, so nothing here loads oneDNN.
 */
@SuppressWarnings("restricted")
public class sys_mman_h extends dnnl$shared {

    sys_mman_h() {
        // Should not be called directly
    }

    private static final SymbolLookup LIBC = Linker.nativeLinker().defaultLookup();

    private static class mmap {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_POINTER,
            C_POINTER,
            C_LONG,
            C_INT,
            C_INT,
            C_INT,
            C_LONG
        );

        public static final MemorySegment ADDR = LIBC.findOrThrow("mmap");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
     * }
     */
    public static FunctionDescriptor mmap$descriptor() {
        return mmap.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
     * }
     */
    public static MethodHandle mmap$handle() {
        return mmap.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
     * }
     */
    public static MemorySegment mmap$address() {
        return mmap.ADDR;
    }

    /**
     * {@snippet lang=c :
     * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
     * }
     */
    public static MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset) {
        var mh$ = mmap.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(addr, length, prot, flags, fd, offset);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class munmap {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_LONG
        );

        public static final MemorySegment ADDR = LIBC.findOrThrow("munmap");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int munmap(void *addr, size_t length)
     * }
     */
    public static FunctionDescriptor munmap$descriptor() {
        return munmap.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int munmap(void *addr, size_t length)
     * }
     */
    public static MethodHandle munmap$handle() {
        return munmap.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int munmap(void *addr, size_t length)
     * }
     */
    public static MemorySegment munmap$address() {
        return munmap.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int munmap(void *addr, size_t length)
     * }
     */
    public static int munmap(MemorySegment addr, long length) {
        var mh$ = munmap.HANDLE;
        try {
            return (int) mh$.invokeExact(addr, length);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class madvise {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_LONG,
            C_INT
        );

        public static final MemorySegment ADDR = LIBC.findOrThrow("madvise");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int madvise(void *addr, size_t length, int advice)
     * }
     */
    public static FunctionDescriptor madvise$descriptor() {
        return madvise.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int madvise(void *addr, size_t length, int advice)
     * }
     */
    public static MethodHandle madvise$handle() {
        return madvise.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int madvise(void *addr, size_t length, int advice)
     * }
     */
    public static MemorySegment madvise$address() {
        return madvise.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int madvise(void *addr, size_t length, int advice)
     * }
     */
    public static int madvise(MemorySegment addr, long length, int advice) {
        var mh$ = madvise.HANDLE;
        try {
            return (int) mh$.invokeExact(addr, length, advice);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class mincore {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            C_INT,
            C_POINTER,
            C_LONG,
            C_POINTER
        );

        public static final MemorySegment ADDR = LIBC.findOrThrow("mincore");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int mincore(void *addr, size_t length, unsigned char *vec)
     * }
     */
    public static FunctionDescriptor mincore$descriptor() {
        return mincore.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int mincore(void *addr, size_t length, unsigned char *vec)
     * }
     */
    public static MethodHandle mincore$handle() {
        return mincore.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int mincore(void *addr, size_t length, unsigned char *vec)
     * }
     */
    public static MemorySegment mincore$address() {
        return mincore.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int mincore(void *addr, size_t length, unsigned char *vec)
     * }
     */
    public static int mincore(MemorySegment addr, long length, MemorySegment vec) {
        var mh$ = mincore.HANDLE;
        try {
            return (int) mh$.invokeExact(addr, length, vec);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final int PROT_READ = (int)1L;

    /**
     * {@snippet lang=c :
     * #define PROT_READ 0x1
     * }
     */
    public static int PROT_READ() {
        return PROT_READ;
    }

    private static final int PROT_WRITE = (int)2L;

    /**
     * {@snippet lang=c :
     * #define PROT_WRITE 0x2
     * }
     */
    public static int PROT_WRITE() {
        return PROT_WRITE;
    }

    private static final int MAP_PRIVATE = (int)2L;

    /**
     * {@snippet lang=c :
     * #define MAP_PRIVATE 0x02
     * }
     */
    public static int MAP_PRIVATE() {
        return MAP_PRIVATE;
    }

    private static final int MAP_ANONYMOUS = (int)32L;

    /**
     * {@snippet lang=c :
     * #define MAP_ANONYMOUS 0x20
     * }
     */
    public static int MAP_ANONYMOUS() {
        return MAP_ANONYMOUS;
    }

    private static final int MADV_HUGEPAGE = (int)14L;

    /**
     * {@snippet lang=c :
     * #define MADV_HUGEPAGE 14
     * }
     */
    public static int MADV_HUGEPAGE() {
        return MADV_HUGEPAGE;
    }

    private static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);

    /**
     * {@snippet lang=c :
     * #define MAP_FAILED ((void *) -1)
     * }
     */
    public static MemorySegment MAP_FAILED() {
        return MAP_FAILED;
    }
}
