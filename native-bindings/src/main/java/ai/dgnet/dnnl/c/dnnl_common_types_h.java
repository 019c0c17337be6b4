// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import java.lang.foreign.MemorySegment;

/**
 * The constants of {@code oneapi/dnnl/dnnl_common_types.h} that DG-Net uses: status codes, data types, engine
 * kinds, stream flags, fpmath modes and the special memory handles. {@code BindingCheckTest} compares each value
 * with the shipped header.
 */
public class dnnl_common_types_h extends dnnl$shared {

    dnnl_common_types_h() {
        // Should not be called directly
    }

    private static final int dnnl_success = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_success = 0
     * }
     */
    public static int dnnl_success() {
        return dnnl_success;
    }

    private static final int dnnl_out_of_memory = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_out_of_memory = 1
     * }
     */
    public static int dnnl_out_of_memory() {
        return dnnl_out_of_memory;
    }

    private static final int dnnl_invalid_arguments = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_invalid_arguments = 2
     * }
     */
    public static int dnnl_invalid_arguments() {
        return dnnl_invalid_arguments;
    }

    private static final int dnnl_unimplemented = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_unimplemented = 3
     * }
     */
    public static int dnnl_unimplemented() {
        return dnnl_unimplemented;
    }

    private static final int dnnl_last_impl_reached = (int)4L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_last_impl_reached = 4
     * }
     */
    public static int dnnl_last_impl_reached() {
        return dnnl_last_impl_reached;
    }

    private static final int dnnl_runtime_error = (int)5L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_runtime_error = 5
     * }
     */
    public static int dnnl_runtime_error() {
        return dnnl_runtime_error;
    }

    private static final int dnnl_not_required = (int)6L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_not_required = 6
     * }
     */
    public static int dnnl_not_required() {
        return dnnl_not_required;
    }

    private static final int dnnl_invalid_graph = (int)7L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_invalid_graph = 7
     * }
     */
    public static int dnnl_invalid_graph() {
        return dnnl_invalid_graph;
    }

    private static final int dnnl_invalid_graph_op = (int)8L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_invalid_graph_op = 8
     * }
     */
    public static int dnnl_invalid_graph_op() {
        return dnnl_invalid_graph_op;
    }

    private static final int dnnl_invalid_shape = (int)9L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_invalid_shape = 9
     * }
     */
    public static int dnnl_invalid_shape() {
        return dnnl_invalid_shape;
    }

    private static final int dnnl_invalid_data_type = (int)10L;

    /**
     * {@snippet lang=c :
     * enum dnnl_status_t.dnnl_invalid_data_type = 10
     * }
     */
    public static int dnnl_invalid_data_type() {
        return dnnl_invalid_data_type;
    }

    private static final int dnnl_data_type_undef = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_data_type_undef = 0
     * }
     */
    public static int dnnl_data_type_undef() {
        return dnnl_data_type_undef;
    }

    private static final int dnnl_f16 = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_f16 = 1
     * }
     */
    public static int dnnl_f16() {
        return dnnl_f16;
    }

    private static final int dnnl_bf16 = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_bf16 = 2
     * }
     */
    public static int dnnl_bf16() {
        return dnnl_bf16;
    }

    private static final int dnnl_f32 = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_f32 = 3
     * }
     */
    public static int dnnl_f32() {
        return dnnl_f32;
    }

    private static final int dnnl_s32 = (int)4L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_s32 = 4
     * }
     */
    public static int dnnl_s32() {
        return dnnl_s32;
    }

    private static final int dnnl_s8 = (int)5L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_s8 = 5
     * }
     */
    public static int dnnl_s8() {
        return dnnl_s8;
    }

    private static final int dnnl_u8 = (int)6L;

    /**
     * {@snippet lang=c :
     * enum dnnl_data_type_t.dnnl_u8 = 6
     * }
     */
    public static int dnnl_u8() {
        return dnnl_u8;
    }

    private static final int DNNL_MAX_NDIMS = (int)12L;

    /**
     * {@snippet lang=c :
     * #define DNNL_MAX_NDIMS 12
     * }
     */
    public static int DNNL_MAX_NDIMS() {
        return DNNL_MAX_NDIMS;
    }

    private static final int dnnl_fpmath_mode_strict = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_fpmath_mode_t.dnnl_fpmath_mode_strict = 0
     * }
     */
    public static int dnnl_fpmath_mode_strict() {
        return dnnl_fpmath_mode_strict;
    }

    private static final int dnnl_fpmath_mode_bf16 = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_fpmath_mode_t.dnnl_fpmath_mode_bf16 = 1
     * }
     */
    public static int dnnl_fpmath_mode_bf16() {
        return dnnl_fpmath_mode_bf16;
    }

    private static final int dnnl_fpmath_mode_f16 = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_fpmath_mode_t.dnnl_fpmath_mode_f16 = 2
     * }
     */
    public static int dnnl_fpmath_mode_f16() {
        return dnnl_fpmath_mode_f16;
    }

    private static final int dnnl_fpmath_mode_any = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_fpmath_mode_t.dnnl_fpmath_mode_any = 3
     * }
     */
    public static int dnnl_fpmath_mode_any() {
        return dnnl_fpmath_mode_any;
    }

    private static final int dnnl_fpmath_mode_tf32 = (int)4L;

    /**
     * {@snippet lang=c :
     * enum dnnl_fpmath_mode_t.dnnl_fpmath_mode_tf32 = 4
     * }
     */
    public static int dnnl_fpmath_mode_tf32() {
        return dnnl_fpmath_mode_tf32;
    }

    private static final int dnnl_any_engine = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_engine_kind_t.dnnl_any_engine = 0
     * }
     */
    public static int dnnl_any_engine() {
        return dnnl_any_engine;
    }

    private static final int dnnl_cpu = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_engine_kind_t.dnnl_cpu = 1
     * }
     */
    public static int dnnl_cpu() {
        return dnnl_cpu;
    }

    private static final int dnnl_stream_in_order = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_stream_flags_t.dnnl_stream_in_order = 1
     * }
     */
    public static int dnnl_stream_in_order() {
        return dnnl_stream_in_order;
    }

    private static final int dnnl_stream_default_flags = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_stream_flags_t.dnnl_stream_default_flags = 1
     * }
     */
    public static int dnnl_stream_default_flags() {
        return dnnl_stream_default_flags;
    }

    private static final MemorySegment DNNL_MEMORY_NONE = MemorySegment.ofAddress(0L);

    /**
     * {@snippet lang=c :
     * #define DNNL_MEMORY_NONE (NULL)
     * }
     */
    public static MemorySegment DNNL_MEMORY_NONE() {
        return DNNL_MEMORY_NONE;
    }

    private static final MemorySegment DNNL_MEMORY_ALLOCATE = MemorySegment.ofAddress(-1L);

    /**
     * {@snippet lang=c :
     * #define DNNL_MEMORY_ALLOCATE ((void *)(size_t) - 1)
     * }
     */
    public static MemorySegment DNNL_MEMORY_ALLOCATE() {
        return DNNL_MEMORY_ALLOCATE;
    }
}
