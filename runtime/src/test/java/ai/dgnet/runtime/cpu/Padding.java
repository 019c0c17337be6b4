package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The padding of an f32 tensor in a blocked layout: the lanes of its last channel block past its channels. A
 * prepared op binds a buffer once and does not bind it again (oneDNN would zero the padding on every bind), so the
 * tests spoil the padding between two runs to see that each primitive leaves its destination's padding zero.
 */
final class Padding {
    private Padding() {
    }

    /**
     * Runs {@code run}, which writes {@code dst}; spoils {@code dst}'s padding with NaN; runs it again on the same
     * buffers; and checks that the padding is zero again and the values are those of the first run.
     */
    static void assertZeroedBySecondRun(String op, Runnable run, Tensor dst) {
        run.run();
        float[] first = dst.toFloatArray();
        int spoiled = fill(dst, Float.NaN);
        assertTrue(spoiled > 0, op + ": the destination has padding");
        run.run();
        assertEquals(spoiled, count(dst, 0f), op + ": padding floats that are zero after the second run");
        assertArrayEquals(first, dst.toFloatArray(), op + ": the second run's values");
    }

    /** Writes {@code value} to every padding float of {@code t}; returns how many there are. */
    static int fill(Tensor t, float value) {
        return visit(t, value, true);
    }

    /** How many padding floats of {@code t} hold exactly {@code value} (bit for bit). */
    static int count(Tensor t, float value) {
        return visit(t, value, false);
    }

    private static int visit(Tensor t, float value, boolean write) {
        if (!t.layout().isBlocked() || t.dtype() != DType.F32) {
            throw new IllegalArgumentException("an f32 tensor in a blocked layout, got " + t);
        }
        Shape shape = t.shape();
        int block = t.layout().channelBlock();
        int channels = shape.dim(1);
        int blocks = (channels + block - 1) / block;
        long plane = (long) shape.dim(2) * shape.dim(3);
        int seen = 0;
        for (int n = 0; n < shape.dim(0); n++) {
            for (long p = 0; p < plane; p++) {
                for (int lane = channels - (blocks - 1) * block; lane < block; lane++) {
                    long at = (((long) n * blocks + blocks - 1) * plane + p) * block + lane;
                    if (write) {
                        t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, at, value);
                        seen++;
                    } else if (Float.floatToRawIntBits(t.segment().getAtIndex(ValueLayout.JAVA_FLOAT, at))
                            == Float.floatToRawIntBits(value)) {
                        seen++;
                    }
                }
            }
        }
        return seen;
    }
}
