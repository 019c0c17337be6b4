package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Errors of a write name the file the caller asked for: some named the hidden temporary file written first (its
 * folder gone, a folder that is a file), and a full disk named no file at all.
 */
class AtomicFileTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    /**
     * A channel may take fewer bytes than it is given (a file on a nearly full disk, a pipe): what a single write left
     * over would be lost without an error.
     */
    @Test
    void writeFullyWritesEveryByteToAChannelThatTakesFewAtATime() throws IOException {
        byte[] content = "a report of several lines\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream taken = new ByteArrayOutputStream();
        WritableByteChannel threeAtATime = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = Math.min(3, src.remaining());
                for (int i = 0; i < n; i++) {
                    taken.write(src.get());
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        AtomicFile.writeFully(threeAtATime, ByteBuffer.wrap(content));
        assertArrayEquals(content, taken.toByteArray());
    }

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

    /**
     * A file bind-mounted on its own into a container is a mount point, which a rename may not replace ({@code
     * EBUSY}; {@code EXDEV} on some kernels): the write failed there, and the file was left as it was. It is now
     * written in place, shorter content truncating the longer, and no temporary file is left.
     */
    @Test
    void aFileNoRenameMayReplaceIsWrittenInPlace() throws IOException {
        Path file = dir.resolve("out.png");
        for (FileSystemException refusal : List.of(
                new FileSystemException(file.toString(), null, "Device or resource busy"),
                new AtomicMoveNotSupportedException(file.toString(), null, "Invalid cross-device link"))) {
            Files.writeString(file, "a longer earlier content");
            Object inode = Files.getAttribute(file, "unix:ino");
            AtomicFile.write(file, out -> out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.US_ASCII))),
                    refusingRename(refusal));
            assertEquals("new", Files.readString(file), refusal.getReason());
            assertEquals(inode, Files.getAttribute(file, "unix:ino"), "written in place: " + refusal.getReason());
            try (var names = Files.list(dir)) {
                assertEquals(List.of(file), names.toList(), "no temporary file is left");
            }
        }
    }

    /**
     * A target that is no regular file, a named pipe here as /dev/null is a device, is written into as a shell's
     * {@code >} writes it: the rename put a regular file in its place, and as root (a container's usual user) an
     * output given as /dev/null replaced the system's /dev/null.
     */
    @Test
    void aPipeOrDeviceIsWrittenIntoNotReplaced() throws Exception {
        Path pipe = dir.resolve("results.json");
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor());
        // The reader's open waits for the writer's; a pipe replaced leaves it waiting, on a daemon thread.
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(pipe);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        AtomicFile.write(pipe, out -> out.write(ByteBuffer.wrap("{}".getBytes(StandardCharsets.US_ASCII))));
        assertTrue(Files.readAttributes(pipe, BasicFileAttributes.class).isOther(), "still a named pipe");
        assertEquals("{}", read.get(WAIT_SECONDS, TimeUnit.SECONDS));
        try (var names = Files.list(dir)) {
            assertEquals(List.of(pipe), names.toList(), "no temporary file is left");
        }
    }

    /** A rename refused for lack of permission is no reason to write in place: it fails, as it did. */
    @Test
    void aRenameRefusedForLackOfPermissionFailsAndKeepsTheEarlierFile() throws IOException {
        Path file = Files.writeString(dir.resolve("result.safetensors"), "earlier");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> AtomicFile.write(file,
                out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3})),
                refusingRename(new AccessDeniedException(file.toString()))));
        assertEquals(file.toString(), e.getFile());
        assertEquals("earlier", Files.readString(file));
        try (var names = Files.list(dir)) {
            assertEquals(List.of(file), names.toList(), "no temporary file is left");
        }
    }

    /** A file system that refuses to change permissions (FAT, some network shares) made the write fail. */
    @Test
    void aFileSystemThatRefusesPermissionsStillGetsTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("graph.svg"), "earlier");
        AtomicFile.write(file, out -> out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.US_ASCII))),
                new AtomicFile.FileSystemSteps() {
                    @Override
                    public void setPermissions(Path f, Set<PosixFilePermission> permissions) throws IOException {
                        throw new FileSystemException(f.toString(), null, "Operation not permitted");
                    }

                    @Override
                    public void renameOver(Path temp, Path target) throws IOException {
                        AtomicFile.FILE_SYSTEM.renameOver(temp, target);
                    }
                });
        assertEquals("new", Files.readString(file));
    }

    /**
     * A replaced file keeps its owner and group where the process may set them (as root, which the build runs as),
     * as in place; the new file was the writer's own.
     */
    @Test
    void aReplacedFileKeepsItsOwnerAndGroupWhereTheProcessMay() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root may give a file to another user");
        Path file = Files.writeString(dir.resolve("result.safetensors"), "earlier");
        // Numeric ids that need no entry in the user and group databases.
        var principals = file.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(file, principals.lookupPrincipalByName("54321"));
        Files.getFileAttributeView(file, PosixFileAttributeView.class)
                .setGroup(principals.lookupPrincipalByGroupName("54322"));
        AtomicFile.write(file, out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertEquals(54321, Files.getAttribute(file, "unix:uid"));
        assertEquals(54322, Files.getAttribute(file, "unix:gid"));
        assertEquals(3, Files.size(file));
    }

    /** The file system's steps, the rename refused with {@code refusal}. */
    private static AtomicFile.FileSystemSteps refusingRename(FileSystemException refusal) {
        return new AtomicFile.FileSystemSteps() {
            @Override
            public void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
                AtomicFile.FILE_SYSTEM.setPermissions(file, permissions);
            }

            @Override
            public void renameOver(Path temp, Path target) throws IOException {
                throw refusal;
            }
        };
    }
}
