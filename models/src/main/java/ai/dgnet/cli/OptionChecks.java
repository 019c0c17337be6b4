package ai.dgnet.cli;

import ai.dgnet.models.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checks of the commands' options: each refusal is one line naming the option, what it must be and the value
 * given. The benchmark tools check their report files with {@link #creatable}.
 */
public final class OptionChecks {
    private OptionChecks() {
    }

    /** Refuses {@code value} of {@code option} below {@code min}; a null value (the option not given) passes. */
    static void atLeast(String option, long min, Number value) {
        if (value != null && value.longValue() < min) {
            throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
        }
    }

    /** Refuses {@code value} of {@code option} outside [{@code min}, {@code max}]. */
    static void inRange(String option, long min, long max, long value) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** Refuses {@code value} of {@code option} above {@code max}. */
    static void atMost(String option, long max, long value) {
        if (value > max) {
            throw new IllegalArgumentException(option + " must be <= " + max + ", got " + value);
        }
    }

    /**
     * Refuses an output file {@code out} that cannot be created, in a folder that does not exist, is a file or is not
     * writable, or being a folder itself, before the command does its work: writing would fail only after it, with
     * an error that names neither. The folder is the one the file is written in: where {@code out} is a symbolic link,
     * that of the file it names ({@link AtomicFile#target}).
     */
    public static void creatable(Path out) {
        Path folder;
        try {
            folder = AtomicFile.target(out).getParent();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + out + ": " + e.getMessage(), e);
        }
        if (folder != null && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("cannot write " + out + ": "
                    + (Files.exists(folder) ? folder + " is not a folder" : "no such folder " + folder));
        }
        // The output is written beside itself and renamed into place, so what counts is creating a file in the
        // folder (writing to it and searching it), not the permissions of an earlier file of that name; a read-only
        // file system refuses writing even to root.
        if (folder != null && !(Files.isWritable(folder) && Files.isExecutable(folder))) {
            throw new IllegalArgumentException("cannot write " + out + ": the folder " + folder
                    + " is not writable");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("cannot write " + out + ": it is a folder");
        }
    }

    /**
     * Refuses an output file {@code out} (given as {@code option}) that is one of the command's inputs, named by what
     * they are: writing it would replace what the command reads, and the user would lose it.
     */
    static void notAnInput(String option, Path out, Map<String, Path> inputs) {
        if (!Files.exists(out)) {
            return;
        }
        for (Map.Entry<String, Path> input : inputs.entrySet()) {
            try {
                if (Files.exists(input.getValue()) && Files.isSameFile(out, input.getValue())) {
                    throw new IllegalArgumentException(option + " " + out + " is " + input.getKey()
                            + ": write the output to another file");
                }
            } catch (IOException e) {
                // Not comparable (unreadable): writing it would fail with its own message, or it is no input.
            }
        }
    }
}
