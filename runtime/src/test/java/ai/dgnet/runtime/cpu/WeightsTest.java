package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.runtime.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_aBcd16b;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_oihw;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Placed weights are shared where their bytes are equal, not merely their fingerprints. */
class WeightsTest {
    private static final int OUT = 8;
    private static final int IN = 32;
    private static final int K = 3;
    private static final long[] DIMS = {OUT, IN, K, K};
    /** Every set of values gets the same print: whatever is kept apart, the bytes kept apart. */
    private static final Function<MemorySegment, Weights.Fingerprint> ONE_PRINT =
            values -> new Weights.Fingerprint(1, 2, values.byteSize() / Float.BYTES);

    /**
     * Two different sets of weights with equal prints (a collision, forced here) each keep their own buffer, in the
     * layout given and in a blocked one that takes a reorder; equal values are still shared.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void differentWeightsWithEqualFingerprintsAreKeptApart(boolean blocked) {
        float[] first = Reference.random(41, (long) OUT * IN * K * K);
        float[] second = first.clone();
        second[100] += 1f;
        try (CpuDevice device = CpuDevice.create(1);
             MemoryDesc plain = MemoryDesc.ofTag(DIMS, dnnl_f32(), dnnl_oihw());
             MemoryDesc wanted = MemoryDesc.ofTag(DIMS, dnnl_f32(), blocked ? dnnl_aBcd16b() : dnnl_oihw())) {
            Weights weights = new Weights(device, ONE_PRINT);
            try (Weights.Placed a = weights.place(first, plain, wanted);
                 Weights.Placed b = weights.place(second, plain, wanted);
                 Weights.Placed again = weights.place(first.clone(), plain, wanted)) {
                assertEquals(2, weights.buffers(), "the second values kept apart, the first ones shared");
                assertArrayEquals(first, oihw(a.data(), blocked));
                assertArrayEquals(second, oihw(b.data(), blocked));
                assertEquals(a.data().address(), again.data().address(), "equal values share one buffer");
            }
            assertEquals(0, weights.buffers());
        }
    }

    /** The values of a placed buffer in oihw order, read from {@code aBcd16b} (input channels in blocks of 16). */
    private static float[] oihw(MemorySegment placed, boolean blocked) {
        float[] values = new float[OUT * IN * K * K];
        for (int o = 0; o < OUT; o++) {
            for (int i = 0; i < IN; i++) {
                for (int h = 0; h < K; h++) {
                    for (int w = 0; w < K; w++) {
                        int at = blocked ? (((o * (IN / 16) + i / 16) * K + h) * K + w) * 16 + i % 16
                                : ((o * IN + i) * K + h) * K + w;
                        values[((o * IN + i) * K + h) * K + w] = placed.getAtIndex(JAVA_FLOAT, at);
                    }
                }
            }
        }
        return values;
    }
}
