package ai.dgnet.models;

import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model prepared on a device. The first run with an input shape prepares the network for it (kernels chosen,
 * weights placed, buffers allocated); later runs of that shape reuse everything. Not thread-safe: use one session
 * per thread (sessions of one model share nothing mutable).
 */
public final class Session implements AutoCloseable {
    private final DgModel model;
    private final Device device;
    private final float threshold;
    private final Precision precision;
    private final Map<Shape, PreparedNetwork> prepared = new HashMap<>();
    private boolean closed;

    Session(DgModel model, Device device, float threshold, Precision precision) {
        this.model = model;
        this.device = device;
        this.threshold = threshold;
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    /** The edge threshold this session routes with (the model's, unless overridden). */
    public float threshold() {
        return threshold;
    }

    /** Runs a batch given as an f32 NCHW tensor {@code [N, in_channels, H, W]}. */
    public Result run(Tensor input) {
        return run(input, null);
    }

    /**
     * Runs a batch, writing into {@code reuse} when it came from an earlier run of this session with the same input
     * shape (then nothing is allocated: the steady state of a serving loop); otherwise into a new result.
     * Returns the result written.
     */
    public Result run(Tensor input, Result reuse) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        Shape shape = input.shape();
        if (shape.rank() != 4 || shape.dim(1) != model.config().inChannels()) {
            throw new IllegalArgumentException("input must be [N, " + model.config().inChannels() + ", H, W], got "
                    + shape);
        }
        PreparedNetwork network = prepared.get(shape);
        if (network == null) {
            network = PreparedNetwork.prepare(device, model.network(), model.config(), threshold, precision,
                    model.weights(), shape);
            prepared.put(shape, network);
        }
        Result into = reuse != null && network.fits(reuse) ? reuse : network.newResult();
        network.run(input, into);
        return into;
    }

    /**
     * The layers of the network this session prepared for {@code input}-shaped batches, in the order a run takes
     * them, each with its op's runs and time so far; empty before the first run of that shape. Compare two with
     * {@link LayerProfile#between}.
     */
    public List<LayerProfile> profile(Shape input) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        PreparedNetwork network = prepared.get(input);
        if (network == null) {
            return List.of();
        }
        return network.ops().stream().map(op -> new LayerProfile(op.name(), op.op().profile())).toList();
    }

    /** Runs a batch given as NCHW values in row-major order. */
    public Result run(float[] values, Shape shape) {
        try (Tensor input = Tensor.of(shape, Layout.NCHW, values)) {
            return run(input);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            prepared.values().forEach(PreparedNetwork::close);
            prepared.clear();
        }
    }
}
