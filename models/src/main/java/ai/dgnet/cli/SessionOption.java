package ai.dgnet.cli;

import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Precision;
import ai.dgnet.models.SessionOptions;
import picocli.CommandLine.Option;

/** The {@code --precision} and {@code --threshold} options of the subcommands that run a model. */
final class SessionOption {
    @Option(names = "--precision", defaultValue = "f32",
            description = "f32, or bf16 (convolutions in bf16, routing in f32) (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--threshold", paramLabel = "T", description = "Edge threshold, overriding the model's.")
    Float threshold;

    /** The session options asked for; a bad precision or threshold is a one-line error naming the option. */
    SessionOptions options() {
        Precision parsed;
        try {
            parsed = Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision must be " + Precision.choices() + ", got '" + precision
                    + "'", e);
        }
        if (threshold != null) {
            ModelConfig.requireThreshold("--threshold", threshold);
        }
        SessionOptions options = SessionOptions.defaults().withPrecision(parsed);
        return threshold == null ? options : options.withThreshold(threshold);
    }
}
