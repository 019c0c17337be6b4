package ai.dgnet.dnnl;

/** The {@code dnnl_status_t} codes of the oneDNN C API, plus {@link #UNKNOWN} for codes this build does not know. */
public enum DnnlStatus {
    SUCCESS(0),
    OUT_OF_MEMORY(1),
    INVALID_ARGUMENTS(2),
    UNIMPLEMENTED(3),
    LAST_IMPL_REACHED(4),
    RUNTIME_ERROR(5),
    NOT_REQUIRED(6),
    INVALID_GRAPH(7),
    INVALID_GRAPH_OP(8),
    INVALID_SHAPE(9),
    INVALID_DATA_TYPE(10),
    UNKNOWN(-1);

    private final int code;

    DnnlStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static DnnlStatus of(int code) {
        for (DnnlStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
