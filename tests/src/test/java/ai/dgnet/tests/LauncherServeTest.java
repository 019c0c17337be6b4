package ai.dgnet.tests;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code dgnet serve} through the launcher, as a supervisor starts it: the process started is the JVM itself, so that
 * the supervisor's SIGTERM reaches it and stops the server gracefully, and its standard error holds what dgnet says
 * without the JVM's notice of the incubating Vector API, which the other commands drop too.
 */
class LauncherServeTest {
    private static final String NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector";

    @Test
    void serveIsTheJavaProcessStopsOnSigtermAndItsStandardErrorHasNoIncubatorNotice() throws Exception {
        // tests/target/test-classes -> the repository's root
        Path root = Path.of(LauncherServeTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent();
        assumeTrue(Files.isRegularFile(root.resolve("models/target/launcher/jvm.options")),
                "the dgnet command is not built (./mvnw package builds it)");
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("dgnet").toString(), "serve", "resnet20",
                "--port", "0", "--warmup-runs", "0", "--jit-warmup-ms", "0");
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process process = builder.start();
        try {
            List<String> out = new ArrayList<>();
            BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.add(line);
                if (line.startsWith("dgnet serve: ready")) {
                    break;
                }
            }
            assertTrue(out.getLast().startsWith("dgnet serve: ready"), String.join("\n", out));
            String command = process.info().command().orElse("");
            assertTrue(command.endsWith("/java"), "the launcher's process runs " + command);

            // SIGTERM through the handle: Process.destroy would also close the streams still to be read.
            assertTrue(process.toHandle().destroy(), "no SIGTERM sent");
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server did not stop in 60 s after SIGTERM");
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.add(line);
            }
            // Read to its end: the filter has passed everything the server wrote.
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(128 + 15, process.exitValue(), err);
            assertEquals("dgnet serve: stopped", out.getLast(), String.join("\n", out));
            assertFalse(err.contains(NOTICE), err);
        } finally {
            process.destroyForcibly();
        }
    }
}
