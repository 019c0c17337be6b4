package ai.dgnet.runtime.dg;

import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.op.NamedOp;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs one DG stage (spec section 2) on a batch: nodes in order; after each node its router scores the node's
 * outgoing edges per instance; edges not strictly above the threshold are dropped; each node's input is the
 * weighted sum of its kept predecessors; the stage output is the output node's sum.
 *
 * <p>Convolutions run on the whole batch, routing and aggregation per instance (every layout used keeps an
 * instance's elements contiguous), each step's poolings or sums of all instances in one call of the kernels, which
 * may split them over threads. Buffers are planned once: one output per node and one aggregation buffer,
 * reused for every node's input and for the stage output. The later nodes' outputs and the aggregation buffer lie
 * in {@link StageBuffers} that the stages of a network share, the first node's output apart from them. When every
 * instance's input to a node is a single kept edge of weight exactly 1 from the same predecessor (always so in
 * static mode) that predecessor's output is used directly, with no copy. A node with no kept input gets zeros. When no
 * instance of the batch kept an input of a node, the node's output is its output for zeros, the same every time and
 * for every instance: the first such run keeps one instance of it (owned by this executor), and later ones read that
 * instance wherever any instance reads the node's output, instead of running the node's convolutions or copying.
 *
 * <p>Not thread-safe: one executor per session.
 */
public final class StageExecutor implements AutoCloseable {
    private final List<Block> nodes;
    private final List<Router> routers;
    private final Mode mode;
    private final float threshold;
    private final DgKernels kernels;
    private final int m;
    private final int batch;
    private final Shape nodeShape;
    private final Layout layout;
    private final DType dtype;
    private final long instanceElements;
    /** Views: {@code outputs[0]} of the first output's buffers, the others and the aggregate of the shared ones. */
    private final Tensor[] outputs;
    private final Tensor aggregate;
    /** Per node: one instance of its output for a zero input, once a run has needed it; else null. Owned here. */
    private final Tensor[] zeroInputOutputs;
    /**
     * The current run's output of each node run so far: its tensor in {@link #outputs}, or its kept output for
     * zeros, whose one instance stands for every instance of the batch.
     */
    private final Tensor[] ran;
    /** The buffers a standalone stage made for itself and closes; none for a stage of a network. */
    private final List<StageBuffers> owned;
    // Scratch reused by every run, so routing and aggregation allocate nothing: per instance, its channel means
    // and its kept edges' sources, offsets and weights.
    private final float[][] pooled;
    private final float[] scores;
    private final MemorySegment[][] sources;
    private final long[][] offsets;
    private final float[][] weights;
    private final int[] counts;

    /**
     * A stage with buffers of its own, for running it alone.
     *
     * @param nodes   the stage's blocks, prepared; every node after the first maps the node shape to itself
     * @param routers one per node in dynamic mode (router {@code i} has {@code m - i} edges); empty in static mode
     *                or when the stage has a single node
     * @param layout  how node outputs are laid out
     * @param dtype   how node outputs are stored (routing and aggregation compute in f32 either way)
     */
    public StageExecutor(Device device, List<Block> nodes, List<Router> routers, Mode mode, float threshold,
                         Layout layout, DType dtype) {
        this(device, nodes, routers, mode, threshold, layout, dtype, ownBuffers(nodes, layout, dtype));
    }

    private StageExecutor(Device device, List<Block> nodes, List<Router> routers, Mode mode, float threshold,
                          Layout layout, DType dtype, List<StageBuffers> own) {
        this(device, nodes, routers, mode, threshold, layout, dtype, own.getFirst(), own.getLast(), own);
    }

    /**
     * A stage of a network whose stages run one after another and share {@code buffers}, which must hold
     * {@link StageBuffers#bytes} for this stage and outlive it. Running this stage overwrites what the other stages
     * left there, but only after its first node has read the input. That node writes the start of
     * {@code firstOutput}, which must overlap neither {@code buffers} nor wherever the stage input may lie (the
     * previous stage's {@code firstOutput}), and outlive this stage.
     */
    public StageExecutor(Device device, List<Block> nodes, List<Router> routers, Mode mode, float threshold,
                         Layout layout, DType dtype, StageBuffers buffers, StageBuffers firstOutput) {
        this(device, nodes, routers, mode, threshold, layout, dtype, Objects.requireNonNull(buffers, "buffers"),
                Objects.requireNonNull(firstOutput, "firstOutput"), List.of());
    }

