package ai.dgnet.models.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The deterministic weights and inputs of spec section 6: every implementation derives the
 * same tensors from a name, a shape and a seed, so a golden check needs no trained file.
 *
 * <p>The spec's arithmetic is on unsigned 64-bit integers modulo 2^64. Java's {@code long}
 * addition, multiplication and XOR wrap with exactly the same bits, so only the right shifts
 * need care: they are all {@code >>>}. Each value is computed in double precision with the
 * operations in the spec's order and cast to float last, the way the PyTorch reference does,
 * so both produce the same bits.
 */
public final class DeterministicWeights {

    private DeterministicWeights() {}

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final long FNV_OFFSET = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** The value formulas of the spec's table; which one applies depends on name and rank. */
    private enum Kind { INPUT, ROUTER_WEIGHT, ROUTER_BIAS, FAN_IN, BN_SCALE, SHIFT }

    /** splitmix64 as the spec writes it: the golden-gamma step happens inside, on {@code z}. */
    public static long splitmix64(long z) {
        z += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a over the UTF-8 bytes of {@code s}. */
    public static long fnv1a64(String s) {
        long h = FNV_OFFSET;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            // The spec XORs the unsigned byte; a Java byte would sign-extend.
            h = (h ^ (b & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    public static long key(String name, long seed) {
        return fnv1a64(name) ^ splitmix64(seed);
    }

    /** The uniform number for flat index {@code n} of tensor {@code name}: a multiple of 2^-24 in [0, 1). */
    public static double v(String name, long seed, long n) {
        return uniform(key(name, seed), n);
    }

    private static double uniform(long key, long n) {
        // The top 24 bits, exact as a double (and as a float) once divided by 2^24.
        return (splitmix64(key + n) >>> 40) / 0x1p24;
    }

    /**
     * The tensor {@code name} of {@code shape} for {@code seed}, row-major.
     *
     * @throws IllegalArgumentException if the spec defines no value for that name and rank
     *                                  (an unknown rank-1 name, {@code num_batches_tracked}),
     *                                  or the tensor does not fit a Java array
     */
    public static float[] generate(String name, int[] shape, long seed) {
        Kind kind = kindOf(name, shape);
        long count = product(shape, 0);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + " of shape "
                    + Arrays.toString(shape) + " does not fit a Java array");
        }
        float[] out = new float[(int) count];
        fill(kind, name, shape, seed, MemorySegment.ofArray(out));
        return out;
    }

    /**
     * Generates into {@code out[offset ...]}, for callers that pack several tensors into one array.
     *
     * @throws IllegalArgumentException as {@link #generate(String, int[], long)}, or if the
     *                                  tensor does not fit in {@code out} from {@code offset}
     */
    public static void generate(String name, int[] shape, long seed, float[] out, int offset) {
        Kind kind = kindOf(name, shape);
        long count = product(shape, 0);
        if (offset < 0 || count > out.length - (long) offset) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + " of " + count
                    + " elements does not fit at offset " + offset + " of an array of " + out.length);
        }
        fill(kind, name, shape, seed,
                MemorySegment.ofArray(out).asSlice((long) offset * Float.BYTES, count * Float.BYTES));
    }

    /**
     * Generates into {@code out} as floats in the host's byte order, straight into memory the
     * runtime owns (no intermediate array).
     *
     * @throws IllegalArgumentException as {@link #generate(String, int[], long)}, or if
     *                                  {@code out} has another size than the tensor
     */
    public static void generate(String name, int[] shape, long seed, MemorySegment out) {
        Kind kind = kindOf(name, shape);
        long count = product(shape, 0);
        if (out.byteSize() != count * Float.BYTES) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + " has " + count
                    + " elements, destination holds " + out.byteSize() + " bytes");
        }
        fill(kind, name, shape, seed, out);
    }

    /** {@code out} holds exactly the tensor's elements: the callers checked. */
    private static void fill(Kind kind, String name, int[] shape, long seed, MemorySegment out) {
        double c = switch (kind) {
            case ROUTER_WEIGHT -> Math.sqrt(3.0 / shape[1]);
            case FAN_IN -> Math.sqrt(6.0 / product(shape, 1));
            default -> 0.0;
        };
        long key = key(name, seed);
        long count = out.byteSize() / Float.BYTES;
        for (long n = 0; n < count; n++) {
            double v = uniform(key, n);
            // kind is loop-invariant, so this branch is always predicted; splitmix64 is the cost.
            double x = switch (kind) {
                case INPUT -> 2.0 * v - 1.0;
                case ROUTER_WEIGHT -> (2.0 * v - 1.0) * 4.0 * c;
                case ROUTER_BIAS -> 2.0 * (v - 0.5);
                case FAN_IN -> (2.0 * v - 1.0) * c;
                case BN_SCALE -> 0.5 + v;
                case SHIFT -> 0.2 * (v - 0.5);
            };
            out.setAtIndex(FLOAT, n, (float) x);
        }
    }

    private static long product(int[] shape, int from) {
        long p = 1;
        for (int i = from; i < shape.length; i++) {
            p = Math.multiplyExact(p, shape[i]);
        }
        return p;
    }

    /** Which formula of the spec's table applies; also rejects negative dimensions. */
    private static Kind kindOf(String name, int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + ModelFileException.quote(name)
                        + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
        if (name.equals("input")) {
            return Kind.INPUT;
        }
        // The spec's router.* read as a glob; the reference's stricter router.S.I.weight/bias
        // pattern agrees on every router name a model has.
        if (name.startsWith("router.") && name.endsWith(".weight")) {
            if (shape.length != 2) {
                throw new IllegalArgumentException("router weight " + ModelFileException.quote(name)
                        + " must have rank 2 [edges, channels], got " + Arrays.toString(shape));
            }
            return Kind.ROUTER_WEIGHT;
        }
        if (name.startsWith("router.") && name.endsWith(".bias")) {
            return Kind.ROUTER_BIAS;
        }
        if (name.endsWith("num_batches_tracked")) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name)
                    + " is a counter, never generated (spec section 6)");
        }
        if (shape.length >= 2) {
            return Kind.FAN_IN;
        }
        if (shape.length == 1 && (name.endsWith(".weight") || name.endsWith(".running_var"))) {
            return Kind.BN_SCALE;
        }
        if (shape.length == 1 && (name.endsWith(".bias") || name.endsWith(".running_mean"))) {
            return Kind.SHIFT;
        }
        throw new IllegalArgumentException("spec section 6 defines no value for tensor "
                + ModelFileException.quote(name) + " of shape " + Arrays.toString(shape));
    }
}
