package ai.dgnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs named {@code -}: standard input, as Unix tools take it. */
class StandardInputTest {
    /**
     * A tensor file is no text to type: on a terminal, {@code infer --input -} would sit waiting for one. So, as gzip
     * does, it refuses a terminal, before it reads anything (here not even the model, which is missing); it read a
     * file named '-' instead. script(1) runs the command with a terminal as its standard input.
     */
    @Test
    void binaryInputFromATerminalIsRefused(@TempDir Path dir) throws Exception {
        OnATerminal run = OnATerminal.run(dir, "", Main.class, "infer", "model.safetensors", "--input", "-",
                "--output", "out.safetensors");
        assertEquals(OneLineErrors.BAD_INPUT, run.status(), run.screen());
        assertTrue(run.screen().lines().map(String::strip).anyMatch(("dgnet infer: --input - is standard input, a "
                + "terminal, which gives no binary tensor file: redirect it from a file or a pipe")::equals),
                run.screen());
    }
}
