package ai.dgnet.dnnl;

/** A oneDNN call that returned a status other than success. */
public final class DnnlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final DnnlStatus status;
    private final int code;
    private final String function;

    private DnnlException(String function, int code) {
        super(function + " failed: " + DnnlStatus.of(code).name().toLowerCase(java.util.Locale.ROOT)
                + " (dnnl_status_t " + code + ")");
        this.status = DnnlStatus.of(code);
        this.code = code;
        this.function = function;
    }

    /** Every status returned by the C API goes through here, so no failure is silently dropped. */
    public static void check(int code, String function) {
        if (code != DnnlStatus.SUCCESS.code()) {
            throw new DnnlException(function, code);
        }
    }

    public DnnlStatus status() {
        return status;
    }

    /** The raw code, useful when {@link #status()} is {@link DnnlStatus#UNKNOWN}. */
    public int code() {
        return code;
    }

    /** The C function that failed. */
    public String function() {
        return function;
    }
}
