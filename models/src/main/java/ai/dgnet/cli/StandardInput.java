package ai.dgnet.cli;

import ai.dgnet.models.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;

import static ai.dgnet.dnnl.c.unistd_h.STDIN_FILENO;
import static ai.dgnet.dnnl.c.unistd_h.isatty;

/**
 * An input option's {@code -}: standard input, as Unix tools take it, not a file of that name in the working folder.
 * A pipe has no size and cannot be mapped, so what it carries is read whole into memory, and checked as a file is.
 */
final class StandardInput {
    /** What the messages call standard input where they would name a file. */
    static final Path NAME = Path.of("standard input");
    /**
     * The most bytes read from standard input, all held in memory at once (a batch of 1,000 RGB images of 224x224 is
     * 602 MB): a longer stream is refused, not read until memory runs out.
     */
    static final long MAX_BYTES = 1L << 30;

    private StandardInput() {
    }

    /** Whether the input option's value {@code in} is {@code -}. */
    static boolean isNamedBy(Path in) {
        return in.toString().equals("-");
    }

    /**
     * Refuses the binary input ({@code what}) of {@code option} where standard input is a terminal, as gzip does: what
     * is typed there is no such input, and the command would sit waiting for it.
     */
    static void refuseBinaryFromTerminal(String option, String what) {
        if (isatty(STDIN_FILENO()) == 1) {
            throw new IllegalArgumentException(option + " - is standard input, a terminal, which gives no " + what
                    + ": redirect it from a file or a pipe");
        }
    }

    /** The tensor file on standard input, through {@code System.in}, where a test may put one. */
    static SafeTensors tensors() throws IOException {
        return SafeTensors.read(NAME, System.in, MAX_BYTES);
    }
}
