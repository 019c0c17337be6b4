package ai.dgnet.models.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Writes a file that appears under its name only once complete: the content goes to a temporary file in the same
 * folder, is flushed to disk, and the temporary file is renamed over the target. A write that fails or is cut short
 * leaves no half-written file under the name and any earlier file of that name as it was. As a write in place would,
 * it follows a symbolic link to the file it names and gives the new file the permissions, owner and group of the one
 * it replaces (the owner where the process may set it: as root).
 *
 * <p>Where the file system refuses to rename over an existing file but lets it be written, the finished content is
 * copied over the file in place instead: a file bind-mounted on its own into a container ({@code docker run -v
 * ./out.png:/out.png}) is a mount point, which no rename may replace ({@code EBUSY}, or {@code EXDEV}). Only then is
 * a write cut short able to leave the file half-written.
 *
 * <p>A name that gives no regular file but a device or a pipe ({@code /dev/null}, a named pipe, {@code /dev/stdout}
 * on a pipe) is written into, as a shell's {@code >} writes it: a rename would put a regular file in its place.
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

    /**
     * Writes all of {@code bytes} to {@code out}: a channel may take fewer than it is given in one write (a file on a
     * nearly full disk, a pipe), and a single call would then cut the output short without an error.
     */
    public static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** The steps of a write that a file system may refuse where others allow them; tests make them fail. */
    interface FileSystemSteps {
        void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException;

        void renameOver(Path temp, Path target) throws IOException;
    }

    /** The steps as the file system takes them. */
    static final FileSystemSteps FILE_SYSTEM = new FileSystemSteps() {
        @Override
        public void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
            Files.setPosixFilePermissions(file, permissions);
        }

        @Override
        public void renameOver(Path temp, Path target) throws IOException {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    };

    private AtomicFile() {
    }

    /** Writes {@code content} as {@code file}, replacing any file of that name only once the new one is complete. */
    public static void write(Path file, Content content) throws IOException {
        write(file, content, FILE_SYSTEM);
    }

    static void write(Path file, Content content, FileSystemSteps steps) throws IOException {
        Path target = null;
        Path temp = null;
        try {
            if (isDeviceOrPipe(file)) {
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    content.writeTo(out);
                }
                return;
            }
            target = target(file);
            if (target.getFileName() == null) {
                // The root: no folder holds it, so there is no file to write beside it.
                throw new FileSystemException(target.toString(), null, "Is a directory");
            }
            // Not Files.createTempFile: its owner-only permissions would carry over to the file. The name's start
            // only, so that the temporary name stays within the 255 bytes of a file name wherever the target's does.
            String start = target.getFileName().toString().codePoints().limit(TEMP_NAME_CODE_POINTS)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            temp = target.resolveSibling("." + start + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                    + ".partial");
            writeAndReplace(temp, target, attributes(target), content, steps);
        } catch (IOException e) {
            throw naming(file, target, temp, e);
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
     * Whether {@code file}, its links followed, is neither a regular file nor a folder. A name whose attributes cannot
     * be read (missing, a loop of links, a folder not searchable) is not one: the write beside it then fails, or
     * succeeds, as for any other name, and says why in its own words.
     */
    private static boolean isDeviceOrPipe(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The permissions, owner and group of the file to be replaced, which the new one keeps, as it would written in
     * place (a model file kept from others stays so); null where there is none, or the file system has no POSIX
     * attributes.
     */
    private static PosixFileAttributes attributes(Path target) throws IOException {
        try {
            return Files.readAttributes(target, PosixFileAttributes.class);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void writeAndReplace(Path temp, Path target, PosixFileAttributes replaced, Content content,
                                        FileSystemSteps steps) throws IOException {
        // Nothing to clean up where this fails: the temporary file is not there.
        FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            try (out) {
                // Before the content goes in: a file kept from others is never readable by them.
                if (replaced != null) {
                    keepAttributes(temp, replaced, steps);
                }
                content.writeTo(out);
                out.force(true);
            }
            try {
                steps.renameOver(temp, target);
            } catch (FileSystemException e) {
                if (!replaceableInPlace(e, target)) {
                    throw e;
                }
                copyInPlace(temp, target, e);
                Files.delete(temp);
            }
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
     * Gives {@code temp} the owner, group and permissions of {@code replaced}, as far as the process may: an owner
     * only root may give, a group only one of its members, and some file systems (FAT, network shares, FUSE) refuse
     * any change. A refusal is no failure: the content is what the write is for, and the file then has the
     * attributes any file the process creates there has. The owner goes first, as changing it clears the
     * set-user-ID bits a later change of the permissions restores.
     */
    private static void keepAttributes(Path temp, PosixFileAttributes replaced, FileSystemSteps steps)
            throws IOException {
        PosixFileAttributes created = Files.readAttributes(temp, PosixFileAttributes.class);
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (!created.owner().equals(replaced.owner())) {
            try {
                view.setOwner(replaced.owner());
            } catch (IOException refused) {
                // Not root: the file is the writer's own, as a file anyone creates is.
            }
        }
        if (!created.group().equals(replaced.group())) {
            try {
                view.setGroup(replaced.group());
            } catch (IOException refused) {
                // Not a member of the group: the writer's own group, as for a file anyone creates.
            }
        }
        try {
            steps.setPermissions(temp, replaced.permissions());
        } catch (IOException refused) {
            // The file system's own permissions, which are all it has where it refuses to change them.
        }
    }

    /**
     * Whether the failed rename of the temporary file over {@code target} may be done by writing the target in place:
     * the target is a file that stays in place however the folder is changed (a mount point, or on another device).
     * Not where the rename was refused for lack of permission (the folder is not the process's to change) or a file
     * is gone: writing in place would get round the one or find no file either.
     */
    private static boolean replaceableInPlace(FileSystemException e, Path target) {
        return !(e instanceof AccessDeniedException || e instanceof NoSuchFileException)
                && Files.isRegularFile(target);
    }

    /**
     * Writes the content of {@code temp} over {@code target} in place, truncating it first; an error is the
     * target's, with {@code renameFailure}, which says why it was written in place, added to it.
     */
    private static void copyInPlace(Path temp, Path target, FileSystemException renameFailure) throws IOException {
        try (InputStream from = Files.newInputStream(temp);
             FileChannel to = FileChannel.open(target, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            from.transferTo(Channels.newOutputStream(to));
            to.force(true);
        } catch (IOException e) {
            e.addSuppressed(renameFailure);
            throw e;
        }
    }

    /**
     * {@code e} as an error naming {@code file}, the one the caller asked for, where it names the temporary file (an
     * unwritable or read-only folder, a folder that is gone), the target as {@link #target} makes it (absolute, the
     * file a link names) or no file at all (a full disk): the temporary file is a detail of the writing, and its name
     * would send the user looking for a file they never asked for. The kinds the command line words on their own (no
     * such file, permission denied) stay those kinds. {@code target} and {@code temp} are null where the error came
     * before they were known.
     */
    private static IOException naming(Path file, Path target, Path temp, IOException e) {
        String name = file.toString();
        IOException named;
        if (e instanceof FileSystemException f
                && (names(f, temp) || names(f, target) || names(f, file.toAbsolutePath()))) {
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

    private static boolean names(FileSystemException e, Path file) {
        return file != null && file.toString().equals(e.getFile());
    }
}
