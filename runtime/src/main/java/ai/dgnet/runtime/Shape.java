package ai.dgnet.runtime;

import java.util.Arrays;

/** The logical dimensions of a tensor, outermost first ({@code [N, C, H, W]} for images). Immutable. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** @throws IllegalArgumentException for no dimensions, or one below 1 */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("dimensions must be positive, got " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** @throws IndexOutOfBoundsException for an axis outside {@code [0, rank())} */
    public int dim(int axis) {
        return dims[axis];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long[] longDims() {
        return Arrays.stream(dims).asLongStream().toArray();
    }

    /** Number of logical elements; an {@link ArithmeticException} past a long. */
    public long elements() {
        long n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Throws unless this shape has {@code rank} dimensions; {@code what} names the tensor in the message. */
    public Shape requireRank(int rank, String what) {
        if (dims.length != rank) {
            throw new IllegalArgumentException(what + ": expected a rank-" + rank + " shape, got " + this);
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
