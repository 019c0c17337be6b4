package ai.dgnet.models.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Writes a file that appears under its name only once complete: the content goes to a temporary file in the same
 * folder, is flushed to disk, and the temporary file is renamed over the target. A write that fails or is cut short
 * leaves no half-written file under the name and any earlier file of that name as it was. As a write in place would,
 * it follows a symbolic link to the file it names and gives the new file the permissions of the one it replaces (not
 * its owner, which only root could set).
 */
public final class AtomicFile {
    /** Of the target's name in the temporary file's: 32 take at most 128 bytes, leaving room for the rest. */
    private static final int TEMP_NAME_CODE_POINTS = 32;
    /** Links followed before giving up, as Linux does (its {@code MAXSYMLINKS}): a loop of links names no file. */
    private static final int MAX_LINKS = 40;

    /** What goes into the file, written from its start. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel out) throws IOException;
    }

    private AtomicFile() {
    }

    /** Writes {@code content} as {@code file}, replacing any file of that name only once the new one is complete. */
    public static void write(Path file, Content content) throws IOException {
        Path target = target(file);
        // Not Files.createTempFile: its owner-only permissions would carry over to the file. The name's start only,
        // so that the temporary name stays within the 255 bytes of a file name wherever the target's does.
        String start = target.getFileName().toString().codePoints().limit(TEMP_NAME_CODE_POINTS)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        Path temp = target.resolveSibling("." + start + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                + ".partial");
        try {
            writeAndRename(temp, target, permissions(target), content);
        } catch (IOException e) {
            throw naming(file, temp, e);
        }
    }

    /**
     * The file a {@link #write} of {@code file} replaces or creates, as an absolute path: {@code file}, or the file it
     * names where it is a symbolic link (dangling or not), as writing in place would follow it: renaming over the link
     * would replace it by a file of its own and leave the file it named as it was. The temporary file goes beside it,
     * so its folder is the one the write must be able to create a file in.
     */
    public static Path target(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path named = target;
        for (int links = 0; Files.isSymbolicLink(named); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(target.toString(), null, "Too many levels of symbolic links");
            }
            named = named.resolveSibling(Files.readSymbolicLink(named));
        }
        return named;
    }

    /**
     * The permissions of the file to be replaced, which the new one keeps, as it would written in place (a model
     * file kept from others stays so); null where there is none, or the file system has no POSIX permissions.
     */
    private static Set<PosixFilePermission> permissions(Path target) throws IOException {
        try {
            return Files.getPosixFilePermissions(target);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void writeAndRename(Path temp, Path target, Set<PosixFilePermission> permissions,
                                       Content content) throws IOException {
        // Nothing to clean up where this fails: the temporary file is not there.
        FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            try (out) {
                // Before the content goes in: a file kept from others is never readable by them.
                if (permissions != null) {
                    Files.setPosixFilePermissions(temp, permissions);
                }
                content.writeTo(out);
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable e) {
            // A failed removal (its folder gone, say) must not replace the error that says why the write failed.
            try {
                Files.deleteIfExists(temp);
            } catch (IOException removal) {
                e.addSuppressed(removal);
            }
            throw e;
        }
    }

    /**
     * {@code e} as an error naming {@code file}, the one the caller asked for, where it names the temporary file (an
     * unwritable or read-only folder, a folder that is gone) or no file at all (a full disk): the temporary file is a
     * detail of the writing, and its name would send the user looking for a file they never asked for. The kinds the
     * command line words on their own (no such file, permission denied) stay those kinds.
     */
    private static IOException naming(Path file, Path temp, IOException e) {
        String name = file.toString();
        IOException named;
        if (e instanceof FileSystemException f && temp.toString().equals(f.getFile())) {
            named = switch (f) {
                case AccessDeniedException a -> new AccessDeniedException(name);
                case NoSuchFileException n -> new NoSuchFileException(name);
                default -> new FileSystemException(name, null, f.getReason() != null ? f.getReason()
                        : f.getClass().getSimpleName());
            };
        } else if (e.getClass() == IOException.class) {
            named = new FileSystemException(name, null, e.getMessage());
        } else {
            return e;
        }
        named.initCause(e);
        return named;
    }
}
