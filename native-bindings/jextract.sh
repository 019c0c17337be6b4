#!/usr/bin/env bash
# Regenerates the oneDNN bindings of ai.dgnet.dnnl.c with jextract (22 or newer) from the headers shipped in the
# org.bytedeco:dnnl jar, into a scratch folder, for comparison with the hand-kept classes in
# src/main/java/ai/dgnet/dnnl/c. It never overwrites them: the build must not depend on jextract being installed.
#
# Usage: native-bindings/jextract.sh [DNNL_JAR] [OUTPUT_DIR]
#   DNNL_JAR    org.bytedeco:dnnl:<dnnl.version>:linux-x86_64 jar (default: the one in ~/.m2 for the pom's dnnl.version)
#   OUTPUT_DIR  where the generated sources go (default: native-bindings/target/jextract)
#   JEXTRACT    environment variable naming the jextract launcher (default: jextract on the PATH)
#
# One jextract run per header, each with --header-class-name, so each function or constant lands in the class of
# the header that declares it, as BindingCheckTest requires. How the output maps onto the hand-kept files:
#   - X_h.java: the same holders (DESC, ADDR, HANDLE), accessors (name$descriptor/$handle/$address) and call
#     methods. jextract resolves ADDR with SYMBOL_LOOKUP.findOrThrow(...) over a lookup it builds itself; the
#     hand-kept holders call DnnlLibrary.findOrThrow(...), which loads the bundled or configured libdnnl and names
#     the library in its error. So no --library here: drop SYMBOL_LOOKUP, LIBRARY_ARENA and the TRACE_DOWNCALLS
#     lines, and write layouts as the inherited C_INT rather than X_h.C_INT.
#   - X_h$shared.java (C_* layouts and helpers, one per run): dropped; every hand-kept header class extends the one
#     dnnl$shared, which keeps only the layouts the bindings use.
#   - Enum constants and macros: the same private field plus accessor; the hand-kept Javadoc names the enum typedef
#     where jextract prints "enum <anonymous>".
#   - dnnl_exec_arg_t.java, dnnl_version_t.java: the same accessors; the hand-kept layouts use dnnl$shared.C_*,
#     are named after the typedef rather than $anon$<line>, and spell offsets as literals.
#   - omp_h.java: generated from GCC's omp.h when gcc is found (no omp.h ships with oneDNN), skipped otherwise.
#   - sys_mman_h.java: generated from the C library's sys/mman.h when gcc finds it, skipped otherwise. Its holders
#     keep jextract's own lookup (the C library the JVM runs on), so binding it loads no oneDNN.
#   - unistd_h.java: the same, from the C library's unistd.h.
# The script ends by listing names bound on one side only; BindingCheckTest checks the hand-kept classes against
# the same headers whether or not this script is run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hand_kept="$here/src/main/java/ai/dgnet/dnnl/c"

dnnl_version=$(sed -n 's:.*<dnnl.version>\(.*\)</dnnl.version>.*:\1:p' "$here/../pom.xml")
jar="${1:-$HOME/.m2/repository/org/bytedeco/dnnl/$dnnl_version/dnnl-$dnnl_version-linux-x86_64.jar}"
out="${2:-$here/target/jextract}"
jextract="${JEXTRACT:-jextract}"

