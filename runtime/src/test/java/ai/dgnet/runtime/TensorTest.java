package ai.dgnet.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tensor's holds: a close from another thread waits for them, one from the holding thread fails. */
class TensorTest {
    private static final Shape SHAPE = Shape.of(1, 2, 3, 3);

    /**
     * The channels of a blocked layout round up to whole blocks: past the largest int that rounding must not wrap
     * around (it did, to a negative size, which let a kernel's size check pass for memory of any size).
     */
    @Test
    void aBlockedSizeCountsItsPaddingPastTheLargestInt() {
        Shape shape = Shape.of(1, Integer.MAX_VALUE, 1, 1);
        assertEquals(1L << 31, Layout.NCHW16C.storageElements(shape));
        assertEquals((1L << 31) * Float.BYTES, Tensor.byteSize(shape, DType.F32, Layout.NCHW16C));
        assertEquals(1L << 31, Layout.NCHW8C.offset(Shape.of(2, Integer.MAX_VALUE, 1, 1), 1, 0, 0, 0),
                "the second instance starts after the first one's padded channels");
    }

    /**
     * A tensor of more elements than a Java array holds cannot be read into one: that is told in one line naming the
     * count and the limit (it was a bare {@link ArithmeticException}). The tensor lies over a sparse file, so its 4 GiB
     * take neither memory nor disk.
     */
    @Test
    void aTensorPastTheLargestArrayIsRefusedNamingItsCount(@TempDir Path dir) throws IOException {
        Shape shape = Shape.of(1, 1, 1 << 16, 1 << 15);
        try (Arena arena = Arena.ofConfined();
             FileChannel file = FileChannel.open(dir.resolve("sparse"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.SPARSE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment memory = file.map(FileChannel.MapMode.READ_WRITE, 0,
                    Tensor.byteSize(shape, DType.BF16, Layout.NCHW), arena);
            Tensor tensor = Tensor.view(shape, DType.BF16, Layout.NCHW, memory);
            IllegalStateException e = assertThrows(IllegalStateException.class, tensor::toFloatArray);
            assertEquals("tensor [1, 1, 65536, 32768] bf16 NCHW has 2147483648 elements, more than a float array "
                    + "holds (2147483647)", e.getMessage());
        }
    }

    /**
     * Values of the wrong count, as {@code Session.run(values, shape)} passes them on: the tensor's memory was taken
     * before the count was checked and, the tensor never handed out, never freed; each such call left a mapping that
     * later allocations counted as memory about to be used, until they were refused.
     */
    @Test
    void valuesOfTheWrongCountAreRefusedBeforeAnyMemoryIsTaken() {
        Shape large = Shape.of(1, 3, 1024, 1024);
        NativeMemory.Residency before = NativeMemory.residency();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(large, Layout.NCHW, new float[7]));
        assertEquals("expected 3145728 values for shape [1, 3, 1024, 1024], got 7", e.getMessage());
        assertThrows(NullPointerException.class, () -> Tensor.of(large, Layout.NCHW, null));
        assertEquals(before, NativeMemory.residency(), "no buffer left mapped");
    }

    /** Run on a thread of its own, so that a close that waits for its own thread fails the test by its timeout. */
    @Test
    void closingATensorThisThreadHoldsFailsAndLeavesItOpen() throws Exception {
        CompletableFuture.runAsync(() -> {
            try (Tensor tensor = Tensor.of(SHAPE, Layout.NCHW, new float[18])) {
                tensor.acquire();
                tensor.acquire();
                IllegalStateException e = assertThrows(IllegalStateException.class, tensor::close);
                assertEquals("tensor [1, 2, 3, 3] f32 NCHW is held by this thread: release() it before close()",
                        e.getMessage());
                assertTrue(tensor.isOpen());
                tensor.release();
                assertThrows(IllegalStateException.class, tensor::close, "still held once");
                tensor.release();
                tensor.close();
                assertFalse(tensor.isOpen());
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCloseFromAnotherThreadWaitsForTheHold() throws Exception {
        Tensor tensor = Tensor.of(SHAPE, Layout.NCHW, new float[18]);
        tensor.acquire();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(tensor::close);
        assertThrows(TimeoutException.class, () -> closed.get(200, TimeUnit.MILLISECONDS));
        assertTrue(tensor.isOpen(), "held");
        tensor.release();
        closed.get(10, TimeUnit.SECONDS);
        assertFalse(tensor.isOpen());
    }

    /** Two threads closing a tensor at once: the one that came second found the memory being freed and failed. */
    @Test
    void closingFromTwoThreadsAtOnceClosesOnce() throws Exception {
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            for (int round = 0; round < 3000; round++) {
                Tensor tensor = Tensor.allocate(SHAPE, DType.F32, Layout.NCHW);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> closed = other.submit(() -> {
                    start.await();
                    tensor.close();
                    return null;
                });
                start.await();
                tensor.close();
                closed.get(10, TimeUnit.SECONDS);
                assertFalse(tensor.isOpen());
            }
        }
    }

    @Test
    void aHoldIsReleasedByTheThreadThatMadeIt() throws Exception {
        try (Tensor tensor = Tensor.of(SHAPE, Layout.NCHW, new float[18])) {
            tensor.acquire();
            Throwable e = CompletableFuture.runAsync(tensor::release).handle((ok, t) -> t.getCause())
                    .get(10, TimeUnit.SECONDS);
            assertEquals("tensor [1, 2, 3, 3] f32 NCHW is not held by this thread: release() must follow acquire() "
                    + "on the thread that made it", e.getMessage());
            tensor.release();
        }
    }
}
