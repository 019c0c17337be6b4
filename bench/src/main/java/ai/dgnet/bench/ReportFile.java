package ai.dgnet.bench;

import ai.dgnet.cli.OptionChecks;
import ai.dgnet.cli.StandardOutput;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report file that a benchmark tool writes at the end of its run, besides printing the report on standard output;
 * {@code --out -} names standard output, as Unix tools take it, which then holds the report alone.
 */
final class ReportFile {
    private ReportFile() {
    }

    /**
     * Makes the folder of {@code out} (given as {@code --out}) and refuses a report that could not be written there,
     * as dgnet refuses its outputs: found only when writing, it would cost the whole run.
     */
    static void check(CommandLine cmd, Path out) {
        if (StandardOutput.isNamedBy(out)) {
            return;
        }
        try {
            makeFolder(out);
        } catch (IOException e) {
            // A file in the way or no permission: the check below names which.
        }
        try {
            OptionChecks.creatable(out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--out: " + e.getMessage());
        }
    }

    /**
     * Writes {@code report} to {@code out}, making its folder; returns whether it did: not where {@code out} is
     * {@code -}, the standard output that the tool prints the report on anyway.
     */
    static boolean write(Path out, CharSequence report) throws IOException {
        if (StandardOutput.isNamedBy(out)) {
            return false;
        }
        makeFolder(out);
        Files.writeString(out, report);
        return true;
    }

    private static void makeFolder(Path out) throws IOException {
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
    }
}
