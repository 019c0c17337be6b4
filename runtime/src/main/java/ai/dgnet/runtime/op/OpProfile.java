package ai.dgnet.runtime.op;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Time spent in one op ({@link PreparedOp#profile()}), or in one kind of op on a device: the runs of every op with
 * this description and implementation, summed ({@link #byKind}).
 *
 * @param op             what the ops compute ({@link PreparedOp#describe()})
 * @param implementation the kernel the device chose ({@link PreparedOp#implementation()})
 * @param runs           runs of those ops
 * @param nanos          wall time of those runs, Java work inside an op (Winograd's transforms) included
 * @param macs           multiply-accumulates of those runs as direct computation counts them ({@link PreparedOp#macs()})
 */
public record OpProfile(String op, String implementation, long runs, long nanos, long macs) {
    /** The most time first, then by description, so that a profile's order does not depend on a hash. */
    private static final Comparator<OpProfile> BY_TIME = Comparator.comparingLong(OpProfile::nanos).reversed()
            .thenComparing(OpProfile::op).thenComparing(OpProfile::implementation);

    /** Both kinds' runs together; they must be the same kind. */
    private OpProfile plus(OpProfile other) {
        requireSameKind(other);
        return new OpProfile(op, implementation, runs + other.runs, nanos + other.nanos, macs + other.macs);
    }

    /** This kind's runs since {@code earlier}, a profile line of the same kind taken before. */
    public OpProfile since(OpProfile earlier) {
        requireSameKind(earlier);
        return new OpProfile(op, implementation, runs - earlier.runs, nanos - earlier.nanos, macs - earlier.macs);
    }

    /**
     * Billions of floating-point operations per second (two per multiply-accumulate, as counted for {@link #macs});
     * 0 for ops without multiply-accumulates or time.
     */
    public double gflops() {
        return nanos > 0 ? 2.0 * macs / nanos : 0;
    }

    /** One line per kind of op of {@code lines} (ops' own lines, say), their runs summed, the most time first. */
    public static List<OpProfile> byKind(Collection<OpProfile> lines) {
        Map<Kind, OpProfile> kinds = new HashMap<>();
        for (OpProfile line : lines) {
            kinds.merge(line.kind(), line, OpProfile::plus);
        }
        List<OpProfile> merged = new ArrayList<>(kinds.values());
        merged.sort(BY_TIME);
        return merged;
    }

    /**
     * The kinds of op that ran between two profiles of one device, {@code before} and {@code after}, with their runs
     * and time in between, the most time first.
     */
    public static List<OpProfile> between(List<OpProfile> before, List<OpProfile> after) {
        Map<Kind, OpProfile> earlier = new HashMap<>();
        for (OpProfile line : before) {
            earlier.put(line.kind(), line);
        }
        List<OpProfile> ran = new ArrayList<>();
        for (OpProfile line : after) {
            OpProfile then = earlier.get(line.kind());
            OpProfile since = then == null ? line : line.since(then);
            if (since.runs > 0) {
                ran.add(since);
            }
        }
        ran.sort(BY_TIME);
        return ran;
    }

    private Kind kind() {
        return new Kind(op, implementation);
    }

    private void requireSameKind(OpProfile other) {
        if (!kind().equals(other.kind())) {
            throw new IllegalArgumentException("profile lines of different ops: " + kind() + " and " + other.kind());
        }
    }

    /** What makes ops one kind in a profile. */
    private record Kind(String op, String implementation) {
    }
}
