package ai.dgnet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;

import static ai.dgnet.dnnl.c.unistd_h.STDOUT_FILENO;
import static ai.dgnet.dnnl.c.unistd_h.isatty;

/**
 * An output option's {@code -}: standard output, as Unix tools take it, not a file of that name in the working
 * folder. A command writing its output there prints nothing else there, so that a pipe or a redirect gets the output
 * alone. The benchmark tools take their report files' {@code -} as standard output too.
 */
public final class StandardOutput {
    private StandardOutput() {
    }

    /** What goes to standard output. */
    @FunctionalInterface
    interface Content {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /** Whether the output option's value {@code out} is {@code -}. */
    public static boolean isNamedBy(Path out) {
        return out.toString().equals("-");
    }

    /**
     * Refuses the binary output ({@code what}) of {@code option} where standard output is a terminal, as gzip does:
     * bytes that are no text would fill the screen, and could switch the terminal into another mode.
     */
    static void refuseBinaryOnTerminal(String option, String what) {
        if (isatty(STDOUT_FILENO()) == 1) {
            throw new IllegalArgumentException(option + " - is standard output, a terminal, which takes no " + what
                    + ": redirect it to a file or a pipe");
        }
    }

    /**
     * Writes {@code content} to standard output, through {@code System.out}, where a test may hold it; the command
     * line finds a write that failed ({@link #requireWritten}).
     */
    static void write(Content content) throws IOException {
        content.writeTo(Channels.newChannel(System.out));
    }

    /**
     * Throws where what a command printed on standard output, through {@code System.out} or through
     * {@code printed} (picocli's writers over it), was not all written. Both keep their errors to themselves: a
     * reader gone early (| head) or a full disk would pass unnoticed, the output cut short and the status 0.
     */
    static void requireWritten(List<PrintWriter> printed) throws IOException {
        boolean failed = false;
        // Each writer's check flushes what it held into System.out, whose check comes after them.
        for (PrintWriter out : printed) {
            failed |= out.checkError();
        }
        if (System.out.checkError() || failed) {
            throw new IOException("cannot write to standard output (its reader gone, or its disk full?)");
        }
    }
}
