package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.NamedOp;

import java.util.List;

/**
 * One node of a DG stage: the backbone's own block (residual shortcut included), prepared for one input shape.
 * It owns its prepared ops and intermediate buffers.
 */
public interface Block extends AutoCloseable {
    Shape input();

    Shape output();

    /** Whether every op of the block runs an optimized kernel (see {@code PreparedOp.optimized()}). */
    boolean optimized();

    /** The block's prepared ops in the order they run, each under its layer's name; the block owns them. */
    List<NamedOp> ops();

    /** Computes {@code out = B(in)}; {@code in} is only read. */
    void run(Tensor in, Tensor out);

    @Override
    void close();
}
