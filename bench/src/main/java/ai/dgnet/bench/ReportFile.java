package ai.dgnet.bench;

import ai.dgnet.cli.OptionChecks;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The report file that a benchmark tool writes at the end of its run. */
final class ReportFile {
    private ReportFile() {
    }

    /**
     * Makes the folder of {@code out} (given as {@code --out}) and refuses a report that could not be written there,
     * as dgnet refuses its outputs: found only when writing, it would cost the whole run.
     */
    static void check(CommandLine cmd, Path out) {
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null) {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                // A file in the way or no permission: the check below names which.
            }
        }
        try {
            OptionChecks.creatable(out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--out: " + e.getMessage());
        }
    }
}
