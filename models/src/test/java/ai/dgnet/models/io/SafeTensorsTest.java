package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writing and reading well-formed files; the malformed ones are in {@link SafeTensorsMalformedTest}. */
class SafeTensorsTest {

    @TempDir
    Path dir;

    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.25f - 3;
        }
        return x;
    }

    @Test
    void roundTripKeepsMetadataShapesAndBits() throws IOException {
        // Values whose bits a careless conversion would lose: signed zero, NaN payload, infinity.
        float[] odd = {-0.0f, Float.intBitsToFloat(0x7FC00123), Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1e38f};
        float[] rank4 = ramp(2 * 3 * 4 * 5);
        float[] fromSegment = ramp(6);
        Path file = dir.resolve("model.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native6 = arena.allocate(6L * Float.BYTES);
            MemorySegment.copy(fromSegment, 0, native6, ValueLayout.JAVA_FLOAT, 0, 6);
            new SafeTensorsWriter()
                    .metadata(Map.of("dgnet.arch", "resnet20", "dgnet.labels", "[\"T-shirt\",\"Grüße \\\"x\\\"\"]"))
                    .metadata("dgnet.num_classes", "10")
                    .add("layer1.0.conv1.weight", new int[] {2, 3, 4, 5}, rank4)
                    .add("bn1.bias", new int[] {5}, odd)
                    .add("fc.weight", new int[] {2, 3}, native6)
                    .add("scalar", new int[] {}, new float[] {7})
                    .add("empty", new int[] {0, 3}, new float[0])
                    .write(file);
        }

        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(Map.of("dgnet.arch", "resnet20", "dgnet.labels", "[\"T-shirt\",\"Grüße \\\"x\\\"\"]",
                    "dgnet.num_classes", "10"), st.metadata());
            assertEquals(List.of("bn1.bias", "empty", "fc.weight", "layer1.0.conv1.weight", "scalar"),
                    List.copyOf(st.names()));
            assertEquals(new SafeTensors.TensorInfo("layer1.0.conv1.weight", SafeTensors.DType.F32,
                    new int[] {2, 3, 4, 5}, 480), st.info("layer1.0.conv1.weight"));
            assertEquals(0, st.info("empty").elementCount());
            assertArrayEquals(new int[] {}, st.info("scalar").shape());

            assertBitsEqual(rank4, st.floats("layer1.0.conv1.weight"));
            assertBitsEqual(odd, st.floats("bn1.bias"));
            assertBitsEqual(fromSegment, st.floats("fc.weight"));
            assertBitsEqual(new float[] {7}, st.floats("scalar"));
            assertBitsEqual(new float[0], st.floats("empty"));
        }
    }

    @Test
    void writesTheCanonicalLayout() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        new SafeTensorsWriter()
                .metadata("k", "v")
                .add("b", new int[] {3}, new float[] {1, 2, 3})
                .add("a", new int[] {1}, new float[] {4})
                .write(file);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) headerLength, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4f, data.getFloat());
        assertEquals(1f, data.getFloat());
        assertEquals(bytes.length, 8 + headerLength + 16);
    }

    @Test
    void omitsMetadataWhenThereIsNone() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        new SafeTensorsWriter().add("x", new int[] {1}, new float[] {1}).write(file);
        assertTrue(Files.readString(file, StandardCharsets.ISO_8859_1).contains("{\"x\":"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(Map.of(), st.metadata());
        }
    }

    /**
     * A name near the file system's limit of 255 bytes is written: the temporary file beside it, which had the whole
     * name and some 30 characters more, was refused as too long.
     */
    @Test
    void aFileWithANameNearTheLimitIsWritten() throws IOException {
        String suffix = ".safetensors";
        for (String unit : new String[] {"o", "\u00e9", "\ud83d\ude00"}) {
            int bytes = unit.getBytes(StandardCharsets.UTF_8).length;
            Path file = dir.resolve(unit.repeat((255 - suffix.length()) / bytes) + suffix);
            new SafeTensorsWriter().add("x", new int[] {2}, new float[] {1.5f, -2}).write(file);
            try (SafeTensors st = SafeTensors.open(file)) {
                assertBitsEqual(new float[] {1.5f, -2}, st.floats("x"));
            }
            try (var names = Files.list(dir)) {
                assertEquals(List.of(file), names.filter(f -> f.equals(file) || f.toString().endsWith(".partial"))
                        .toList(), "no temporary file is left");
            }
        }
    }

    @Test
    void aFileThatCannotBeWrittenIsNamedAsAskedNotByTheFileWrittenFirst() {
        Path file = dir.resolve("no-such-folder").resolve("out.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> new SafeTensorsWriter().add("x", new int[] {1}, new float[] {1}).write(file));
        assertEquals(file.toString(), e.getFile());
    }

    @Test
    void aFileTruncatedAfterItWasOpenedIsAOneLineErrorNotACrash() throws IOException {
        Path file = dir.resolve("shrinks.safetensors");
        // Large enough that the tensor's pages lie past the first one, which the header keeps.
        new SafeTensorsWriter().add("w", new int[] {1 << 16}, new float[1 << 16]).write(file);
        assertReadRefusedAfter(file, () -> {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(100);
            }
        }, "the file was cut to 100 bytes after it was opened");
    }

    /** A checkpoint saved again in place under the name the model was opened from, as PyTorch's save_file does. */
    @Test
    void aFileRewrittenInPlaceAfterItWasOpenedIsRefusedNotReadUnderTheOldHeader() throws IOException {
        Path file = dir.resolve("rewritten.safetensors");
        new SafeTensorsWriter().add("w", new int[] {4}, new float[] {1, 2, 3, 4}).write(file);
        Path next = dir.resolve("next.safetensors");
        new SafeTensorsWriter().add("w", new int[] {4}, new float[] {5, 6, 7, 8}).write(next);
        assertReadRefusedAfter(file, () -> {
            FileTime opened = Files.getLastModifiedTime(file);
            Files.write(file, Files.readAllBytes(next));
            // Some file systems count modification times in seconds: the rewrite must show as one.
            Files.setLastModifiedTime(file, FileTime.fromMillis(opened.toMillis() + 2000));
        }, "the file was rewritten after it was opened");
    }

    /** Rewritten larger within the modification time's granularity: the length alone shows the change. */
    @Test
    void aFileRewrittenLargerInPlaceIsRefusedEvenWithItsModificationTimeUnchanged() throws IOException {
        Path file = dir.resolve("grown.safetensors");
        new SafeTensorsWriter().add("w", new int[] {4}, new float[] {1, 2, 3, 4}).write(file);
        Path next = dir.resolve("larger.safetensors");
        new SafeTensorsWriter().add("w", new int[] {8}, new float[] {5, 6, 7, 8, 9, 10, 11, 12}).write(next);
        long size = Files.size(file);
        assertReadRefusedAfter(file, () -> {
            FileTime opened = Files.getLastModifiedTime(file);
            Files.write(file, Files.readAllBytes(next));
            Files.setLastModifiedTime(file, opened);
        }, "the file was rewritten after it was opened (" + Files.size(next) + " bytes, " + size + " then)");
    }

    private interface FileChange {
        void apply() throws IOException;
    }

    /** Opens {@code file}, changes it, and expects reading its tensor 'w' refused with a message that says why. */
    private static void assertReadRefusedAfter(Path file, FileChange change, String why) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            change.apply();
            ModelFileException e = assertThrows(ModelFileException.class, () -> st.floats("w"));
            assertTrue(e.getMessage().startsWith(file + ": tensor 'w': cannot be read: " + why), e.getMessage());
        }
    }

    /** A file replaced under its name (renamed over, as SafeTensorsWriter writes) keeps what was opened readable. */
    @Test
    void aFileReplacedUnderItsNameStillReadsWhatWasOpened() throws IOException {
        Path file = dir.resolve("replaced.safetensors");
        new SafeTensorsWriter().add("w", new int[] {4}, new float[] {1, 2, 3, 4}).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            new SafeTensorsWriter().add("w", new int[] {4}, new float[] {5, 6, 7, 8}).write(file);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2000));
            assertArrayEquals(new float[] {1, 2, 3, 4}, st.floats("w"));
        }
    }

    /**
     * Another file renamed over the name while the file is being opened (as SafeTensorsWriter and PyTorch save a
     * checkpoint again): every tensor is read from the file opened, none from the new one. It was opened again, the
     * second time from the new file. A rewrite in place of the new file, which is not the one read, refuses nothing.
     */
    @Test
    void aFileReplacedWhileBeingOpenedReadsOnlyTheFileOpened() throws IOException {
        Path file = dir.resolve("replaced-while-opened.safetensors");
        new SafeTensorsWriter().add("a", new int[] {4}, new float[] {1, 2, 3, 4})
                .add("b", new int[] {2}, new float[] {10, 20}).write(file);
        AtomicInteger maps = new AtomicInteger();
        try (SafeTensors st = SafeTensors.open(file, () -> {
            maps.incrementAndGet();
            try {
                new SafeTensorsWriter().add("a", new int[] {4}, new float[] {5, 6, 7, 8})
                        .add("b", new int[] {2}, new float[] {50, 60}).write(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            assertEquals(1, maps.get(), "mapped once");
            assertArrayEquals(new float[] {1, 2, 3, 4}, st.floats("a"));
            assertArrayEquals(new float[] {10, 20}, st.floats("b"));
            FileTime replaced = Files.getLastModifiedTime(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 9),
                        Files.size(file) - Float.BYTES);
            }
            Files.setLastModifiedTime(file, FileTime.fromMillis(replaced.toMillis() + 2000));
            assertArrayEquals(new float[] {10, 20}, st.floats("b"));
        }
    }

    /** A file deleted while being opened is read as opened: it failed to open, its name gone when read again. */
    @Test
    void aFileDeletedWhileBeingOpenedIsReadAsOpened() throws IOException {
        Path file = dir.resolve("deleted-while-opened.safetensors");
        write(file, 1, 2, 3, 4);
        try (SafeTensors st = SafeTensors.open(file, () -> {
            try {
                Files.delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, st.floats("w"));
        }
    }

    /**
     * A file that grows or is cut short in place while being opened (still being written) is refused in one line
     * naming it, and why: grown, it was opened again, cut short, refused as truncated, naming a tensor.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, -4})
    void aFileChangingSizeWhileBeingOpenedIsRefused(int change) throws IOException {
        Path file = dir.resolve("written-while-opened.safetensors");
        write(file, 1, 2, 3, 4);
        long size = Files.size(file);
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(file, () -> {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (change > 0) {
                    channel.write(ByteBuffer.allocate(change), size);
                } else {
                    channel.truncate(size + change);
                }
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }));
        assertEquals(file + ": changed size while being opened (" + size + " bytes, then " + (size + change)
                + "): open it again once it is written", e.getMessage());
    }

    /** Writes tensor 'w' of {@code values} to {@code file} as SafeTensorsWriter does: another file renamed over it. */
    private static void write(Path file, float... values) {
        try {
            new SafeTensorsWriter().add("w", new int[] {values.length}, values).write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file read from a stream holds what the file opened holds (the oracle, checked above), as far as it was
     * read in more than one chunk; closed, it is refused as a closed file is.
     */
    @Test
    void aStreamReadsAsTheFileItCarries() throws IOException {
        Path file = dir.resolve("streamed.safetensors");
        float[] big = ramp(600_000);
        new SafeTensorsWriter().metadata("dgnet.arch", "resnet20").add("big", new int[] {600_000}, big)
                .add("small", new int[] {2, 2}, ramp(4)).write(file);
        Path name = Path.of("standard input");
        SafeTensors streamed = SafeTensors.read(name, Files.newInputStream(file), Files.size(file));
        try (SafeTensors opened = SafeTensors.open(file)) {
            assertEquals(name, streamed.file());
            assertEquals(opened.metadata(), streamed.metadata());
            assertEquals(opened.names(), streamed.names());
            for (String tensor : opened.names()) {
                assertEquals(opened.info(tensor), streamed.info(tensor));
                assertBitsEqual(opened.floats(tensor), streamed.floats(tensor));
            }
        } finally {
            streamed.close();
        }
        assertEquals(name + ": closed, its tensors can no longer be read",
                assertThrows(IllegalStateException.class, () -> streamed.data("big")).getMessage());
    }

    /** Reading after close is a one-line IllegalStateException that says so, not an I/O error about the size. */
    @Test
    void readingAfterCloseSaysTheFileIsClosed() throws IOException {
        Path file = dir.resolve("closed.safetensors");
        new SafeTensorsWriter().add("w", new int[] {2}, new float[] {1, 2}).write(file);
        SafeTensors st = SafeTensors.open(file);
        st.close();
        for (Executable read : List.<Executable>of(() -> st.floats("w"), () -> st.data("w"), () -> st.value("w", 0))) {
            assertEquals(file + ": closed, its tensors can no longer be read",
                    assertThrows(IllegalStateException.class, read).getMessage());
        }
    }

    /**
     * A close from another thread cutting a read short, as closing a model while a session prepares does: the read
     * failed with the mapping's own "Already closed", which names no file.
     */
    @Test
    void aReadThatACloseCutsShortSaysTheFileIsClosed() throws Exception {
        // BF16 is widened value by value: a read long enough for the close to land inside it.
        Path file = dir.resolve("long-read.safetensors");
        int count = 1 << 22;
        ByteBuffer data = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(file, SafeTensorsMalformedTest.file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[" + count
                + "],\"data_offsets\":[0," + 2 * count + "]}}", data.array()));
        for (int round = 0; round < 10; round++) {
            SafeTensors st = SafeTensors.open(file);
            CountDownLatch reading = new CountDownLatch(1);
            CompletableFuture<Throwable> refusal = CompletableFuture.supplyAsync(() -> {
                try {
                    while (true) {
                        reading.countDown();
                        st.floats("w");
                    }
                } catch (RuntimeException e) {
                    return e;
                }
            });
            reading.await();
            Thread.sleep(round);
            st.close();
            assertEquals(file + ": closed, its tensors can no longer be read",
                    refusal.get(30, TimeUnit.SECONDS).getMessage(), "round " + round);
        }
    }

    /** Two threads closing one file at once: the one that came second could find the mapping closing and fail. */
    @Test
    void closingFromTwoThreadsAtOnceClosesOnce() throws Exception {
        Path file = dir.resolve("closed-twice.safetensors");
        new SafeTensorsWriter().add("w", new int[] {2}, new float[] {1, 2}).write(file);
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            for (int round = 0; round < 5000; round++) {
                SafeTensors st = SafeTensors.open(file);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> closed = other.submit(() -> {
                    start.await();
                    st.close();
                    return null;
                });
                start.await();
                st.close();
                closed.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A tensor of another of the format's dtypes opens, as PyTorch's I64 counters must, but gives no values. */
    @Test
    void anIntegerTensorOpensButGivesNoValues() throws IOException {
        byte[] header = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}"
                .getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("counter.safetensors");
        Files.write(file, new SafeTensorsBytes(header, new byte[] {7, 0, 0, 0, 0, 0, 0, 0}).file());
        try (SafeTensors st = SafeTensors.open(file); Arena arena = Arena.ofConfined()) {
            assertEquals(new SafeTensors.TensorInfo("n", SafeTensors.DType.I64, new int[0], 8), st.info("n"));
            String refused = file + ": tensor 'n': dtype I64: only F32 and BF16 values are read";
            assertEquals(refused, assertThrows(ModelFileException.class, () -> st.floats("n")).getMessage());
            assertEquals(refused, assertThrows(ModelFileException.class, () -> st.value("n", 0)).getMessage());
            assertEquals(refused, assertThrows(ModelFileException.class,
                    () -> st.copyFloats("n", arena.allocate(Float.BYTES))).getMessage());
        }
    }

    @Test
    void readsBf16ExactlyAsTheTopHalfOfAFloat() throws IOException {
        Path file = bf16File("bf16.safetensors", 0x3F80, 0xC000, 0x7F80, 0x3EAB);
        float[] expected = {1.0f, -2.0f, Float.POSITIVE_INFINITY, 0.333984375f};

        try (SafeTensors st = SafeTensors.open(file); Arena arena = Arena.ofConfined()) {
            assertEquals(SafeTensors.DType.BF16, st.info("w").dtype());
            assertEquals(8, st.info("w").byteSize());
            assertBitsEqual(expected, st.floats("w"));
            MemorySegment dst = arena.allocate(4L * Float.BYTES);
            st.copyFloats("w", dst);
            assertBitsEqual(expected, dst.toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void findsValuesInPlaceInEitherDtype() throws IOException {
        Path f32 = dir.resolve("values-f32.safetensors");
        new SafeTensorsWriter().add("w", new int[] {2, 3}, new float[] {1, -2, 3, Float.NaN, 5, -6}).write(f32);
        Path bf16 = bf16File("values-bf16.safetensors", 0x3F80, 0xC000, 0x7F80, 0x7FC0);

        try (SafeTensors st = SafeTensors.open(f32)) {
            assertEquals(1, st.indexOf("w", v -> v < 0));
            assertEquals(3, st.indexOf("w", v -> !Double.isFinite(v)));
            assertEquals(-1, st.indexOf("w", v -> v > 6));
            assertEquals(-6f, st.value("w", 5));
            assertThrows(IndexOutOfBoundsException.class, () -> st.value("w", 6));
        }
        try (SafeTensors st = SafeTensors.open(bf16)) {
            assertEquals(2, st.indexOf("w", v -> !Double.isFinite(v)));
            assertEquals(3, st.indexOf("w", Double::isNaN));
            assertEquals(-2f, st.value("w", 1));
        }
    }

    /** A file of one BF16 tensor 'w' of shape [2, 2] with the given bit patterns. */
    private Path bf16File(String name, int... bits) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int b : bits) {
            data.putShort((short) b);
        }
        Path file = dir.resolve(name);
        Files.write(file, SafeTensorsMalformedTest.file(
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", data.array()));
        return file;
    }

    @Test
    void readsUnalignedDataGapsNullMetadataAndEmptyTensorsInsideOthers() throws IOException {
        // Legal but unusual: an unpadded header leaves the floats unaligned, the tensors leave a
        // gap, and an empty tensor's offsets fall inside another tensor's range.
        String json = "{\"__metadata__\":null,\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[5,5]}}";
        assertNotEquals(0, json.length() % 4, "the test needs an unaligned data area");
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 9f).putFloat(4, 2.5f);
        Path file = dir.resolve("odd.safetensors");
        Files.write(file, SafeTensorsMalformedTest.file(json, data.array()));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(Map.of(), st.metadata());
            assertBitsEqual(new float[] {2.5f}, st.floats("a"));
            assertEquals(0, st.floats("e").length);
        }
    }

    @Test
    void dataIsAReadOnlyViewOfTheMapping() throws IOException {
        Path file = dir.resolve("view.safetensors");
        new SafeTensorsWriter().add("x", new int[] {2}, new float[] {1.5f, -1}).write(file);
        SafeTensors st = SafeTensors.open(file);
        MemorySegment view;
        try {
            view = st.data("x");
            assertTrue(view.isMapped(), "a slice of the mapping, not a copy");
            assertTrue(view.isReadOnly());
            assertEquals(8, view.byteSize());
            assertEquals(st.data("x").address(), view.address());
            assertEquals(-1f, view.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4));
            assertThrows(IllegalArgumentException.class, () -> view.set(ValueLayout.JAVA_BYTE, 0, (byte) 0));
        } finally {
            st.close();
        }
        st.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_BYTE, 0),
                "an unmapped file cannot be read through an old slice");
    }

    @Test
    void requireShapeAndLookupsNameTheTensor() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafeTensorsWriter().add("fc.weight", new int[] {10, 64}, new float[640]).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(640, st.requireShape("fc.weight", 10, 64).elementCount());
            assertTrue(st.contains("fc.weight"));
            ModelFileException wrong = assertThrows(ModelFileException.class,
                    () -> st.requireShape("fc.weight", 1000, 2048));
            assertEquals(file + ": tensor 'fc.weight': shape [10, 64], expected [1000, 2048]", wrong.getMessage());
            ModelFileException missing = assertThrows(ModelFileException.class, () -> st.floats("fc.bias"));
            assertEquals(file + ": tensor 'fc.bias': missing", missing.getMessage());
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> st.copyFloats("fc.weight", MemorySegment.ofArray(new float[639])));
            assertTrue(small.getMessage().contains("640 elements"), small.getMessage());
        }
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoLeftovers() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old content");
        MemorySegment gone;
        try (Arena arena = Arena.ofConfined()) {
            gone = arena.allocate(64L * Float.BYTES);
        }
        SafeTensorsWriter writer = new SafeTensorsWriter()
                .add("a", new int[] {4}, new float[4])
                .add("b", new int[] {64}, gone);

        assertThrows(IllegalStateException.class, () -> writer.write(file));
        assertEquals("old content", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void writerRejectsInconsistentTensors() {
        SafeTensorsWriter writer = new SafeTensorsWriter().add("a", new int[] {2}, new float[2]);
        assertThrows(IllegalArgumentException.class, () -> writer.add("a", new int[] {2}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> writer.add("__metadata__", new int[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> writer.add("b", new int[] {-1}, new float[0]));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> writer.add("c", new int[] {2, 3}, new float[5]));
        assertEquals("tensor 'c': shape [2, 3] needs 24 bytes of F32, data has 20", size.getMessage());
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }
}
