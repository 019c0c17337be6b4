package ai.dgnet.cli;

/**
 * The range checks of the commands' numeric options: each refusal is one line naming the option, its bound and the
 * value given.
 */
final class OptionChecks {
    private OptionChecks() {
    }

    /** Refuses {@code value} of {@code option} below {@code min}; a null value (the option not given) passes. */
    static void atLeast(String option, long min, Number value) {
        if (value != null && value.longValue() < min) {
            throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
        }
    }
}
