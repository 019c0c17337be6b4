// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

/**
 * The threading runtime values of {@code oneapi/dnnl/dnnl_config.h}, to read {@code dnnl_version_t.cpu_runtime}.
 * {@code BindingCheckTest} compares each value with the shipped header.
 */
public class dnnl_config_h extends dnnl$shared {

    dnnl_config_h() {
        // Should not be called directly
    }

    private static final int DNNL_RUNTIME_NONE = (int)0L;

    /**
     * {@snippet lang=c :
     * #define DNNL_RUNTIME_NONE 0
     * }
     */
    public static int DNNL_RUNTIME_NONE() {
        return DNNL_RUNTIME_NONE;
    }

    private static final int DNNL_RUNTIME_SEQ = (int)1L;

    /**
     * {@snippet lang=c :
     * #define DNNL_RUNTIME_SEQ 1
     * }
     */
    public static int DNNL_RUNTIME_SEQ() {
        return DNNL_RUNTIME_SEQ;
    }

    private static final int DNNL_RUNTIME_OMP = (int)2L;

    /**
     * {@snippet lang=c :
     * #define DNNL_RUNTIME_OMP 2
     * }
     */
    public static int DNNL_RUNTIME_OMP() {
        return DNNL_RUNTIME_OMP;
    }

    private static final int DNNL_RUNTIME_TBB = (int)4L;

    /**
     * {@snippet lang=c :
     * #define DNNL_RUNTIME_TBB 4
     * }
     */
    public static int DNNL_RUNTIME_TBB() {
        return DNNL_RUNTIME_TBB;
    }

    private static final int DNNL_RUNTIME_THREADPOOL = (int)8L;

    /**
     * {@snippet lang=c :
     * #define DNNL_RUNTIME_THREADPOOL 8
     * }
     */
    public static int DNNL_RUNTIME_THREADPOOL() {
        return DNNL_RUNTIME_THREADPOOL;
    }
}
