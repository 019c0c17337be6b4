package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
