package ai.dgnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptionChecksTest {
    @Test
    void aValueBelowItsBoundIsNamedWithItsOptionAlone() {
        OptionChecks.atLeast("--batch", 1, 1);
        OptionChecks.atLeast("--size", 1, null);
        assertEquals("--batch must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> OptionChecks.atLeast("--batch", 1, 0)).getMessage());
        assertEquals("--warmup must be >= 0, got -3", assertThrows(IllegalArgumentException.class,
                () -> OptionChecks.atLeast("--warmup", 0, -3)).getMessage());
        assertEquals("--max-request-mb must be >= 1, got -9223372036854775808", assertThrows(
                IllegalArgumentException.class,
                () -> OptionChecks.atLeast("--max-request-mb", 1, Long.MIN_VALUE)).getMessage());
        OptionChecks.atMost("--runs", 10, 10);
        assertEquals("--runs must be <= 10, got 11",
                assertThrows(IllegalArgumentException.class, () -> OptionChecks.atMost("--runs", 10, 11)).getMessage());
    }

    @Test
    void anOutputThatIsAnInputIsRefusedByWhatItIs(@TempDir Path dir) throws IOException {
        Path image = Files.writeString(dir.resolve("a.png"), "x");
        Path other = Files.writeString(dir.resolve("b.png"), "y");
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), image);
        Map<String, Path> inputs = Map.of("the image a.png", image);
        OptionChecks.notAnInput("--out", dir.resolve("new.png"), inputs);
        OptionChecks.notAnInput("--out", other, inputs);
        assertEquals("--out " + image + " is the image a.png: write the output to another file", assertThrows(
                IllegalArgumentException.class, () -> OptionChecks.notAnInput("--out", image, inputs)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptionChecks.notAnInput("--out", link, inputs));
    }

    @Test
    void anOutputInAMissingFolderOrThatIsAFolderIsRefused(@TempDir Path dir) throws IOException {
        OptionChecks.creatable(dir.resolve("new.svg"));
        OptionChecks.creatable(Files.writeString(dir.resolve("old.svg"), "x"));
        Path missing = dir.resolve("none").resolve("new.svg");
        assertEquals("cannot write " + missing + ": no such folder " + dir.resolve("none"), assertThrows(
                IllegalArgumentException.class, () -> OptionChecks.creatable(missing)).getMessage());
        assertEquals("cannot write " + dir + ": it is a folder", assertThrows(IllegalArgumentException.class,
                () -> OptionChecks.creatable(dir)).getMessage());
    }

    /** A "folder" that is a file was called missing, though the user can see it there. */
    @Test
    void anOutputInAFolderThatIsAFileIsRefusedAsSuch(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path out = file.resolve("new.svg");
        assertEquals("cannot write " + out + ": " + file + " is not a folder", assertThrows(
                IllegalArgumentException.class, () -> OptionChecks.creatable(out)).getMessage());
    }

    /**
     * An output that is a symbolic link is written where the link points, beside the file it names: that folder is
     * the one checked. Here the link names a file in a folder that does not exist, and the command would have run its
     * model before the write failed.
     */
    @Test
    void anOutputThatIsALinkIsCheckedWhereItPoints(@TempDir Path dir) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("graph.svg"), Path.of("none", "graph.svg"));
        assertEquals("cannot write " + link + ": no such folder " + dir.resolve("none"), assertThrows(
                IllegalArgumentException.class, () -> OptionChecks.creatable(link)).getMessage());
    }
}
