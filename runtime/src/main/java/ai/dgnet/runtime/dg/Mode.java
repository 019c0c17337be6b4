package ai.dgnet.runtime.dg;

/** How a stage connects its nodes. */
public enum Mode {
    /** Routers choose each instance's edges; edges not above the threshold are dropped. */
    DYNAMIC,
    /** Every node feeds only the next one, with weight 1: exactly the original backbone. */
    STATIC;

    public static Mode parse(String text) {
        return switch (text) {
            case "dynamic" -> DYNAMIC;
            case "static" -> STATIC;
            default -> throw new IllegalArgumentException("mode must be 'dynamic' or 'static', got '" + text + "'");
        };
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
