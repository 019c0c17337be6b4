package ai.dgnet.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A class's {@code main} run in a JVM of this test's flags and class path, on a terminal: script(1) gives it a
 * pseudo-terminal as standard input and output. The test is skipped where there is no script(1).
 */
record OnATerminal(int status, String screen) {
    private static final Path SCRIPT = Path.of("/usr/bin/script");

    /**
     * Runs {@code main} with {@code args} in {@code dir}, after the shell command {@code setUp} on the same terminal
     * ({@code stty cols 40}, say; empty for none), and returns its exit status and everything it wrote there.
     */
    static OnATerminal run(Path dir, String setUp, Class<?> main, String... args)
            throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(SCRIPT), "no script(1) to run the command on a terminal");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        String line = command.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Process process = new ProcessBuilder(SCRIPT.toString(), "-qec", setUp.isEmpty() ? line : setUp + "; " + line,
                "/dev/null").directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read before waiting: a child whose output fills the pipe would block forever.
        String screen = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the command did not finish in 60 s:\n" + screen);
        }
        return new OnATerminal(process.exitValue(), screen);
    }
}