[[ -f "$jar" ]] || { echo "no dnnl jar at $jar: run 'mvn -pl native-bindings dependency:resolve' or pass its path" >&2; exit 1; }
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
command -v "$jextract" >/dev/null || { echo "jextract not found: install jextract 22+ or set JEXTRACT" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# jar(1) ships with every JDK, which jextract needs anyway; unzip may be missing.
(cd "$work" && jar xf "$jar" org/bytedeco/dnnl/linux-x86_64/include)
include="$work/org/bytedeco/dnnl/linux-x86_64/include"
[[ -f "$include/oneapi/dnnl/dnnl.h" ]] || { echo "$jar holds no oneapi/dnnl/dnnl.h" >&2; exit 1; }

common_functions=(
  dnnl_engine_get_count dnnl_engine_create dnnl_engine_get_kind dnnl_engine_destroy
  dnnl_stream_create dnnl_stream_wait dnnl_stream_destroy
  dnnl_get_default_fpmath_mode dnnl_set_default_fpmath_mode dnnl_set_verbose dnnl_version
)
dnnl_functions=(
  dnnl_primitive_desc_destroy dnnl_primitive_desc_query dnnl_primitive_desc_query_md dnnl_primitive_desc_next_impl
  dnnl_primitive_create dnnl_primitive_execute dnnl_primitive_destroy
  dnnl_primitive_attr_create dnnl_primitive_attr_destroy dnnl_primitive_attr_set_fpmath_mode
  dnnl_primitive_attr_get_fpmath_mode dnnl_primitive_attr_set_scratchpad_mode dnnl_primitive_attr_set_scales_mask
  dnnl_primitive_attr_set_post_ops
  dnnl_post_ops_create dnnl_post_ops_destroy dnnl_post_ops_len dnnl_post_ops_append_sum dnnl_post_ops_append_eltwise
  dnnl_post_ops_append_binary
  dnnl_memory_desc_create_with_tag dnnl_memory_desc_create_with_strides dnnl_memory_desc_clone
  dnnl_memory_desc_destroy dnnl_memory_desc_query dnnl_memory_desc_equal dnnl_memory_desc_get_size
  dnnl_memory_desc_reshape dnnl_data_type_size
  dnnl_memory_create dnnl_memory_get_memory_desc dnnl_memory_get_data_handle dnnl_memory_set_data_handle
  dnnl_memory_destroy
  dnnl_reorder_primitive_desc_create dnnl_binary_primitive_desc_create dnnl_convolution_forward_primitive_desc_create
  dnnl_eltwise_forward_primitive_desc_create dnnl_pooling_forward_primitive_desc_create
  dnnl_inner_product_forward_primitive_desc_create dnnl_matmul_primitive_desc_create dnnl_sum_primitive_desc_create
  dnnl_set_max_cpu_isa dnnl_get_effective_cpu_isa dnnl_get_primitive_cache_capacity dnnl_set_primitive_cache_capacity
  dnnl_sgemm
)
omp_functions=(omp_set_num_threads omp_get_max_threads omp_get_num_procs omp_get_thread_num)
mman_functions=(mmap munmap madvise mincore)
mman_constants=(PROT_READ PROT_WRITE MAP_PRIVATE MAP_ANONYMOUS MAP_FAILED MADV_HUGEPAGE)
unistd_functions=(isatty)
unistd_constants=(STDIN_FILENO STDOUT_FILENO)
common_types_constants=(
  dnnl_success dnnl_out_of_memory dnnl_invalid_arguments dnnl_unimplemented dnnl_last_impl_reached
  dnnl_runtime_error dnnl_not_required dnnl_invalid_graph dnnl_invalid_graph_op dnnl_invalid_shape
  dnnl_invalid_data_type
  dnnl_data_type_undef dnnl_f16 dnnl_bf16 dnnl_f32 dnnl_s32 dnnl_s8 dnnl_u8
  DNNL_MAX_NDIMS
  dnnl_fpmath_mode_strict dnnl_fpmath_mode_bf16 dnnl_fpmath_mode_f16 dnnl_fpmath_mode_any dnnl_fpmath_mode_tf32
  dnnl_any_engine dnnl_cpu
  dnnl_stream_in_order dnnl_stream_default_flags
  DNNL_MEMORY_NONE DNNL_MEMORY_ALLOCATE
)
types_constants=(
  dnnl_format_kind_undef dnnl_format_kind_any dnnl_blocked dnnl_format_kind_opaque
  dnnl_format_tag_undef dnnl_format_tag_any dnnl_a dnnl_ab dnnl_abc dnnl_abcd dnnl_abcde dnnl_acdb dnnl_ba
  dnnl_aBcd8b dnnl_aBcd16b dnnl_x dnnl_nc dnnl_oi dnnl_nchw dnnl_nhwc dnnl_nChw8c dnnl_nChw16c dnnl_oihw dnnl_goihw
  dnnl_forward_training dnnl_forward_inference
  dnnl_convolution_direct dnnl_convolution_auto dnnl_eltwise_relu dnnl_eltwise_linear dnnl_eltwise_logistic
  dnnl_eltwise_clip dnnl_eltwise_clip_v2 dnnl_pooling_max dnnl_pooling_avg_include_padding
  dnnl_pooling_avg_exclude_padding dnnl_binary_add dnnl_binary_mul
  dnnl_scratchpad_mode_library dnnl_scratchpad_mode_user
  dnnl_query_impl_info_str dnnl_query_src_md dnnl_query_weights_md dnnl_query_dst_md dnnl_query_workspace_md
  dnnl_query_scratchpad_md dnnl_query_exec_arg_md dnnl_query_ndims_s32 dnnl_query_dims dnnl_query_data_type
  dnnl_query_submemory_offset_s64 dnnl_query_padded_dims dnnl_query_padded_offsets dnnl_query_format_kind
  dnnl_query_inner_nblks_s32 dnnl_query_inner_blks dnnl_query_inner_idxs
  dnnl_cpu_isa_default dnnl_cpu_isa_avx2 dnnl_cpu_isa_avx512_core dnnl_cpu_isa_avx512_core_bf16
  dnnl_cpu_isa_avx512_core_amx
  DNNL_ARG_SRC_0 DNNL_ARG_SRC DNNL_ARG_FROM DNNL_ARG_SRC_1 DNNL_ARG_DST DNNL_ARG_TO DNNL_ARG_WEIGHTS DNNL_ARG_BIAS
  DNNL_ARG_WORKSPACE DNNL_ARG_SCRATCHPAD DNNL_ARG_MULTIPLE_SRC DNNL_ARG_ATTR_SCALES DNNL_ARG_ATTR_POST_OP_DW
  DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE
)
config_constants=(DNNL_RUNTIME_NONE DNNL_RUNTIME_SEQ DNNL_RUNTIME_OMP DNNL_RUNTIME_TBB DNNL_RUNTIME_THREADPOOL)

# run HEADER_PATH CLASS_NAME OPTION NAMES... [-- OPTION NAMES...]: one jextract run, each name after its option.
run() {
  local header=$1 class=$2 option="" word args=()
  shift 2
  for word in "$@"; do
    case "$word" in
      --include-*) option=$word ;;
      *) args+=("$option" "$word") ;;
    esac
  done
  echo "jextract $class <- ${header#"$include"/}"
  "$jextract" --output "$out" --target-package ai.dgnet.dnnl.c --header-class-name "$class" -I "$include" \
    "${args[@]}" "$header"
}

