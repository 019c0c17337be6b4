// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.function.Consumer;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.OfInt;

/**
 * What {@code dnnl_version()} returns, from {@code oneapi/dnnl/dnnl_common_types.h}. 32 bytes: 4 bytes of padding
 * after {@code patch} align {@code hash}. {@code cpu_runtime} is one of the {@code DNNL_RUNTIME_*} values of
 * {@link dnnl_config_h}.
 *
 * {@snippet lang=c :
 * typedef struct {
 *     int major;
 *     int minor;
 *     int patch;
 *     const char *hash;
 *     unsigned cpu_runtime;
 *     unsigned gpu_runtime;
 * } dnnl_version_t
 * }
 */
@SuppressWarnings("restricted")
public class dnnl_version_t {

    dnnl_version_t() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        dnnl$shared.C_INT.withName("major"),
        dnnl$shared.C_INT.withName("minor"),
        dnnl$shared.C_INT.withName("patch"),
        MemoryLayout.paddingLayout(4),
        dnnl$shared.C_POINTER.withName("hash"),
        dnnl$shared.C_INT.withName("cpu_runtime"),
        dnnl$shared.C_INT.withName("gpu_runtime")
    ).withName("dnnl_version_t");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt major$LAYOUT = (OfInt) $LAYOUT.select(groupElement("major"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int major
     * }
     */
    public static final OfInt major$layout() {
        return major$LAYOUT;
    }

    private static final long major$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int major
     * }
     */
    public static final long major$offset() {
        return major$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int major
     * }
     */
    public static int major(MemorySegment struct) {
        return struct.get(major$LAYOUT, major$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int major
     * }
     */
    public static void major(MemorySegment struct, int fieldValue) {
        struct.set(major$LAYOUT, major$OFFSET, fieldValue);
    }

    private static final OfInt minor$LAYOUT = (OfInt) $LAYOUT.select(groupElement("minor"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int minor
     * }
     */
    public static final OfInt minor$layout() {
        return minor$LAYOUT;
    }

    private static final long minor$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int minor
     * }
     */
    public static final long minor$offset() {
        return minor$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int minor
     * }
     */
    public static int minor(MemorySegment struct) {
        return struct.get(minor$LAYOUT, minor$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int minor
     * }
     */
    public static void minor(MemorySegment struct, int fieldValue) {
        struct.set(minor$LAYOUT, minor$OFFSET, fieldValue);
    }

    private static final OfInt patch$LAYOUT = (OfInt) $LAYOUT.select(groupElement("patch"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int patch
     * }
     */
    public static final OfInt patch$layout() {
        return patch$LAYOUT;
    }

    private static final long patch$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int patch
     * }
     */
    public static final long patch$offset() {
        return patch$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int patch
     * }
     */
    public static int patch(MemorySegment struct) {
        return struct.get(patch$LAYOUT, patch$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int patch
     * }
     */
    public static void patch(MemorySegment struct, int fieldValue) {
        struct.set(patch$LAYOUT, patch$OFFSET, fieldValue);
    }

    private static final AddressLayout hash$LAYOUT = (AddressLayout) $LAYOUT.select(groupElement("hash"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const char *hash
     * }
     */
    public static final AddressLayout hash$layout() {
        return hash$LAYOUT;
    }

    private static final long hash$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const char *hash
     * }
     */
    public static final long hash$offset() {
        return hash$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const char *hash
     * }
     */
    public static MemorySegment hash(MemorySegment struct) {
        return struct.get(hash$LAYOUT, hash$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const char *hash
     * }
     */
    public static void hash(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(hash$LAYOUT, hash$OFFSET, fieldValue);
    }

    private static final OfInt cpu_runtime$LAYOUT = (OfInt) $LAYOUT.select(groupElement("cpu_runtime"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned cpu_runtime
     * }
     */
    public static final OfInt cpu_runtime$layout() {
        return cpu_runtime$LAYOUT;
    }

    private static final long cpu_runtime$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned cpu_runtime
     * }
     */
    public static final long cpu_runtime$offset() {
        return cpu_runtime$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned cpu_runtime
     * }
     */
    public static int cpu_runtime(MemorySegment struct) {
        return struct.get(cpu_runtime$LAYOUT, cpu_runtime$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned cpu_runtime
     * }
     */
    public static void cpu_runtime(MemorySegment struct, int fieldValue) {
        struct.set(cpu_runtime$LAYOUT, cpu_runtime$OFFSET, fieldValue);
    }

    private static final OfInt gpu_runtime$LAYOUT = (OfInt) $LAYOUT.select(groupElement("gpu_runtime"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned gpu_runtime
     * }
     */
    public static final OfInt gpu_runtime$layout() {
        return gpu_runtime$LAYOUT;
    }

    private static final long gpu_runtime$OFFSET = 28;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned gpu_runtime
     * }
     */
    public static final long gpu_runtime$offset() {
        return gpu_runtime$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned gpu_runtime
     * }
     */
    public static int gpu_runtime(MemorySegment struct) {
        return struct.get(gpu_runtime$LAYOUT, gpu_runtime$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned gpu_runtime
     * }
     */
    public static void gpu_runtime(MemorySegment struct, int fieldValue) {
        struct.set(gpu_runtime$LAYOUT, gpu_runtime$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() {
        return layout().byteSize();
    }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
