package ai.dgnet.models.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file that appears under its name only once complete: the content goes to a temporary file in the same
 * folder, is flushed to disk, and the temporary file is renamed over the target. A write that fails or is cut short
 * leaves no half-written file under the name and any earlier file of that name as it was.
 */
public final class AtomicFile {
    /** Of the target's name in the temporary file's: 32 take at most 128 bytes, leaving room for the rest. */
    private static final int TEMP_NAME_CODE_POINTS = 32;

    /** What goes into the file, written from its start. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel out) throws IOException;
    }

    private AtomicFile() {
    }

    /** Writes {@code content} as {@code file}, replacing any file of that name only once the new one is complete. */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        // Not Files.createTempFile: its owner-only permissions would carry over to the file. The name's start only,
        // so that the temporary name stays within the 255 bytes of a file name wherever the target's does.
        String start = target.getFileName().toString().codePoints().limit(TEMP_NAME_CODE_POINTS)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        Path temp = target.resolveSibling("." + start + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                + ".partial");
        try {
            try (FileChannel out = openNew(temp, file)) {
                content.writeTo(out);
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates the file beside {@code file} that the data goes to first; where that is refused, the error names
     * {@code file}, the one the caller asked for.
     */
    private static FileChannel openNew(Path temp, Path file) throws IOException {
        try {
            return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw (AccessDeniedException) new AccessDeniedException(file.toString()).initCause(e);
        } catch (NoSuchFileException e) {
            throw (NoSuchFileException) new NoSuchFileException(file.toString()).initCause(e);
        }
    }
}
