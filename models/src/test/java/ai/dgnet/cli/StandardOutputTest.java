package ai.dgnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outputs named {@code -}: standard output, as Unix tools take it. */
class StandardOutputTest {
    /**
     * A tensor file is bytes that are no text: on a terminal they would fill the screen, and could switch it into
     * another mode. So, as gzip does, {@code infer --output -} refuses a terminal, before it reads anything; it wrote
     * a file named '-' instead. script(1) runs the command with a terminal as its standard output.
     */
    @Test
    void binaryOutputToATerminalIsRefused(@TempDir Path dir) throws Exception {
        OnATerminal run = OnATerminal.run(dir, "", Main.class, "infer", "model.safetensors", "--input",
                "input.safetensors", "--output", "-");
        assertEquals(OneLineErrors.BAD_INPUT, run.status(), run.screen());
        assertTrue(run.screen().lines().map(String::strip).anyMatch(("dgnet infer: --output - is standard output, a "
                + "terminal, which takes no binary tensor file: redirect it to a file or a pipe")::equals),
                run.screen());
        assertFalse(Files.exists(dir.resolve("-")), "no file named '-'");
    }

    /** A PNG picture is refused there as a tensor file is, up front; the SVG picture, text, is not. */
    @Test
    void aPngPictureToATerminalIsRefused(@TempDir Path dir) throws Exception {
        OnATerminal run = OnATerminal.run(dir, "", Main.class, "graph", "model.safetensors", "image.png", "--out",
                "-", "--format", "png");
        assertEquals(OneLineErrors.BAD_INPUT, run.status(), run.screen());
        assertTrue(run.screen().lines().map(String::strip).anyMatch(("dgnet graph: --out - is standard output, a "
                + "terminal, which takes no PNG picture: redirect it to a file or a pipe")::equals), run.screen());
    }

    /**
     * {@code System.out} keeps its errors to itself, and picocli's writer over it too: a pipe whose reader has gone, or
     * a redirect to a full disk, would pass as written, the output cut short and the status 0. Whatever a command
     * prints there, a failed write is its one-line error.
     */
    @Test
    void aFailedWriteIsAnError() {
        PrintStream before = System.out;
        StringWriter err = new StringWriter();
        int status;
        System.setOut(BrokenPipe.stream());
        try {
            status = Main.commandLine().setErr(new PrintWriter(err, true)).execute("models");
        } finally {
            System.setOut(before);
        }
        assertEquals(OneLineErrors.BAD_INPUT, status, err.toString());
        assertEquals("dgnet models: i/o error: cannot write to standard output (its reader gone, or its disk full?)",
                err.toString().strip());
    }
}
