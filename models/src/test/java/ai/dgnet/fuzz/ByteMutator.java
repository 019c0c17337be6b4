package ai.dgnet.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded, repeatable damage to valid inputs, for tests that feed a reader what users' broken files and clients send:
 * bytes overwritten, a digit changed (a shape, an offset, a length), a token a JSON parser or a checker must stand
 * (brackets, quotes, huge and negative numbers, {@code null}), a run of bytes deleted, the input cut short. Each
 * mutation says what it did, so that a failing case can be named and rebuilt from the seed.
 */
public final class ByteMutator {
    private static final String[] TOKENS = {"9999999999", "-1", "0", "1e39", "-0", "2147483648", ",", ":", "[", "]",
            "{", "}", "\"", "\\", "null", "true", "\"FP64\"", "\u00e9", "[[", "]]"};

    private final Random random;

    public ByteMutator(long seed) {
        this.random = new Random(seed);
    }

    /** A damaged copy of {@code input}, and what was done to it. */
    public record Mutation(byte[] bytes, String description) {
    }

    /**
     * One mutation of {@code input}, at a position in {@code [from, to)} where it has a position (overwrites, digits,
     * tokens, deletions); a cut may fall anywhere.
     */
    public Mutation mutate(byte[] input, int from, int to) {
        if (from < 0 || to > input.length || from >= to) {
            throw new IllegalArgumentException("region [" + from + ", " + to + ") of an input of " + input.length
                    + " bytes");
        }
        int at = from + random.nextInt(to - from);
        return switch (random.nextInt(5)) {
            case 0 -> {
                byte[] bytes = input.clone();
                int count = 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    bytes[from + random.nextInt(to - from)] = (byte) random.nextInt(256);
                }
                yield new Mutation(bytes, count + " bytes overwritten from " + at);
            }
            case 1 -> digitChanged(input, from, to, at);
            case 2 -> {
                int length = random.nextInt(input.length);
                yield new Mutation(Arrays.copyOf(input, length), "cut to " + length + " bytes");
            }
            case 3 -> {
                String token = TOKENS[random.nextInt(TOKENS.length)];
                byte[] inserted = token.getBytes(StandardCharsets.UTF_8);
                byte[] bytes = new byte[input.length + inserted.length];
                System.arraycopy(input, 0, bytes, 0, at);
                System.arraycopy(inserted, 0, bytes, at, inserted.length);
                System.arraycopy(input, at, bytes, at + inserted.length, input.length - at);
                yield new Mutation(bytes, "'" + token + "' inserted at " + at);
            }
            default -> {
                int length = 1 + random.nextInt(Math.min(20, input.length - at));
                byte[] bytes = new byte[input.length - length];
                System.arraycopy(input, 0, bytes, 0, at);
                System.arraycopy(input, at + length, bytes, at, input.length - at - length);
                yield new Mutation(bytes, length + " bytes deleted at " + at);
            }
        };
    }

    /** The first ASCII digit at or after {@code at} (wrapping within the region) set to another; else unchanged. */
    private Mutation digitChanged(byte[] input, int from, int to, int at) {
        for (int i = 0; i < to - from; i++) {
            int p = from + (at - from + i) % (to - from);
            if (input[p] >= '0' && input[p] <= '9') {
                byte[] bytes = input.clone();
                bytes[p] = (byte) ('0' + (input[p] - '0' + 1 + random.nextInt(9)) % 10);
                return new Mutation(bytes, "digit at " + p + " changed to " + (char) bytes[p]);
            }
        }
        return new Mutation(input.clone(), "no digit to change");
    }

    /** A uniform choice in {@code [0, bound)}, from the same seeded sequence. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
