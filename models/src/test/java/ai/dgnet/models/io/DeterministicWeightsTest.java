package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;

import static ai.dgnet.models.io.DeterministicWeights.fnv1a64;
import static ai.dgnet.models.io.DeterministicWeights.generate;
import static ai.dgnet.models.io.DeterministicWeights.splitmix64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DeterministicWeightsTest {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /**
     * The classic generator adds the gamma to its state and then mixes; the spec's splitmix64(z)
     * adds it inside. So output k of the generator seeded with s is splitmix64(s + k * gamma).
     */
    private static long classicOutput(long seed, int k) {
        return splitmix64(seed + k * GOLDEN_GAMMA);
    }

    @Test
    void splitmix64MatchesThePublishedSequences() {
        // Seed 0: the first outputs of Vigna's splitmix64.c, as used to seed xoshiro.
        assertEquals(0xE220A8397B1DCDAFL, classicOutput(0, 0));
        assertEquals(0x6E789E6AA1B965F4L, classicOutput(0, 1));
        assertEquals(0x06C45D188009454FL, classicOutput(0, 2));
        // The standard test vector for state 1234567.
        assertEquals(Long.parseUnsignedLong("6457827717110365317"), classicOutput(1234567, 0));
        assertEquals(Long.parseUnsignedLong("3203168211198807973"), classicOutput(1234567, 1));
        assertEquals(Long.parseUnsignedLong("9817491932198370423"), classicOutput(1234567, 2));
    }

    @Test
    void splitmix64IsTheJdksSplittableRandom() {
        // SplittableRandom(seed).nextLong() is the same generator with the same gamma.
        for (long seed : new long[] {0, 1, 1234567, -1, Long.MIN_VALUE}) {
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int k = 0; k < 100; k++) {
                assertEquals(jdk.nextLong(), classicOutput(seed, k), "seed " + seed + ", output " + k);
            }
        }
    }

    @Test
    void fnv1a64MatchesTheReferenceValues() {
        assertEquals(0xCBF29CE484222325L, fnv1a64(""));
        assertEquals(0xAF63DC4C8601EC8CL, fnv1a64("a"));
        assertEquals(0x85944171F73967E8L, fnv1a64("foobar"));
        // Bytes >= 0x80 must be XORed unsigned; values from tests/reference/dgnet_reference.py.
        assertEquals(0x20E72E11E324B0B8L, fnv1a64("Grüße"));
        assertEquals(0x721D90CA2264C0EAL, fnv1a64("layer1.0.conv1.weight"));
    }

    @Test
    void keyAndVMatchTheReference() {
        // From dgnet_reference.py: weight_key and uniform_scalar; a negative seed is its
        // two's complement there too.
        assertEquals(0x8B823215955A1FFBL, DeterministicWeights.key("conv1.weight", 0));
        assertEquals(0x4BBA843B9D673B27L, DeterministicWeights.key("x", -1));
        assertEquals(0.4023142457008362, DeterministicWeights.v("conv1.weight", 0, 0));
        assertEquals(0.23050206899642944, DeterministicWeights.v("conv1.weight", 0, 1));
        assertEquals(0.442116916179657, DeterministicWeights.v("input", 1, 15));
    }

    @Test
    void vIsAMultipleOfTwoToTheMinus24InTheUnitInterval() {
        for (long n = 0; n < 100_000; n++) {
            double v = DeterministicWeights.v("v", 5, n);
            assertTrue(v >= 0 && v < 1, "v = " + v);
            assertEquals(v, Math.rint(v * 0x1p24) / 0x1p24);
        }
    }

    /**
     * The first values of the PyTorch reference's deterministic_tensor (tests/reference/
     * dgnet_reference.py, which follows spec section 6 independently of this code), one case
     * per kind of the spec's table. A whole resnet101 (588 tensors, 44,956,370 values) was
     * also compared bit for bit when this was written.
     */
    static Stream<Arguments> referenceValues() {
        return Stream.of(
                arguments("conv1.weight", new int[] {64, 3, 7, 7}, 0L, new float[] {-0.039471004f, -0.10889361f, 0.10336045f}),
                arguments("router.0.0.weight", new int[] {3, 256}, 0L, new float[] {0.122206554f, -0.1383907f, -0.053515054f}),
                arguments("input", new int[] {1, 3, 4, 4}, 1L, new float[] {-0.8787211f, -0.6862701f, -0.5117984f}),
                arguments("router.0.0.bias", new int[] {3}, 0L, new float[] {0.3102523f, 0.9942975f, 0.47543943f}),
                arguments("bn1.weight", new int[] {64}, 0L, new float[] {1.4344854f, 1.1378751f, 0.5134322f}),
                arguments("layer1.0.bn1.running_var", new int[] {64}, 2L, new float[] {1.0728936f, 0.6235292f, 1.0216205f}),
                arguments("bn1.running_mean", new int[] {64}, 0L, new float[] {0.06601466f, -0.09857939f, -0.08989283f}),
                arguments("fc.bias", new int[] {1000}, 7L, new float[] {0.00053992274f, -0.054832958f, 0.023768783f}),
                arguments("fc.weight", new int[] {10, 64}, 3L, new float[] {-0.13965544f, 0.053060547f, -0.08283284f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceValues")
    void matchesThePyTorchReference(String name, int[] shape, long seed, float[] first) {
        assertArrayEquals(first, Arrays.copyOf(generate(name, shape, seed), first.length));
    }

    /** Each kind against the spec's formula, written out here in double as the spec has it. */
    static Stream<Arguments> kinds() {
        double conv = Math.sqrt(6.0 / (64 * 3 * 3));
        double fc = Math.sqrt(6.0 / 2048);
        double router = 4 * Math.sqrt(3.0 / 128);
        return Stream.of(
                kind("input", new int[] {4, 3, 32, 32}, v -> 2 * v - 1, -1, 1),
                kind("router.1.2.weight", new int[] {64, 128}, v -> (2 * v - 1) * 4 * Math.sqrt(3.0 / 128), -router, router),
                kind("router.1.2.bias", new int[] {4096}, v -> 2 * (v - 0.5), -1, 1),
                kind("layer1.0.conv1.weight", new int[] {64, 64, 3, 3}, v -> (2 * v - 1) * Math.sqrt(6.0 / 576), -conv, conv),
                kind("fc.weight", new int[] {1000, 2048}, v -> (2 * v - 1) * Math.sqrt(6.0 / 2048), -fc, fc),
                kind("bn1.weight", new int[] {4096}, v -> 0.5 + v, 0.5, 1.5),
                kind("layer2.0.downsample.1.running_var", new int[] {4096}, v -> 0.5 + v, 0.5, 1.5),
                kind("fc.bias", new int[] {4096}, v -> 0.2 * (v - 0.5), -0.1, 0.1),
                kind("bn1.running_mean", new int[] {4096}, v -> 0.2 * (v - 0.5), -0.1, 0.1));
    }

    private static Arguments kind(String name, int[] shape, DoubleUnaryOperator formula, double lo, double hi) {
        return arguments(name, shape, formula, lo, hi);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyKindFollowsItsFormulaAndStaysInItsRange(String name, int[] shape, DoubleUnaryOperator formula,
                                                      double lo, double hi) {
        float[] x = generate(name, shape, 11);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int n = 0; n < x.length; n++) {
            assertEquals((float) formula.applyAsDouble(DeterministicWeights.v(name, 11, n)), x[n], name + "[" + n + "]");
            min = Math.min(min, x[n]);
            max = Math.max(max, x[n]);
        }
        // The double is in [lo, hi); rounding to float may land on hi itself.
        assertTrue(min >= (float) lo && max <= (float) hi, name + " in [" + min + ", " + max + "]");
        // And the values spread over the range: the scale is right, not merely bounded.
        double margin = 0.01 * (hi - lo);
        assertTrue(min < lo + margin && max > hi - margin, name + " in [" + min + ", " + max + "]");
    }

    @Test
    void generatesIntoArraysAndNativeMemoryAlike() {
        int[] shape = {8, 3, 3, 3};
        float[] expected = generate("layer1.0.conv2.weight", shape, 4);

        float[] packed = new float[10 + expected.length];
        DeterministicWeights.generate("layer1.0.conv2.weight", shape, 4, packed, 10);
        assertArrayEquals(expected, Arrays.copyOfRange(packed, 10, packed.length));
        assertEquals(0f, packed[9]);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate((long) expected.length * Float.BYTES);
            DeterministicWeights.generate("layer1.0.conv2.weight", shape, 4, out);
            assertArrayEquals(expected, out.toArray(ValueLayout.JAVA_FLOAT));
            assertThrows(IllegalArgumentException.class,
                    () -> DeterministicWeights.generate("layer1.0.conv2.weight", shape, 4, out.asSlice(4)));
        }
        assertThrows(IllegalArgumentException.class,
                () -> DeterministicWeights.generate("layer1.0.conv2.weight", shape, 4, packed, 11));
    }

    @Test
    void refusesNamesTheSpecGivesNoValue() {
        assertRefused("layer1.0.bn1.num_batches_tracked", new int[] {});
        assertRefused("layer1.0.bn1.num_batches_tracked", new int[] {1});
        assertRefused("layer1.0.bn1.scale", new int[] {64});
        assertRefused("bn1.weight", new int[] {});
        assertRefused("router.0.0.weight", new int[] {3});
        assertRefused("conv1.weight", new int[] {64, -3});
    }

    private static void assertRefused(String name, int[] shape) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generate(name, shape, 0));
        assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    }
}
