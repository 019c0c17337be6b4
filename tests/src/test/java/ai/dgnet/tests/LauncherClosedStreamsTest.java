package ai.dgnet.tests;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code dgnet} launcher with its standard output or input closed ({@code >&-}, {@code <&-}), whose number the
 * JVM would otherwise give to the first file it opens.
 */
class LauncherClosedStreamsTest {
    @TempDir
    Path dir;

    private Path launcher;

    @BeforeEach
    void findLauncher() throws Exception {
        // tests/target/test-classes -> the repository's root
        Path root = Path.of(LauncherClosedStreamsTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).getParent().getParent().getParent();
        assumeTrue(Files.isRegularFile(root.resolve("models/target/launcher/jvm.options")),
                "the dgnet command is not built (./mvnw package builds it)");
        launcher = root.resolve("dgnet");
    }

    /**
     * The launcher's own redirection of standard output failed, and bash's two lines ("1: Bad file descriptor",
     * "status: unbound variable") and exit status 1 came instead of one line saying what was wrong.
     */
    @Test
    void aClosedStandardOutputIsOneLineAndStatus2() throws Exception {
        for (String command : List.of("models", "serve")) {
            Run run = run("exec bash \"$0\" \"$1\" >&-", command);
            assertEquals(2, run.status(), command + ": " + run.err());
            assertEquals("dgnet: cannot write to standard output: it is closed (redirect it to /dev/null to drop what "
                    + "dgnet prints)\n", run.err(), command);
        }
    }

    /** {@code --input -} read the JVM's module image, open under standard input's number, as the tensor file. */
    @Test
    void aClosedStandardInputIsEmpty() throws Exception {
        Path model = dir.resolve("model.safetensors");
        try (DgModel dg = DgModel.random(Arch.RESNET20, Mode.DYNAMIC, 3)) {
            dg.save(model);
        }
        Run run = run("exec bash \"$0\" infer \"$1\" --input - --output \"$2\" <&-", model.toString(),
                dir.resolve("out.safetensors").toString());
        assertEquals(2, run.status(), run.err());
        assertEquals("dgnet infer: standard input: truncated: 0 bytes, too short for the 8-byte header length\n",
                run.err());
    }

    private record Run(int status, String err) {
    }

    /** Runs bash's {@code script} with the launcher as {@code $0} and {@code arguments} as {@code $1...}. */
    private Run run(String script, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, launcher.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not finish in 60 s");
        }
        return new Run(process.exitValue(), new String(process.getErrorStream().readAllBytes(),
                StandardCharsets.UTF_8));
    }
}
