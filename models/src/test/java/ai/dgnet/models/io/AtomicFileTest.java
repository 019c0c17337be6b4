package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors of a write name the file the caller asked for: some named the hidden temporary file written first (its
 * folder gone, a folder that is a file), and a full disk named no file at all.
 */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void aFolderThatGoesAwayDuringTheWriteIsReportedForTheFileAsked() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out"));
        Path file = folder.resolve("result.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> AtomicFile.write(file, out -> {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            Files.move(folder, dir.resolve("moved"));
        }));
        assertEquals(file.toString(), e.getFile());
        assertFalse(e.getMessage().contains(".partial"), e.getMessage());
    }

    @Test
    void aFolderThatIsAFileIsReportedForTheFileAsked() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x").resolve("result.safetensors");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> new SafeTensorsWriter().add("x", new int[] {1}, new float[] {1}).write(file));
        assertEquals(file.toString(), e.getFile());
        assertEquals("Not a directory", e.getReason());
        assertFalse(e.getMessage().contains(".partial"), e.getMessage());
    }

    @Test
    void aFullDiskIsReportedForTheFileAskedAndKeepsTheEarlierFile() throws IOException {
        Path file = Files.writeString(dir.resolve("result.safetensors"), "earlier");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFile.write(file, out -> {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            // What FileChannel.write throws for ENOSPC.
            throw new IOException("No space left on device");
        }));
        assertEquals(file + ": No space left on device", e.getMessage());
        assertEquals("earlier", Files.readString(file));
        try (var names = Files.list(dir)) {
            assertEquals(List.of(file), names.toList(), "no temporary file is left");
        }
    }

    /**
     * A target that is a symbolic link: the file it names is replaced and the link stays, as writing in place
     * (which {@code dgnet graph --out} did) leaves them. The link was replaced by a file of its own, the file it named
     * left as it was.
     */
    @Test
    void aLinkIsFollowedAndKept() throws IOException {
        Path real = Files.writeString(Files.createDirectory(dir.resolve("real")).resolve("graph.svg"), "earlier");
        Path link = Files.createSymbolicLink(dir.resolve("graph.svg"), Path.of("real", "graph.svg"));
        AtomicFile.write(link, out -> out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.US_ASCII))));
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new", Files.readString(real));
        try (var names = Files.list(real.getParent())) {
            assertEquals(List.of(real), names.toList(), "no temporary file is left beside the file");
        }
    }

    /** A replaced file keeps its permissions, as in place; the new file had the default ones (here rw-r--r--). */
    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        Path file = Files.writeString(dir.resolve("result.safetensors"), "earlier");
        Set<PosixFilePermission> ownerAndGroup = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(file, ownerAndGroup);
        AtomicFile.write(file, out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertEquals(ownerAndGroup, Files.getPosixFilePermissions(file));
        assertEquals(3, Files.size(file));
    }
}