rm -rf "$out"
mkdir -p "$out"
dnnl="$include/oneapi/dnnl"
run "$dnnl/dnnl_common.h" dnnl_common_h --include-function "${common_functions[@]}"
run "$dnnl/dnnl.h" dnnl_h --include-function "${dnnl_functions[@]}"
run "$dnnl/dnnl_common_types.h" dnnl_common_types_h --include-constant "${common_types_constants[@]}" \
  --include-typedef dnnl_version_t
run "$dnnl/dnnl_types.h" dnnl_types_h --include-constant "${types_constants[@]}" --include-typedef dnnl_exec_arg_t
run "$dnnl/dnnl_config.h" dnnl_config_h --include-constant "${config_constants[@]}"
omp_header=$(gcc -print-file-name=include/omp.h 2>/dev/null || true)
if [[ -f "$omp_header" ]]; then
  run "$omp_header" omp_h --include-function "${omp_functions[@]}"
else
  echo "no omp.h from gcc: omp_h not generated" >&2
fi
mman_header=$(echo '#include <sys/mman.h>' | gcc -M -x c - 2>/dev/null | tr ' \\' '\n\n' | grep '/sys/mman\.h$' | head -n 1 || true)
if [[ -f "$mman_header" ]]; then
  run "$mman_header" sys_mman_h --include-function "${mman_functions[@]}" --include-constant "${mman_constants[@]}"
else
  echo "no sys/mman.h from gcc: sys_mman_h not generated" >&2
fi
unistd_header=$(echo '#include <unistd.h>' | gcc -M -x c - 2>/dev/null | tr ' \\' '\n\n' | grep '/unistd\.h$' | head -n 1 || true)
if [[ -f "$unistd_header" ]]; then
  run "$unistd_header" unistd_h --include-function "${unistd_functions[@]}" --include-constant "${unistd_constants[@]}"
else
  echo "no unistd.h from gcc: unistd_h not generated" >&2
fi

# Names bound on one side only, i.e. what a copy of the output would add or drop.
bound_names() {
  grep -hoE 'public static [A-Za-z]+ [A-Za-z_][A-Za-z0-9_]*\(' "$1"/*_h.java | sed -E 's/.* ([A-Za-z0-9_]+)\($/\1/' | sort -u
}
generated="$out/ai/dgnet/dnnl/c"
echo "names only in the generated classes (<) or only in the hand-kept ones (>):"
diff <(bound_names "$generated") <(bound_names "$hand_kept") || true
echo "generated sources: $generated"
