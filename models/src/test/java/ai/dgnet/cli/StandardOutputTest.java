package ai.dgnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Outputs named {@code -}: standard output, as Unix tools take it. */
class StandardOutputTest {
    /**
     * A tensor file is bytes that are no text: on a terminal they would fill the screen, and could switch it into
     * another mode. So, as gzip does, {@code infer --output -} refuses a terminal, before it reads anything; it wrote
     * a file named '-' instead. script(1) runs the command with a terminal as its standard output.
     */
    @Test
    void binaryOutputToATerminalIsRefused(@TempDir Path dir) throws Exception {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "no script(1) to run the command on a terminal");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "infer", "model.safetensors", "--input", "input.safetensors", "--output", "-"));
        String line = command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Process process = new ProcessBuilder(script.toString(), "-qec", line, "/dev/null").directory(dir.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read before waiting: a child whose output fills the pipe would block forever.
        String terminal = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the command did not finish in 60 s:\n" + terminal);
        }
        assertEquals(OneLineErrors.BAD_INPUT, process.exitValue(), terminal);
        assertTrue(terminal.lines().map(String::strip).anyMatch(("dgnet infer: --output - is standard output, a "
                + "terminal, which takes no binary tensor file: redirect it to a file or a pipe")::equals), terminal);
        assertFalse(Files.exists(dir.resolve("-")), "no file named '-'");
    }

    /**
     * {@code System.out} keeps its errors to itself: a pipe whose reader has gone, or a redirect to a full disk,
     * would pass as written, the output cut short and the status 0.
     */
    @Test
    void aFailedWriteIsAnError() {
        PrintStream before = System.out;
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        }));
        try {
            IOException e = assertThrows(IOException.class,
                    () -> StandardOutput.write(out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}))));
            assertEquals("cannot write to standard output (its reader gone, or its disk full?)", e.getMessage());
        } finally {
            System.setOut(before);
        }
    }
}