    /** The stage on {@code buffers} and {@code firstOutput}; closes {@code owned} with itself, or if it fails. */
    private StageExecutor(Device device, List<Block> nodes, List<Router> routers, Mode mode, float threshold,
                          Layout layout, DType dtype, StageBuffers buffers, StageBuffers firstOutput,
                          List<StageBuffers> owned) {
        this.owned = owned;
        try {
            requireNodes(nodes);
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
            }
            this.nodes = List.copyOf(nodes);
            this.m = nodes.size();
            this.mode = mode;
            this.threshold = threshold;
            this.layout = layout;
            this.dtype = dtype;
            this.nodeShape = nodes.getFirst().output();
            this.batch = nodeShape.dim(0);
            for (int j = 1; j < m; j++) {
                Block node = nodes.get(j);
                if (!node.input().equals(nodeShape) || !node.output().equals(nodeShape)) {
                    throw new IllegalArgumentException("node " + j + " maps " + node.input() + " to "
                            + node.output() + ", but every node after the first must map the stage's node shape "
                            + nodeShape + " to itself");
                }
            }
            boolean routed = mode == Mode.DYNAMIC && m > 1;
            if (routed && routers.size() != m) {
                throw new IllegalArgumentException("dynamic stage of " + m + " nodes needs " + m + " routers, got "
                        + routers.size());
            }
            int channels = nodeShape.dim(1);
            for (int i = 0; routed && i < m; i++) {
                Router r = routers.get(i);
                if (r.edges() != m - i || r.channels() != channels) {
                    throw new IllegalArgumentException("router " + i + " must be [" + (m - i) + ", " + channels
                            + "], got [" + r.edges() + ", " + r.channels() + "]");
                }
            }
            this.routers = routed ? List.copyOf(routers) : List.of();
            this.kernels = device.dgKernels();
            this.instanceElements = layout.storageElements(nodeShape) / batch;
            this.pooled = new float[batch][channels];
            this.scores = new float[m];
            this.sources = new MemorySegment[batch][m];
            this.offsets = new long[batch][m];
            this.weights = new float[batch][m];
            this.counts = new int[batch];
            this.outputs = new Tensor[m];
            this.zeroInputOutputs = new Tensor[m];
            this.ran = new Tensor[m];
            List<Tensor> slots = m > 1 ? buffers.stageSlots(nodeShape, m, dtype, layout) : List.of();
            for (int i = 1; i < m; i++) {
                outputs[i] = slots.get(i - 1);
            }
            this.aggregate = m > 1 ? slots.getLast() : null;
            outputs[0] = firstOutput.views(List.of(nodeShape), dtype, layout).getFirst();
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, owned);
        }
    }

    private static void requireNodes(List<Block> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a stage needs at least one node");
        }
    }

    /** The shared buffers, then the first output's, of a stage that runs alone. */
    private static List<StageBuffers> ownBuffers(List<Block> nodes, Layout layout, DType dtype) {
        requireNodes(nodes);
        Shape shape = nodes.getFirst().output();
        return List.of(new StageBuffers(StageBuffers.bytes(shape, nodes.size(), dtype, layout)),
                new StageBuffers(StageBuffers.bytes(List.of(shape), dtype, layout)));
    }

    public int nodes() {
        return m;
    }

    /** The nodes' prepared ops, node by node, in the order each node runs them; the nodes own them. */
    public List<NamedOp> ops() {
        return nodes.stream().flatMap(node -> node.ops().stream()).toList();
    }

    public Shape input() {
        return nodes.getFirst().input();
    }

    public Shape output() {
        return nodeShape;
    }

    public Layout layout() {
        return layout;
    }

    /** Whether every node runs optimized kernels only. */
    public boolean optimized() {
        return nodes.stream().allMatch(Block::optimized);
    }

    /**
     * Runs the stage on {@code z} and records each instance's connectivity in {@code trace} (ignored for a
     * single-node stage). Returns the tensor holding the stage output: valid until this executor's next run, or
     * until another stage sharing its {@link StageBuffers} runs past its first node.
     */
    public Tensor run(Tensor z, StageTrace trace) {
        if (m > 1 && (trace.nodes() != m || trace.batch() != batch)) {
            throw new IllegalArgumentException("trace is for " + trace.nodes() + " nodes and batch "
                    + trace.batch() + ", stage has " + m + " nodes and batch " + batch);
        }
        nodes.getFirst().run(z, outputs[0]);
        ran[0] = outputs[0];
        if (m == 1) {
            return outputs[0];
        }
        // Routing writes only the cells the mode decides (static: the chain's), and aggregation reads a whole
        // column: a trace reused from another run, of another mode, must not lend it edges.
        trace.clear();
        route(0, trace);
        for (int j = 1; j < m; j++) {
            runNode(j, trace);
            route(j, trace);
        }
        return aggregate(m, trace);
    }

    /** Runs node {@code j} on its aggregate, or takes its kept output for zeros where no instance has an input. */
    private void runNode(int j, StageTrace trace) {
        boolean zeroInput = !anyInput(j, trace);
        Tensor kept = zeroInputOutputs[j];
        if (zeroInput && kept != null) {
            ran[j] = kept;
            return;
        }
        nodes.get(j).run(aggregate(j, trace), outputs[j]);
        ran[j] = outputs[j];
        if (zeroInput) {
            zeroInputOutputs[j] = keepFirstInstance(outputs[j]);
        }
    }

    /** A copy of instance 0 of {@code x}, a tensor of the node shape. */
    private Tensor keepFirstInstance(Tensor x) {
        int[] dims = nodeShape.dims();
        dims[0] = 1;
        Tensor first = Tensor.allocate(Shape.of(dims), dtype, layout);
        MemorySegment.copy(x.segment(), 0, first.segment(), 0, first.byteSize());
        return first;
    }

    /** Whether any instance kept an edge into node {@code j}. */
    private boolean anyInput(int j, StageTrace trace) {
        int size = m + 1;
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < j; i++) {
                if (trace.adjacency()[n][i * size + j] != 0.0f) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Fills row {@code i} of every instance's matrices from node {@code i}'s router (or the static chain). */
    private void route(int i, StageTrace trace) {
        int size = m + 1;
        if (mode == Mode.STATIC) {
            for (int n = 0; n < batch; n++) {
                trace.adjacency()[n][i * size + i + 1] = 1.0f;
            }
            return;
        }
        Router router = routers.get(i);
        Tensor x = ran[i];
        kernels.channelMeans(x.segment(), x.shape(), layout, dtype, pooled);
        for (int n = 0; n < batch; n++) {
            kernels.router(pooled[instance(x, n)], router.channels(), router.weight(), router.bias(), router.edges(),
                    scores);
            for (int k = 0; k < router.edges(); k++) {
                int cell = i * size + i + 1 + k;
                float r = scores[k];
                trace.router()[n][cell] = r;
                trace.adjacency()[n][cell] = r > threshold ? r : 0.0f;
            }
        }
    }

    /** The input of node {@code j} (or the stage output when {@code j == m}): {@code sum_i A[i][j] * x_i}. */
    private Tensor aggregate(int j, StageTrace trace) {
        int shared = sharedUnitEdge(j, trace);
        if (shared >= 0 && ran[shared].shape().dim(0) == batch) {
            return ran[shared];
        }
        int size = m + 1;
        for (int n = 0; n < batch; n++) {
            int count = 0;
            for (int i = 0; i < j; i++) {
                float w = trace.adjacency()[n][i * size + j];
                if (w != 0.0f) {
                    sources[n][count] = ran[i].segment();
                    offsets[n][count] = instance(ran[i], n) * instanceElements;
                    weights[n][count] = w;
                    count++;
                }
            }
            counts[n] = count;
        }
        kernels.weightedSums(aggregate.segment(), instanceElements, dtype, batch, sources, offsets, weights, counts);
        return aggregate;
    }

    /** Which instance of {@code x}, a node's output in this run, instance {@code n} of the batch reads. */
    private static int instance(Tensor x, int n) {
        return x.shape().dim(0) == 1 ? 0 : n;
    }

    /** The predecessor every instance takes alone with weight exactly 1, or -1 if there is none. */
    private int sharedUnitEdge(int j, StageTrace trace) {
        int size = m + 1;
        int shared = -1;
        for (int n = 0; n < batch; n++) {
            int only = -1;
            for (int i = 0; i < j; i++) {
                float w = trace.adjacency()[n][i * size + j];
                if (w == 0.0f) {
                    continue;
                }
                if (w != 1.0f || only >= 0) {
                    return -1;
                }
                only = i;
            }
            if (only < 0 || (shared >= 0 && shared != only)) {
                return -1;
            }
            shared = only;
        }
        return shared;
    }

    @Override
    public void close() {
        List<AutoCloseable> parts = new ArrayList<>(nodes);
        parts.addAll(Arrays.asList(zeroInputOutputs));
        parts.addAll(owned);
        Closeables.closeAll(parts);
    }
}
