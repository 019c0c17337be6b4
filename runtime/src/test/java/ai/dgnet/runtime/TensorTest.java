package ai.dgnet.runtime;

import org.junit.jupiter.api.Test;

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
