package ai.dgnet.tests;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code dgnet} launcher with its standard output closed ({@code >&-}): the launcher's own redirection of it
 * failed, and bash's two lines ("1: Bad file descriptor", "status: unbound variable") and exit status 1 came instead
 * of one line saying what was wrong.
 */
class LauncherClosedOutputTest {
    @Test
    void aClosedStandardOutputIsOneLineAndStatus2() throws Exception {
        // tests/target/test-classes -> the repository's root
        Path root = Path.of(LauncherClosedOutputTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).getParent().getParent().getParent();
        assumeTrue(Files.isRegularFile(root.resolve("models/target/launcher/jvm.options")),
                "the dgnet command is not built (./mvnw package builds it)");
        for (String command : List.of("models", "serve")) {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", "exec bash \"$0\" \"$1\" >&-",
                    root.resolve("dgnet").toString(), command);
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the launcher did not finish in 60 s");
            }
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, process.exitValue(), command + ": " + err);
            assertEquals("dgnet: cannot write to standard output: it is closed (redirect it to /dev/null to drop what "
                    + "dgnet prints)\n", err, command);
        }
    }
}
