package ai.dgnet.dnnl;

import ai.dgnet.dnnl.c.dnnl_common_h;
import ai.dgnet.dnnl.c.dnnl_config_h;
import ai.dgnet.dnnl.c.dnnl_version_t;
import ai.dgnet.dnnl.c.omp_h;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnnlLibraryTest {

    @Test
    void theCacheFollowsTheSettingThenXdgCacheHomeThenHome() {
        Map<String, String> env = new HashMap<>(Map.of("HOME", "/home/elsewhere"));
        assertEquals(Path.of("/home/elsewhere/.cache/dgnet"), DnnlLibrary.cacheRoot(null, env::get, "/root"));
        env.put("XDG_CACHE_HOME", "/var/cache/me");
        assertEquals(Path.of("/var/cache/me/dgnet"), DnnlLibrary.cacheRoot(" ", env::get, "/root"));
        assertEquals(Path.of("/srv/c"), DnnlLibrary.cacheRoot("/srv/c", env::get, "/root"));
        // Relative values are ignored, as the XDG base directory spec says; an unset HOME leaves Java's user.home.
        env.put("XDG_CACHE_HOME", "relative");
        env.put("HOME", "also/relative");
        assertEquals(Path.of("/root/.cache/dgnet"), DnnlLibrary.cacheRoot(null, env::get, "/root"));
        env.clear();
        assertEquals(Path.of("/root/.cache/dgnet"), DnnlLibrary.cacheRoot(null, env::get, "/root"));
    }

    @Test
    void loadsOneDnn3WithTheOpenMpRuntime() {
        assertTrue(DnnlLibrary.version().matches("3\\.\\d+\\.\\d+ \\(cpu runtime: OMP\\)"), DnnlLibrary.version());
        assertEquals(DnnlLibrary.DNNL_FILE, DnnlLibrary.libraryPath().getFileName().toString());
        assertEquals(dnnl_config_h.DNNL_RUNTIME_OMP(), dnnl_version_t.cpu_runtime(dnnl_common_h.dnnl_version()));
        // Resolves through libdnnl's handle into the OpenMP runtime it links.
        assertTrue(omp_h.omp_get_max_threads() >= 1);
    }

    @Test
    void racingExtractionsLeaveOneCompleteFolder(@TempDir Path cacheRoot) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<Path> extract = () -> {
            start.await();
            return DnnlLibrary.extract(cacheRoot);
        };
        List<Path> folders;
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<Path> first = threads.submit(extract);
            Future<Path> second = threads.submit(extract);
            folders = List.of(first.get(), second.get());
        }
        assertEquals(folders.get(0), folders.get(1));
        assertIsCompleteCopy(folders.get(0));
        try (Stream<Path> natives = Files.list(folders.get(0).getParent())) {
            assertEquals(List.of(folders.get(0)), natives.toList(), "staging folders left behind");
        }
    }

    /**
     * Once one extraction has published a complete folder, it stays there while the others finish: a process that
     * found it complete loads from it a moment later, and one that found nothing there must not take it away.
     */
    @Test
    void aPublishedFolderStaysWhileLaterExtractionsFinish(@TempDir Path cacheRoot) throws Exception {
        Path folder = cacheRoot.resolve("natives").resolve("dnnl-" + DnnlLibrary.bundledVersion());
        int extractions = 4;
        CyclicBarrier start = new CyclicBarrier(extractions);
        Callable<Path> extract = () -> {
            start.await();
            return DnnlLibrary.extract(cacheRoot);
        };
        int gaps = 0;
        try (ExecutorService threads = Executors.newFixedThreadPool(extractions)) {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < extractions; i++) {
                results.add(threads.submit(extract));
            }
            boolean published = false;
            while (!results.stream().allMatch(Future::isDone)) {
                boolean complete = isCompleteCopy(folder);
                if (published && !complete) {
                    gaps++;
                }
                published |= complete;
            }
            for (Future<Path> result : results) {
                assertEquals(folder, result.get());
            }
        }
        assertEquals(0, gaps, "looks that found " + folder + " incomplete after it was first complete");
        assertIsCompleteCopy(folder);
    }

    @Test
    void replacesAnIncompleteFolder(@TempDir Path cacheRoot) throws IOException {
        Path folder = cacheRoot.resolve("natives").resolve("dnnl-" + DnnlLibrary.bundledVersion());
        Files.createDirectories(folder);
        Files.write(folder.resolve(DnnlLibrary.DNNL_FILE), new byte[] {0x7f, 'E', 'L', 'F'});

        assertEquals(folder, DnnlLibrary.extract(cacheRoot));
        assertIsCompleteCopy(folder);
    }

    /**
     * A process killed while extracting leaves its staging folder behind; a later extraction removes it once its
     * process is gone and it has not changed for a while, but never one whose process lives (another thread of this
     * one among them) nor one still being written (its process may live on another machine sharing the cache).
     */
    @Test
    void removesStagingFoldersOfDeadProcesses(@TempDir Path cacheRoot) throws Exception {
        Path folder = cacheRoot.resolve("natives").resolve("dnnl-" + DnnlLibrary.bundledVersion());
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        long dead = exited.pid();
        long live = ProcessHandle.current().pid();
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Path abandoned = leftover(folder.resolveSibling("." + folder.getFileName() + "-" + dead + "-123"), old);
        Path movedAside = leftover(folder.resolveSibling(folder.getFileName() + "-stale-" + dead + "-456"), old);
        Path ofLiveProcess = leftover(folder.resolveSibling("." + folder.getFileName() + "-" + live + "-789"), old);
        Path beingWritten = leftover(folder.resolveSibling("." + folder.getFileName() + "-" + dead + "-321"), null);

        assertEquals(folder, DnnlLibrary.extract(cacheRoot));
        assertIsCompleteCopy(folder);
        assertFalse(Files.exists(abandoned), abandoned + " left behind");
        assertFalse(Files.exists(movedAside), movedAside + " left behind");
        assertTrue(Files.exists(ofLiveProcess.resolve(DnnlLibrary.DNNL_FILE)), ofLiveProcess + " removed");
        assertTrue(Files.exists(beingWritten.resolve(DnnlLibrary.DNNL_FILE)), beingWritten + " removed");

        // A complete folder does not stop the clean-up: the leftover of a process that lost a race stays otherwise.
        Files.setLastModifiedTime(beingWritten.resolve(DnnlLibrary.DNNL_FILE), old);
        Files.setLastModifiedTime(beingWritten, old);
        assertEquals(folder, DnnlLibrary.extract(cacheRoot));
        assertFalse(Files.exists(beingWritten), beingWritten + " left behind");
        assertIsCompleteCopy(folder);
    }

    /**
     * Staging folders of versions that did not name them with a pid ({@code .dnnl-<version>-N}, N from
     * {@code createTempDirectory}) were never removed. Nothing tells whether their process lives, so one goes only once
     * nothing in it has changed for a day: not one unchanged for hours (its process may be stopped, not dead), nor one
     * being written.
     */
    @Test
    void removesStagingFoldersWithoutAPidOnceUnchangedForADay(@TempDir Path cacheRoot) throws Exception {
        Path folder = cacheRoot.resolve("natives").resolve("dnnl-" + DnnlLibrary.bundledVersion());
        Instant now = Instant.now();
        String prefix = "." + folder.getFileName() + "-";
        Path abandoned = leftover(folder.resolveSibling(prefix + "8301746523394728833"),
                FileTime.from(now.minus(Duration.ofDays(1).plusHours(1))));
        Path hoursOld = leftover(folder.resolveSibling(prefix + "1234"),
                FileTime.from(now.minus(Duration.ofHours(20))));
        Path beingWritten = leftover(folder.resolveSibling(prefix + "5678"), null);

        assertEquals(folder, DnnlLibrary.extract(cacheRoot));
        assertIsCompleteCopy(folder);
        assertFalse(Files.exists(abandoned), abandoned + " left behind");
        assertTrue(Files.exists(hoursOld.resolve(DnnlLibrary.DNNL_FILE)), hoursOld + " removed");
        assertTrue(Files.exists(beingWritten.resolve(DnnlLibrary.DNNL_FILE)), beingWritten + " removed");
    }

    /** A partial copy in {@code folder}, last changed at {@code changed} (now where null). */
    private static Path leftover(Path folder, FileTime changed) throws IOException {
        Files.createDirectories(folder);
        Path file = Files.write(folder.resolve(DnnlLibrary.DNNL_FILE), new byte[] {0x7f, 'E', 'L', 'F'});
        if (changed != null) {
            Files.setLastModifiedTime(file, changed);
            Files.setLastModifiedTime(folder, changed);
        }
        return folder;
    }

    /**
     * A cached library of the right size that does not load (damaged in place: its ELF header overwritten) is
     * replaced by a fresh copy, and that one is loaded. Before, the error told the user to delete the folder by hand.
     */
    @Test
    void loadsFromAFreshCopyWhereTheCachedLibraryDoesNotLoad(@TempDir Path cacheRoot) throws IOException {
        Path folder = DnnlLibrary.extract(cacheRoot);
        Path library = folder.resolve(DnnlLibrary.DNNL_FILE);
        try (FileChannel file = FileChannel.open(library, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), 0);
        }

        DnnlLibrary.Loaded loaded = DnnlLibrary.loadBundled(cacheRoot);

        assertEquals(library, loaded.path());
        assertTrue(loaded.version().matches("3\\.\\d+\\.\\d+ \\(cpu runtime: OMP\\)"), loaded.version());
        assertEquals(-1, Files.mismatch(library, resourceCopy(cacheRoot, DnnlLibrary.DNNL_FILE)),
                library + " still differs from the bundled library");
    }

    /** The bundled {@code file} as the classpath gives it, copied under {@code folder}. */
    private static Path resourceCopy(Path folder, String file) throws IOException {
        Path copy = folder.resolve("expected-" + file);
        try (InputStream in = DnnlLibraryTest.class.getClassLoader()
                .getResourceAsStream(DnnlLibrary.RESOURCE_DIR + file)) {
            Files.copy(in, copy);
        }
        return copy;
    }

    @Test
    void missingSystemLibraryIsNamedWithTheVariable(@TempDir Path empty) {
        Path missing = empty.resolve(DnnlLibrary.DNNL_FILE);
        DnnlLibraryException e = assertThrows(DnnlLibraryException.class, () -> DnnlLibrary.loadSystem(missing));
        String expected = DnnlLibrary.LIBRARY_ENV + "=" + missing + " is not a file:";
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void systemLibraryThatIsNotOneDnnIsRejected() {
        Path openMp = DnnlLibrary.extract(DnnlLibrary.cacheRoot()).resolve(DnnlLibrary.GOMP_FILE);
        DnnlLibraryException e = assertThrows(DnnlLibraryException.class, () -> DnnlLibrary.loadSystem(openMp));
        assertTrue(e.getMessage().contains("has no dnnl_version symbol"), e.getMessage());
        assertTrue(e.getMessage().contains(DnnlLibrary.LIBRARY_ENV), e.getMessage());
    }

    @Test
    void missingSymbolIsNamedWithTheLibrary() {
        DnnlLibraryException e = assertThrows(DnnlLibraryException.class,
                () -> DnnlLibrary.findOrThrow("dnnl_no_such_function"));
        assertTrue(e.getMessage().startsWith("symbol dnnl_no_such_function not found in " + DnnlLibrary.libraryPath()),
                e.getMessage());
    }

    /** Whether {@code folder} holds both libraries at the sizes the classpath gives them. */
    private static boolean isCompleteCopy(Path folder) throws IOException {
        for (String file : List.of(DnnlLibrary.DNNL_FILE, DnnlLibrary.GOMP_FILE)) {
            URL resource = DnnlLibraryTest.class.getClassLoader().getResource(DnnlLibrary.RESOURCE_DIR + file);
            Path copy = folder.resolve(file);
            try {
                if (Files.size(copy) != resource.openConnection().getContentLengthLong()) {
                    return false;
                }
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        return true;
    }

    private static void assertIsCompleteCopy(Path folder) throws IOException {
        for (String file : List.of(DnnlLibrary.DNNL_FILE, DnnlLibrary.GOMP_FILE)) {
            URL resource = DnnlLibraryTest.class.getClassLoader().getResource(DnnlLibrary.RESOURCE_DIR + file);
            assertEquals(resource.openConnection().getContentLengthLong(), Files.size(folder.resolve(file)), file);
        }
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(2, files.count(), "files in " + folder);
        }
    }
}
