package ai.dgnet.models;

import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * A model prepared on a device. The first run with an input shape, or {@link #prepare}, prepares the network for it
 * (kernels chosen, weights placed, buffers allocated); later runs of that shape reuse everything. At most
 * {@link SessionOptions#maxShapes} networks are kept: a new shape beyond them closes the network of the shape run
 * least recently once its own is prepared. Every run refuses an input holding a NaN or an infinity, naming the first
 * ({@link IllegalArgumentException}), before anything is prepared or run for it. Memory refused to a preparation or a
 * run ({@link InsufficientMemoryException}) closes them in the same order first, while freeing could help. Runs from
 * several threads take turns, and {@link #close()} waits for a run in progress, so that no thread frees buffers
 * another one's kernels are writing; it frees the device's scratch on every thread that ran ops
 * ({@link Device#releaseScratch}), not only its own. For runs in parallel, use one session per thread (sessions of
 * one model share nothing mutable).
 */
public final class Session implements AutoCloseable {
    private final DgModel model;
    private final Device device;
    private final float threshold;
    private final Precision precision;
    private final int maxShapes;
    /** The prepared networks in the order their shapes were last run or profiled, least recently first. */
    private final Map<Shape, PreparedNetwork> prepared = new LinkedHashMap<>(16, 0.75f, true);
    /** Held by a run, a profile and close(): one at a time. */
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    Session(DgModel model, Device device, float threshold, Precision precision, int maxShapes) {
        this.model = model;
        this.device = device;
        this.threshold = threshold;
        this.precision = precision;
        this.maxShapes = maxShapes;
    }

    public Precision precision() {
        return precision;
    }

    /** The edge threshold this session routes with (the model's, unless overridden). */
    public float threshold() {
        return threshold;
    }

    /**
     * Runs a batch given as an f32 NCHW tensor {@code [N, in_channels, H, W]}; refused as
     * {@link #run(Tensor, Result)} says.
     */
    public Result run(Tensor input) {
        return run(input, null);
    }

    /**
     * Runs a batch, writing into {@code reuse} when it fits this run (as a result of an earlier run of the same input
     * shape does: then nothing is allocated, the steady state of a serving loop); otherwise into a new result. Every
     * value of a result written into is this run's, whatever run wrote it before. A result is the caller's to share:
     * it must not be passed to two runs at once (of this session or another: a run given a result another one is
     * writing fails with an {@link IllegalStateException}), nor read while a run writes it.
     * Returns the result written. The input is held open through the run ({@link Tensor#acquire()}): closing it
     * from another thread waits for the run.
     *
     * @throws IllegalArgumentException unless {@code input} is f32 NCHW {@code [N, in_channels, H, W]} of finite
     *                                  values (the first NaN or infinity is named)
     * @throws IllegalStateException if this session, the input or the device is closed, if another run is writing
     *                               {@code reuse}, or if the model was closed before the network for this input
     *                               shape was prepared
     * @throws InsufficientMemoryException if the network for this input shape, or its run, cannot have the memory
     *                                     it needs
     */
    public Result run(Tensor input, Result reuse) {
        Objects.requireNonNull(input, "input").acquire();
        lock.lock();
        try {
            return runLocked(input, reuse);
        } finally {
            lock.unlock();
            input.release();
        }
    }

    /**
     * Prepares the network for {@code input}-shaped f32 NCHW batches as their first run would, so that the next run
     * of that shape only runs (a server's warm-up times its runs apart from the preparation); nothing where that
     * network is prepared already. Refused as {@link #run(Tensor, Result)} says, for a shape
     * {@code [N, in_channels, H, W]}.
     */
    public void prepare(Shape input) {
        Objects.requireNonNull(input, "input");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("session is closed");
            }
            if (input.rank() != 4 || input.dim(1) != model.config().inChannels()) {
                throw new IllegalArgumentException("input must be [N, " + model.config().inChannels() + ", H, W], got "
                        + input);
            }
            network(input);
        } finally {
            lock.unlock();
        }
    }

    private Result runLocked(Tensor input, Result reuse) {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        Shape shape = input.shape();
        // All checked before a network is prepared for the shape: one for an input that can never run would cost
        // seconds and push out the network of a shape that can.
        if (shape.rank() != 4 || shape.dim(1) != model.config().inChannels() || input.dtype() != DType.F32
                || input.layout() != Layout.NCHW) {
            throw new IllegalArgumentException("input must be [N, " + model.config().inChannels() + ", H, W] f32 "
                    + "NCHW, got " + input);
        }
        requireFinite(input);
        // Claimed before a network is prepared, which a refused run would have done for nothing (and perhaps pushed
        // out another shape's network for). A new result is this run's alone.
        if (reuse != null) {
            reuse.beginWrite();
        }
        try {
            PreparedNetwork network = network(shape);
            return runInto(network, input, reuse != null && network.fits(reuse) ? reuse : network.newResult());
        } finally {
            if (reuse != null) {
                reuse.endWrite();
            }
        }
    }

    /**
     * Refuses an input holding a NaN or an infinity, naming the first: the network would not give NaN logits for it
     * but ordinary-looking ones (the routers keep no edge whose score is NaN, so its instance gets a cut-off path's
     * constant answer).
     */
    private void requireFinite(Tensor input) {
        Shape shape = input.shape();
        long at = device.dgKernels().firstNonFinite(input.segment(), 0, shape.elements());
        if (at >= 0) {
            int width = shape.dim(3);
            int height = shape.dim(2);
            int channels = shape.dim(1);
            throw new IllegalArgumentException("input value " + input.segment().getAtIndex(JAVA_FLOAT, at)
                    + " at [n, c, h, w] = [" + at / width / height / channels + ", " + at / width / height % channels
                    + ", " + at / width % height + ", " + at % width + "] is not a finite number");
        }
    }

    private Result runInto(PreparedNetwork network, Tensor input, Result into) {
        Shape shape = input.shape();
        while (true) {
            try {
                network.run(input, into);
                return into;
            } catch (InsufficientMemoryException e) {
                // A buffer a run grows (a Winograd workspace) did not fit. A run starts over from the input, so it
                // can go again once other shapes' networks are closed. Where none is left to close, the network
                // would fail again, and it holds the most memory of any: it goes now rather than when other shapes
                // push it out.
                if (!makeRoom(e, shape)) {
                    prepared.remove(shape);
                    throw Closeables.closeAfter(new InsufficientMemoryException("cannot run the network for input "
                            + shape, e), network, device::releaseScratch);
                }
            }
        }
    }

    /** The network prepared for {@code shape}, prepared now where it is not yet. */
    private PreparedNetwork network(Shape shape) {
        PreparedNetwork network = prepared.get(shape);
        return network != null ? network : prepareNew(shape);
    }

    /**
     * The network for a shape not prepared yet, kept in place of the least recently run one where the session holds
     * {@link SessionOptions#maxShapes} already; that one is closed once the new one is prepared, so that a preparation
     * that fails costs no other shape its network. Where memory is refused, the networks of other shapes are closed
     * one by one, least recently run first, and the preparation tried again.
     */
    private PreparedNetwork prepareNew(Shape shape) {
        model.requireWeights(shape);
        PreparedNetwork network;
        while (true) {
            try {
                network = PreparedNetwork.prepare(device, model.network(), model.config(), threshold, precision,
                        model.weights(), shape);
                break;
            } catch (InsufficientMemoryException e) {
                if (!makeRoom(e, shape)) {
                    throw new InsufficientMemoryException("cannot prepare the network for input " + shape, e);
                }
            }
        }
        if (prepared.size() == maxShapes) {
            closeLeastRecent();
        }
        prepared.put(shape, network);
        return network;
    }

    /**
     * Closes the network run least recently, unless it is {@code shape}'s or freeing memory cannot make
     * {@code refusal}'s buffer fit (then the session keeps what it has, as a request that can never fit must not
     * cost the others their networks). Returns whether it closed one.
     */
    private boolean makeRoom(InsufficientMemoryException refusal, Shape shape) {
        if (!refusal.freeingHelps() || prepared.isEmpty() || prepared.keySet().iterator().next().equals(shape)) {
            return false;
        }
        closeLeastRecent();
        return true;
    }

    /**
     * Closes the network of the shape run least recently, and frees the device's scratch on every thread, which its
     * ops may have grown on any thread that ran them.
     */
    private void closeLeastRecent() {
        Closeables.closeAll(prepared.remove(prepared.keySet().iterator().next()), device::releaseScratch);
    }

    /**
     * The layers of the network this session prepared for {@code input}-shaped batches, in the order a run takes
     * them, each with its op's runs and time so far; empty before the first run of that shape, and once its network
     * was closed to make room for other shapes. Compare two with
     * {@link LayerProfile#between}.
     *
     * @throws IllegalStateException if this session is closed
     */
    public List<LayerProfile> profile(Shape input) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("session is closed");
            }
            PreparedNetwork network = prepared.get(input);
            if (network == null) {
                return List.of();
            }
            return network.ops().stream().map(op -> new LayerProfile(op.name(), op.op().profile())).toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a batch given as NCHW values in row-major order, {@code shape.elements()} of them, shape
     * {@code [N, in_channels, H, W]}; otherwise refused as {@link #run(Tensor, Result)} says.
     *
     * @throws IllegalArgumentException if {@code values} are not as many as {@code shape} has elements, or the
     *                                  shape is not {@code [N, in_channels, H, W]}
     */
    public Result run(float[] values, Shape shape) {
        try (Tensor input = Tensor.of(shape, Layout.NCHW, values)) {
            return run(input);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                List<AutoCloseable> parts = new ArrayList<>(prepared.values());
                prepared.clear();
                parts.add(device::releaseScratch);
                Closeables.closeAll(parts);
            }
        } finally {
            lock.unlock();
        }
    }
}
