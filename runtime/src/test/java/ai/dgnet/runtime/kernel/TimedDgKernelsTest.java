package ai.dgnet.runtime.kernel;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timed kernels pass every call through and add its wall time to the right counter, failing calls too. */
class TimedDgKernelsTest {
    private static final long MILLI = 1_000_000;

    /**
     * Kernels that each take at least a millisecond; {@code weightedSum} with no source fails after it. The calls over
     * a batch count apart, so that a test sees them reach these whole.
     */
    private static final class Slow implements DgKernels {
        int calls;
        int batchCalls;

        @Override
        public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] out) {
            batchCalls++;
            take();
        }

        @Override
        public void weightedSums(MemorySegment dst, long length, DType dtype, int instances, MemorySegment[][] sources,
                                 long[][] sourceOffsets, float[][] weights, int[] counts) {
            batchCalls++;
            take();
        }

        @Override
        public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, float[][] scale) {
            batchCalls++;
            take();
        }

        @Override
        public void channelMeans(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, int first, int count,
                                 float[] out) {
            take();
            out[first] = 42f;
        }

        @Override
        public void router(float[] pooled, int channels, float[] weight, float[] bias, int rows, float[] out) {
            take();
            out[0] = 0.5f;
        }

        @Override
        public void weightedSum(MemorySegment dst, long dstOffset, long length, DType dtype, MemorySegment[] sources,
                                long[] sourceOffsets, float[] weights, int count) {
            take();
            if (count == 0) {
                throw new IllegalArgumentException("no source");
            }
        }

        @Override
        public void scaleChannels(MemorySegment x, Shape shape, Layout layout, DType dtype, int n, float[] scale) {
            take();
            scale[0] = 2f;
        }

        @Override
        public long firstNonFinite(MemorySegment x, long offset, long length) {
            take();
            return offset;
        }

        @Override
        public String name() {
            return "slow";
        }

        private void take() {
            calls++;
            long end = System.nanoTime() + MILLI;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void callsPassThroughAndCountWhereTheyBelong() {
        Slow slow = new Slow();
        TimedDgKernels timed = new TimedDgKernels(slow);
        assertEquals("slow", timed.name());
        float[] out = new float[2];
        timed.channelMeans(MemorySegment.NULL, Shape.of(1, 2, 1, 1), Layout.NCHW, DType.F32, 0, out);
        assertEquals(42f, out[0], "the means came through");
        timed.router(out, 2, new float[2], new float[1], 1, out);
        assertEquals(0.5f, out[0], "the router's output came through");
        assertTrue(timed.routingNanos() >= 2 * MILLI, "routing " + timed.routingNanos());
        assertEquals(0, timed.aggregationNanos());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(16);
            timed.weightedSum(dst, 0, 1, DType.F32, new MemorySegment[] {dst}, new long[1], new float[1], 1);
            assertThrows(IllegalArgumentException.class,
                    () -> timed.weightedSum(dst, 0, 1, DType.F32, new MemorySegment[0], new long[0], new float[0], 0));
        }
        assertTrue(timed.aggregationNanos() >= 2 * MILLI, "a failing call counts too: " + timed.aggregationNanos());
        long routing = timed.routingNanos();
        long aggregation = timed.aggregationNanos();
        timed.scaleChannels(MemorySegment.NULL, Shape.of(1, 2, 1, 1), Layout.NCHW, DType.F32, 0, out);
        assertEquals(2f, out[0], "the scaling came through");
        assertEquals(routing, timed.routingNanos(), "scaling is not routing");
        assertEquals(aggregation, timed.aggregationNanos(), "scaling is not aggregation");
        assertEquals(7, timed.firstNonFinite(MemorySegment.NULL, 7, 1), "the check's answer came through");
        assertEquals(routing, timed.routingNanos(), "an input's check is not routing");
        assertEquals(aggregation, timed.aggregationNanos(), "an input's check is not aggregation");
        assertEquals(6, slow.calls);
    }

    @Test
    void batchCallsPassThroughWholeAndCountWhereTheyBelong() {
        Slow slow = new Slow();
        TimedDgKernels timed = new TimedDgKernels(slow);
        Shape shape = Shape.of(2, 2, 1, 1);
        timed.channelMeans(MemorySegment.NULL, shape, Layout.NCHW, DType.F32, new float[2][2]);
        assertTrue(timed.routingNanos() >= MILLI, "routing " + timed.routingNanos());
        assertEquals(0, timed.aggregationNanos());
        timed.weightedSums(MemorySegment.NULL, 1, DType.F32, 2, new MemorySegment[2][1], new long[2][1],
                new float[2][1], new int[2]);
        assertTrue(timed.aggregationNanos() >= MILLI, "aggregation " + timed.aggregationNanos());
        long routing = timed.routingNanos();
        long aggregation = timed.aggregationNanos();
        timed.scaleChannels(MemorySegment.NULL, shape, Layout.NCHW, DType.F32, new float[2][2]);
        assertEquals(routing, timed.routingNanos(), "scaling is not routing");
        assertEquals(aggregation, timed.aggregationNanos(), "scaling is not aggregation");
        assertEquals(3, slow.batchCalls);
        assertEquals(3, slow.calls, "no call went instance by instance");
    }

    @Test
    void refusesToTimeTwice() {
        TimedDgKernels timed = new TimedDgKernels(new Slow());
        assertThrows(IllegalArgumentException.class, () -> new TimedDgKernels(timed));
    }
}
