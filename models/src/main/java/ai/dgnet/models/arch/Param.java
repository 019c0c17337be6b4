package ai.dgnet.models.arch;

import java.util.Arrays;

/** A named parameter tensor of an architecture, with the shape it must have. */
public record Param(String name, int[] shape) {
    public Param {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Param p && name.equals(p.name) && Arrays.equals(shape, p.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
