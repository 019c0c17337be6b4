package ai.dgnet.runtime.cpu;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_get_effective_cpu_isa;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_cpu_isa_avx512_core_amx;

/** What oneDNN runs on this CPU, for tests whose expectations depend on which of its kernels it picks. */
public final class CpuIsa {
    private CpuIsa() {
    }

    /** Whether oneDNN uses AMX here, whose bf16 convolutions are brgemm kernels without a depthwise post-op. */
    public static boolean amx() {
        return CpuDevice.hasIsa(dnnl_get_effective_cpu_isa(), dnnl_cpu_isa_avx512_core_amx());
    }
}
