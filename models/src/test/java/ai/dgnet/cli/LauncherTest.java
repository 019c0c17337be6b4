package ai.dgnet.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code dgnet} launcher script at the repository's root, run by bash as a user runs it. */
class LauncherTest {
    /**
     * A {@code DGNET_JAVA_OPTS} that does not split into words (a quote left open) had bash print its parser's two
     * lines before the launcher's own.
     */
    @Test
    void javaOptionsThatDoNotSplitAreOneLine() throws Exception {
        for (String options : new String[] {"-Dx='open", "-Da=\"b\nc", "-Xmx1g -Dx=(a"}) {
            Result run = launch(options);
            assertEquals(2, run.status(), run.err());
            assertEquals("dgnet: DGNET_JAVA_OPTS does not split into options (a quote or bracket left open?): "
                    + options.replace('\n', ' '), run.err().strip());
            assertEquals("", run.out());
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result launch(String javaOptions) throws Exception {
        // models/target/test-classes -> the repository's root
        Path root = Path.of(LauncherTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent();
        Path launcher = root.resolve("dgnet");
        assumeTrue(Files.isRegularFile(launcher), "no launcher at " + launcher);
        ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "--version");
        builder.environment().put("DGNET_JAVA_OPTS", javaOptions);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not finish in 60 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), out, err);
    }
}
