// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

/**
 * The constants of {@code oneapi/dnnl/dnnl_types.h} that DG-Net uses: format kinds and tags, propagation and
 * algorithm kinds, scratchpad modes, queries, CPU ISAs and execution argument indices. {@code BindingCheckTest}
 * compares each value with the shipped header.
 */
public class dnnl_types_h extends dnnl$shared {

    dnnl_types_h() {
        // Should not be called directly
    }

    private static final int dnnl_format_kind_undef = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_kind_t.dnnl_format_kind_undef = 0
     * }
     */
    public static int dnnl_format_kind_undef() {
        return dnnl_format_kind_undef;
    }

    private static final int dnnl_format_kind_any = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_kind_t.dnnl_format_kind_any = 1
     * }
     */
    public static int dnnl_format_kind_any() {
        return dnnl_format_kind_any;
    }

    private static final int dnnl_blocked = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_kind_t.dnnl_blocked = 2
     * }
     */
    public static int dnnl_blocked() {
        return dnnl_blocked;
    }

    private static final int dnnl_format_kind_opaque = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_kind_t.dnnl_format_kind_opaque = 3
     * }
     */
    public static int dnnl_format_kind_opaque() {
        return dnnl_format_kind_opaque;
    }

    private static final int dnnl_format_tag_undef = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_format_tag_undef = 0
     * }
     */
    public static int dnnl_format_tag_undef() {
        return dnnl_format_tag_undef;
    }

    private static final int dnnl_format_tag_any = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_format_tag_any = 1
     * }
     */
    public static int dnnl_format_tag_any() {
        return dnnl_format_tag_any;
    }

    private static final int dnnl_a = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_a = 2
     * }
     */
    public static int dnnl_a() {
        return dnnl_a;
    }

    private static final int dnnl_ab = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_ab = 3
     * }
     */
    public static int dnnl_ab() {
        return dnnl_ab;
    }

    private static final int dnnl_abc = (int)4L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_abc = 4
     * }
     */
    public static int dnnl_abc() {
        return dnnl_abc;
    }

    private static final int dnnl_abcd = (int)5L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_abcd = 5
     * }
     */
    public static int dnnl_abcd() {
        return dnnl_abcd;
    }

    private static final int dnnl_abcde = (int)6L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_abcde = 6
     * }
     */
    public static int dnnl_abcde() {
        return dnnl_abcde;
    }

    private static final int dnnl_acdb = (int)22L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_acdb = 22
     * }
     */
    public static int dnnl_acdb() {
        return dnnl_acdb;
    }

    private static final int dnnl_ba = (int)14L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_ba = 14
     * }
     */
    public static int dnnl_ba() {
        return dnnl_ba;
    }

    private static final int dnnl_aBcd8b = (int)102L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_aBcd8b = 102
     * }
     */
    public static int dnnl_aBcd8b() {
        return dnnl_aBcd8b;
    }

    private static final int dnnl_aBcd16b = (int)78L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_aBcd16b = 78
     * }
     */
    public static int dnnl_aBcd16b() {
        return dnnl_aBcd16b;
    }

    private static final int dnnl_x = (int)2L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_x = 2
     * }
     */
    public static int dnnl_x() {
        return dnnl_x;
    }

    private static final int dnnl_nc = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_nc = 3
     * }
     */
    public static int dnnl_nc() {
        return dnnl_nc;
    }

    private static final int dnnl_oi = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_oi = 3
     * }
     */
    public static int dnnl_oi() {
        return dnnl_oi;
    }

    private static final int dnnl_nchw = (int)5L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_nchw = 5
     * }
     */
    public static int dnnl_nchw() {
        return dnnl_nchw;
    }

    private static final int dnnl_nhwc = (int)22L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_nhwc = 22
     * }
     */
    public static int dnnl_nhwc() {
        return dnnl_nhwc;
    }

    private static final int dnnl_nChw8c = (int)102L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_nChw8c = 102
     * }
     */
    public static int dnnl_nChw8c() {
        return dnnl_nChw8c;
    }

    private static final int dnnl_nChw16c = (int)78L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_nChw16c = 78
     * }
     */
    public static int dnnl_nChw16c() {
        return dnnl_nChw16c;
    }

    private static final int dnnl_oihw = (int)5L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_oihw = 5
     * }
     */
    public static int dnnl_oihw() {
        return dnnl_oihw;
    }

    private static final int dnnl_goihw = (int)6L;

    /**
     * {@snippet lang=c :
     * enum dnnl_format_tag_t.dnnl_goihw = 6
     * }
     */
    public static int dnnl_goihw() {
        return dnnl_goihw;
    }

    private static final int dnnl_forward_training = (int)64L;

    /**
     * {@snippet lang=c :
     * enum dnnl_prop_kind_t.dnnl_forward_training = 64
     * }
     */
    public static int dnnl_forward_training() {
        return dnnl_forward_training;
    }

    private static final int dnnl_forward_inference = (int)96L;

    /**
     * {@snippet lang=c :
     * enum dnnl_prop_kind_t.dnnl_forward_inference = 96
     * }
     */
    public static int dnnl_forward_inference() {
        return dnnl_forward_inference;
    }

    private static final int dnnl_convolution_direct = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_convolution_direct = 1
     * }
     */
    public static int dnnl_convolution_direct() {
        return dnnl_convolution_direct;
    }

    private static final int dnnl_convolution_auto = (int)3L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_convolution_auto = 3
     * }
     */
    public static int dnnl_convolution_auto() {
        return dnnl_convolution_auto;
    }

    private static final int dnnl_eltwise_relu = (int)32L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_eltwise_relu = 32
     * }
     */
    public static int dnnl_eltwise_relu() {
        return dnnl_eltwise_relu;
    }

    private static final int dnnl_eltwise_linear = (int)38L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_eltwise_linear = 38
     * }
     */
    public static int dnnl_eltwise_linear() {
        return dnnl_eltwise_linear;
    }

    private static final int dnnl_eltwise_logistic = (int)41L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_eltwise_logistic = 41
     * }
     */
    public static int dnnl_eltwise_logistic() {
        return dnnl_eltwise_logistic;
    }

    private static final int dnnl_eltwise_clip = (int)46L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_eltwise_clip = 46
     * }
     */
    public static int dnnl_eltwise_clip() {
        return dnnl_eltwise_clip;
    }

    private static final int dnnl_eltwise_clip_v2 = (int)47L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_eltwise_clip_v2 = 47
     * }
     */
    public static int dnnl_eltwise_clip_v2() {
        return dnnl_eltwise_clip_v2;
    }

    private static final int dnnl_pooling_max = (int)511L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_pooling_max = 511
     * }
     */
    public static int dnnl_pooling_max() {
        return dnnl_pooling_max;
    }

    private static final int dnnl_pooling_avg_include_padding = (int)767L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_pooling_avg_include_padding = 767
     * }
     */
    public static int dnnl_pooling_avg_include_padding() {
        return dnnl_pooling_avg_include_padding;
    }

    private static final int dnnl_pooling_avg_exclude_padding = (int)1023L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_pooling_avg_exclude_padding = 1023
     * }
     */
    public static int dnnl_pooling_avg_exclude_padding() {
        return dnnl_pooling_avg_exclude_padding;
    }

    private static final int dnnl_binary_add = (int)131056L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_binary_add = 131056
     * }
     */
    public static int dnnl_binary_add() {
        return dnnl_binary_add;
    }

    private static final int dnnl_binary_mul = (int)131057L;

    /**
     * {@snippet lang=c :
     * enum dnnl_alg_kind_t.dnnl_binary_mul = 131057
     * }
     */
    public static int dnnl_binary_mul() {
        return dnnl_binary_mul;
    }

    private static final int dnnl_scratchpad_mode_library = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_scratchpad_mode_t.dnnl_scratchpad_mode_library = 0
     * }
     */
    public static int dnnl_scratchpad_mode_library() {
        return dnnl_scratchpad_mode_library;
    }

    private static final int dnnl_scratchpad_mode_user = (int)1L;

    /**
     * {@snippet lang=c :
     * enum dnnl_scratchpad_mode_t.dnnl_scratchpad_mode_user = 1
     * }
     */
    public static int dnnl_scratchpad_mode_user() {
        return dnnl_scratchpad_mode_user;
    }

    private static final int dnnl_query_impl_info_str = (int)8L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_impl_info_str = 8
     * }
     */
    public static int dnnl_query_impl_info_str() {
        return dnnl_query_impl_info_str;
    }

    private static final int dnnl_query_src_md = (int)129L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_src_md = 129
     * }
     */
    public static int dnnl_query_src_md() {
        return dnnl_query_src_md;
    }

    private static final int dnnl_query_weights_md = (int)131L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_weights_md = 131
     * }
     */
    public static int dnnl_query_weights_md() {
        return dnnl_query_weights_md;
    }

    private static final int dnnl_query_dst_md = (int)133L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_dst_md = 133
     * }
     */
    public static int dnnl_query_dst_md() {
        return dnnl_query_dst_md;
    }

    private static final int dnnl_query_workspace_md = (int)135L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_workspace_md = 135
     * }
     */
    public static int dnnl_query_workspace_md() {
        return dnnl_query_workspace_md;
    }

    private static final int dnnl_query_scratchpad_md = (int)136L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_scratchpad_md = 136
     * }
     */
    public static int dnnl_query_scratchpad_md() {
        return dnnl_query_scratchpad_md;
    }

    private static final int dnnl_query_exec_arg_md = (int)255L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_exec_arg_md = 255
     * }
     */
    public static int dnnl_query_exec_arg_md() {
        return dnnl_query_exec_arg_md;
    }

    private static final int dnnl_query_ndims_s32 = (int)256L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_ndims_s32 = 256
     * }
     */
    public static int dnnl_query_ndims_s32() {
        return dnnl_query_ndims_s32;
    }

    private static final int dnnl_query_dims = (int)257L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_dims = 257
     * }
     */
    public static int dnnl_query_dims() {
        return dnnl_query_dims;
    }

    private static final int dnnl_query_data_type = (int)258L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_data_type = 258
     * }
     */
    public static int dnnl_query_data_type() {
        return dnnl_query_data_type;
    }

    private static final int dnnl_query_submemory_offset_s64 = (int)259L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_submemory_offset_s64 = 259
     * }
     */
    public static int dnnl_query_submemory_offset_s64() {
        return dnnl_query_submemory_offset_s64;
    }

    private static final int dnnl_query_padded_dims = (int)260L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_padded_dims = 260
     * }
     */
    public static int dnnl_query_padded_dims() {
        return dnnl_query_padded_dims;
    }

    private static final int dnnl_query_padded_offsets = (int)261L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_padded_offsets = 261
     * }
     */
    public static int dnnl_query_padded_offsets() {
        return dnnl_query_padded_offsets;
    }

    private static final int dnnl_query_format_kind = (int)262L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_format_kind = 262
     * }
     */
    public static int dnnl_query_format_kind() {
        return dnnl_query_format_kind;
    }

    private static final int dnnl_query_inner_nblks_s32 = (int)263L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_inner_nblks_s32 = 263
     * }
     */
    public static int dnnl_query_inner_nblks_s32() {
        return dnnl_query_inner_nblks_s32;
    }

    private static final int dnnl_query_inner_blks = (int)264L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_inner_blks = 264
     * }
     */
    public static int dnnl_query_inner_blks() {
        return dnnl_query_inner_blks;
    }

    private static final int dnnl_query_inner_idxs = (int)265L;

    /**
     * {@snippet lang=c :
     * enum dnnl_query_t.dnnl_query_inner_idxs = 265
     * }
     */
    public static int dnnl_query_inner_idxs() {
        return dnnl_query_inner_idxs;
    }

    private static final int dnnl_cpu_isa_default = (int)0L;

    /**
     * {@snippet lang=c :
     * enum dnnl_cpu_isa_t.dnnl_cpu_isa_default = 0
     * }
     */
    public static int dnnl_cpu_isa_default() {
        return dnnl_cpu_isa_default;
    }

    private static final int dnnl_cpu_isa_avx2 = (int)7L;

    /**
     * {@snippet lang=c :
     * enum dnnl_cpu_isa_t.dnnl_cpu_isa_avx2 = 7
     * }
     */
    public static int dnnl_cpu_isa_avx2() {
        return dnnl_cpu_isa_avx2;
    }

    private static final int dnnl_cpu_isa_avx512_core = (int)39L;

    /**
     * {@snippet lang=c :
     * enum dnnl_cpu_isa_t.dnnl_cpu_isa_avx512_core = 39
     * }
     */
    public static int dnnl_cpu_isa_avx512_core() {
        return dnnl_cpu_isa_avx512_core;
    }

    private static final int dnnl_cpu_isa_avx512_core_bf16 = (int)231L;

    /**
     * {@snippet lang=c :
     * enum dnnl_cpu_isa_t.dnnl_cpu_isa_avx512_core_bf16 = 231
     * }
     */
    public static int dnnl_cpu_isa_avx512_core_bf16() {
        return dnnl_cpu_isa_avx512_core_bf16;
    }

    private static final int dnnl_cpu_isa_avx512_core_amx = (int)4079L;

    /**
     * {@snippet lang=c :
     * enum dnnl_cpu_isa_t.dnnl_cpu_isa_avx512_core_amx = 4079
     * }
     */
    public static int dnnl_cpu_isa_avx512_core_amx() {
        return dnnl_cpu_isa_avx512_core_amx;
    }

    private static final int DNNL_ARG_SRC_0 = (int)1L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_SRC_0 1
     * }
     */
    public static int DNNL_ARG_SRC_0() {
        return DNNL_ARG_SRC_0;
    }

    private static final int DNNL_ARG_SRC = (int)1L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_SRC 1
     * }
     */
    public static int DNNL_ARG_SRC() {
        return DNNL_ARG_SRC;
    }

    private static final int DNNL_ARG_FROM = (int)1L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_FROM 1
     * }
     */
    public static int DNNL_ARG_FROM() {
        return DNNL_ARG_FROM;
    }

    private static final int DNNL_ARG_SRC_1 = (int)2L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_SRC_1 2
     * }
     */
    public static int DNNL_ARG_SRC_1() {
        return DNNL_ARG_SRC_1;
    }

    private static final int DNNL_ARG_DST = (int)17L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_DST 17
     * }
     */
    public static int DNNL_ARG_DST() {
        return DNNL_ARG_DST;
    }

    private static final int DNNL_ARG_TO = (int)17L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_TO 17
     * }
     */
    public static int DNNL_ARG_TO() {
        return DNNL_ARG_TO;
    }

    private static final int DNNL_ARG_WEIGHTS = (int)33L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_WEIGHTS 33
     * }
     */
    public static int DNNL_ARG_WEIGHTS() {
        return DNNL_ARG_WEIGHTS;
    }

    private static final int DNNL_ARG_BIAS = (int)41L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_BIAS 41
     * }
     */
    public static int DNNL_ARG_BIAS() {
        return DNNL_ARG_BIAS;
    }

    private static final int DNNL_ARG_WORKSPACE = (int)64L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_WORKSPACE 64
     * }
     */
    public static int DNNL_ARG_WORKSPACE() {
        return DNNL_ARG_WORKSPACE;
    }

    private static final int DNNL_ARG_SCRATCHPAD = (int)80L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_SCRATCHPAD 80
     * }
     */
    public static int DNNL_ARG_SCRATCHPAD() {
        return DNNL_ARG_SCRATCHPAD;
    }

    private static final int DNNL_ARG_MULTIPLE_SRC = (int)1024L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_MULTIPLE_SRC 1024
     * }
     */
    public static int DNNL_ARG_MULTIPLE_SRC() {
        return DNNL_ARG_MULTIPLE_SRC;
    }

    private static final int DNNL_ARG_ATTR_SCALES = (int)4096L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_ATTR_SCALES 4096
     * }
     */
    public static int DNNL_ARG_ATTR_SCALES() {
        return DNNL_ARG_ATTR_SCALES;
    }

    private static final int DNNL_ARG_ATTR_POST_OP_DW = (int)16384L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_ATTR_POST_OP_DW 16384
     * }
     */
    public static int DNNL_ARG_ATTR_POST_OP_DW() {
        return DNNL_ARG_ATTR_POST_OP_DW;
    }

    private static final int DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE = (int)32768L;

    /**
     * {@snippet lang=c :
     * #define DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE 32768
     * }
     */
    public static int DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE() {
        return DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
    }
}
