package ai.dgnet.tests;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code dgnet} launcher in the C locale, where containers, cron and services run it: Java reads file names in
 * the locale's charset, ASCII there, so a name typed in UTF-8 could not be opened at all ("Malformed input or input
 * contains unmappable characters").
 */
class LauncherLocaleTest {
    @TempDir
    Path dir;

    @Test
    void aFileNameOutsideAsciiOpensInTheCLocale() throws Exception {
        // tests/target/test-classes -> the repository's root
        Path root = Path.of(LauncherLocaleTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent();
        Path launcher = root.resolve("dgnet");
        assumeTrue(Files.isRegularFile(root.resolve("models/target/launcher/jvm.options")),
                "the dgnet command is not built (./mvnw package builds it)");
        Path model = dir.resolve("mödel ✓.safetensors");
        try (DgModel dg = DgModel.random(Arch.RESNET20, Mode.DYNAMIC, 3)) {
            dg.save(model);
        }
        for (List<String> locale : List.of(List.of("LC_ALL", "C"), List.of("LANG", "POSIX"), List.<String>of())) {
            ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "info", model.toString());
            builder.environment().keySet().removeIf(name -> name.equals("LANG") || name.startsWith("LC_"));
            if (!locale.isEmpty()) {
                builder.environment().put(locale.get(0), locale.get(1));
            }
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the launcher did not finish in 60 s");
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), locale + ": " + err);
            assertTrue(out.startsWith(model + ": resnet20, dynamic"), locale + ": " + out);
        }
    }
}
