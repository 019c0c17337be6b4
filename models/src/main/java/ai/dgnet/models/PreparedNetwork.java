package ai.dgnet.models;

import ai.dgnet.models.arch.BlockDef;
import ai.dgnet.models.arch.BlockScratch;
import ai.dgnet.models.arch.ConvBn;
import ai.dgnet.models.arch.NetworkDef;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.dg.Block;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.dg.Router;
import ai.dgnet.runtime.dg.StageBuffers;
import ai.dgnet.runtime.dg.StageExecutor;
import ai.dgnet.runtime.dg.StageTrace;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.NamedOp;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Reorder;
import ai.dgnet.runtime.op.Residual;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * A network prepared on a device for one input shape: every op built and every weight placed once, every
 * activation buffer allocated once. Activations are planned in one of the device's layouts (its first choice in which
 * every convolution has a fast kernel), which each part of the network (stem, stage, head) keeps or exchanges for
 * the one the device runs faster at the part's map size ({@link Device#activationLayout}); where two consecutive
 * parts differ, one reorder between them. The first convolution reads the NCHW input directly where it can (else one
 * reorder of the input), and the logits come out as {@code NC}.
 */
final class PreparedNetwork implements AutoCloseable {
    private final NetworkDef net;
    private final Shape input;
    private final int numClasses;
    private final List<Conv2d> stem = new ArrayList<>();
    private final List<Tensor> stemOutputs = new ArrayList<>();
    private BlockScratch scratch;
    private StageBuffers stageBuffers;
    /** The first nodes' outputs: even stages write the first, odd ones the second, never their input's. */
    private final List<StageBuffers> firstOutputs = new ArrayList<>();
    private Reorder inputReorder;
    private Tensor reorderedInput;
    private Pool2d maxPool;
    private Tensor pooled;
    private final List<StageExecutor> stages = new ArrayList<>();
    /**
     * Per stage, then for the head: the reorder into the part's layout where it differs from the previous part's,
     * else null.
     */
    private final LayoutChange[] layoutChanges;
    private final List<Conv2d> head = new ArrayList<>();
    private final List<Tensor> headOutputs = new ArrayList<>();
    private GlobalAvgPool globalPool;
    private Tensor features;
    private Linear classifier;
    private Tensor logits;
    /** False when preparation stopped at a generic kernel: the network cannot run and is only to be closed. */
    private boolean complete;

    /**
     * Prepares {@code net} in the first of the device's activation layouts in which every op has an optimized
     * kernel; if none has, in the layout with the fewest generic ones. A layout is given up at the first part of the
     * network (stem, stage, head) with a generic kernel, so that trying it costs little more than that part.
     */
    static PreparedNetwork prepare(Device device, NetworkDef net, ModelConfig config, float threshold,
                                   Precision precision, WeightSource weights, Shape input) {
        List<Layout> layouts = device.activationLayouts();
        for (Layout layout : layouts) {
            PreparedNetwork network = new PreparedNetwork(device, net, config, threshold, precision, weights, input,
                    layout, true);
            if (network.complete) {
                return network;
            }
            network.close();
        }
        PreparedNetwork fewest = null;
        for (Layout layout : layouts) {
            PreparedNetwork network;
            try {
                network = new PreparedNetwork(device, net, config, threshold, precision, weights, input, layout,
                        false);
            } catch (RuntimeException e) {
                // Nothing else holds the network kept so far: unless closed here, its memory would be lost.
                throw Closeables.closeAfter(e, fewest);
            }
            if (fewest == null || network.genericOps() < fewest.genericOps()) {
                if (fewest != null) {
                    fewest.close();
                }
                fewest = network;
            } else {
                network.close();
            }
        }
        return fewest;
    }

    /**
     * Prepares {@code net} planned in {@code planned}; with {@code optimizedOnly}, stops at the first part with a
     * generic kernel and leaves the network incomplete, to be closed.
     */
    private PreparedNetwork(Device device, NetworkDef net, ModelConfig config, float threshold, Precision precision,
                            WeightSource weights, Shape input, Layout planned, boolean optimizedOnly) {
        this.net = net;
        this.input = input;
        this.numClasses = net.numClasses();
        this.layoutChanges = new LayoutChange[net.stages().size() + 1];
        DType dtype = precision.activations();
        try {
            List<Shape> stemShapes = stemShapes(net, input);
            Shape stagesInput = stemShapes.isEmpty() ? input : stemShapes.getLast();
            LayoutPlan plan = LayoutPlan.of(device, planned, net, stagesInput);
            Layout layout = plan.stem();
            scratch = new BlockScratch(scratchBytes(net, stagesInput, dtype, plan));
            stageBuffers = new StageBuffers(stageBytes(net, stemShapes, dtype, plan));
            for (long bytes : firstOutputBytes(dtype, plan)) {
                firstOutputs.add(new StageBuffers(bytes));
            }
            // Dead once the first stage's first node has read the pooled map, so they lie in the stages' memory.
            List<Tensor> stemViews = stageBuffers.views(stemShapes, dtype, layout);
            Shape shape = input;
            Layout current = Layout.NCHW;
            if (dtype != DType.F32) {
                reorderInput(device, layout, dtype);
                current = layout;
            }
            for (ConvBn conv : net.stem()) {
                Conv2d op = conv.prepare(device, weights, shape, current, layout, dtype, Residual.NONE);
                if (current != layout && !op.optimized()) {
                    // No fast kernel reads NCHW and writes this layout: reorder the input first.
                    op.close();
                    reorderInput(device, layout, dtype);
                    op = conv.prepare(device, weights, shape, layout, layout, dtype, Residual.NONE);
                }
                stem.add(op);
                shape = op.spec().output();
                current = layout;
                stemOutputs.add(stemViews.get(stemOutputs.size()));
            }
            if (optimizedOnly && genericOps() > 0) {
                return;
            }
            if (net.maxPool()) {
                Pool2d.Spec spec = Pool2d.Spec.of(shape, Pool2d.Kind.MAX, 3, 2, 1, layout).withDType(dtype);
                maxPool = device.pool2d(spec);
                shape = spec.output();
                pooled = stemViews.getLast();
            }
            for (int s = 0; s < net.stages().size(); s++) {
                layoutChanges[s] = LayoutChange.of(device, net.stages().get(s).getFirst().name() + "input", shape,
                        dtype, layout, plan.stages().get(s));
                layout = plan.stages().get(s);
                StageExecutor stage = prepareStage(device, net, config, threshold, weights, s, shape, layout, dtype,
                        scratch, stageBuffers, firstOutputs.get(s % 2));
                stages.add(stage);
                shape = stage.output();
                if (optimizedOnly && !stage.optimized()) {
                    return;
                }
            }
            layoutChanges[net.stages().size()] = LayoutChange.of(device,
                    (net.headConvs().isEmpty() ? "avgpool" : net.headConvs().getFirst().conv()) + ".input", shape,
                    dtype, layout, plan.head());
            layout = plan.head();
            for (ConvBn conv : net.headConvs()) {
                Conv2d op = conv.prepare(device, weights, shape, layout, layout, dtype, Residual.NONE);
                head.add(op);
                shape = op.spec().output();
                headOutputs.add(device.allocate(shape, dtype, layout));
            }
            if (optimizedOnly && genericOps() > 0) {
                return;
            }
            globalPool = device.globalAvgPool(shape, dtype, layout);
            features = device.allocate(GlobalAvgPool.output(shape), DType.F32, Layout.NC);
            Linear.Spec fc = new Linear.Spec(input.dim(0), net.features(), numClasses);
            classifier = device.linear(fc, new ConvWeights(
                    weights.read(net.fc() + ".weight", new int[] {numClasses, net.features()}),
                    weights.read(net.fc() + ".bias", new int[] {numClasses})));
            logits = device.allocate(fc.output(), DType.F32, Layout.NC);
            complete = true;
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, this);
        }
    }

    /** The shapes of the stem's outputs, then of the pooled map where {@code net} pools: the first stage's input. */
    private static List<Shape> stemShapes(NetworkDef net, Shape input) {
        List<Shape> shapes = new ArrayList<>();
        Shape shape = input;
        for (ConvBn conv : net.stem()) {
            shape = conv.output(shape);
            shapes.add(shape);
        }
        if (net.maxPool()) {
            shapes.add(Pool2d.Spec.of(shape, Pool2d.Kind.MAX, 3, 2, 1, Layout.NCHW).output());
        }
        return shapes;
    }

    /** Per slot, the bytes of the largest intermediate any block of {@code net} keeps there. */
    private static long[] scratchBytes(NetworkDef net, Shape stagesInput, DType dtype, LayoutPlan plan) {
        Shape shape = stagesInput;
        long[] bytes = new long[0];
        for (int s = 0; s < net.stages().size(); s++) {
            Layout layout = plan.stages().get(s);
            for (BlockDef block : net.stages().get(s)) {
                List<Shape> intermediates = block.intermediates(shape);
                if (intermediates.size() > bytes.length) {
                    bytes = Arrays.copyOf(bytes, intermediates.size());
                }
                for (int i = 0; i < intermediates.size(); i++) {
                    bytes[i] = Math.max(bytes[i], Tensor.byteSize(intermediates.get(i), dtype, layout));
                }
                shape = block.output(shape);
            }
        }
        return bytes;
    }

    /** The bytes of {@link StageBuffers} that the stem's activations and the largest stage's share need. */
    private static long stageBytes(NetworkDef net, List<Shape> stemShapes, DType dtype, LayoutPlan plan) {
        long bytes = StageBuffers.bytes(stemShapes, dtype, plan.stem());
        for (int s = 0; s < net.stages().size(); s++) {
            // Every node after the first keeps the first's output shape, which is the stage output.
            bytes = Math.max(bytes, StageBuffers.bytes(plan.stageOutputs().get(s), net.stages().get(s).size(), dtype,
                    plan.stages().get(s)));
        }
        return bytes;
    }

    /** The bytes of the largest first-node output of the even stages, then of the odd ones. */
    private static long[] firstOutputBytes(DType dtype, LayoutPlan plan) {
        long[] bytes = new long[2];
        for (int s = 0; s < plan.stages().size(); s++) {
            bytes[s % 2] = Math.max(bytes[s % 2],
                    StageBuffers.bytes(List.of(plan.stageOutputs().get(s)), dtype, plan.stages().get(s)));
        }
        return bytes;
    }

    /**
     * The layout of each part of a network planned in one of the device's layouts: the stem's (up to the first
     * stage's input), each stage's, and the head's (its convolutions and the global pooling), each as the device
     * would have activations of the part's output shape; with each stage's output shape, which every node of the
     * stage writes.
     */
    private record LayoutPlan(Layout stem, List<Layout> stages, Layout head, List<Shape> stageOutputs) {
        static LayoutPlan of(Device device, Layout planned, NetworkDef net, Shape stagesInput) {
            List<Shape> outputs = new ArrayList<>();
            List<Layout> stages = new ArrayList<>();
            Shape shape = stagesInput;
            for (List<BlockDef> stage : net.stages()) {
                shape = stage.getFirst().output(shape);
                outputs.add(shape);
                stages.add(device.activationLayout(planned, shape));
            }
            for (ConvBn conv : net.headConvs()) {
                shape = conv.output(shape);
            }
            return new LayoutPlan(device.activationLayout(planned, stagesInput), stages,
                    device.activationLayout(planned, shape), outputs);
        }
    }

    /**
     * A reorder of a part's input into the part's layout, named as a layer ({@code layer4.0.input}), and its output;
     * the network owns both.
     */
    private record LayoutChange(String name, Reorder op, Tensor output) implements AutoCloseable {
        /** The change from {@code from} to {@code to} of activations of {@code shape}, or null if they are the same. */
        static LayoutChange of(Device device, String name, Shape shape, DType dtype, Layout from, Layout to) {
            if (from == to) {
                return null;
            }
            Reorder op = device.reorder(new Reorder.Spec(shape, dtype, from, dtype, to));
            try {
                return new LayoutChange(name, op, device.allocate(shape, dtype, to));
            } catch (RuntimeException e) {
                throw Closeables.closeAfter(e, op);
            }
        }

        Tensor apply(Tensor x) {
            op.run(x, output);
            return output;
        }

        @Override
        public void close() {
            Closeables.closeAll(op, output);
        }
    }

    /** The model's f32 NCHW input converted to the activations' layout and type before the stem. */
    private void reorderInput(Device device, Layout layout, DType dtype) {
        if (inputReorder == null) {
            inputReorder = device.reorder(new Reorder.Spec(input, DType.F32, Layout.NCHW, dtype, layout));
            reorderedInput = device.allocate(input, dtype, layout);
        }
    }

    /** Convolutions and stages that run a generic (slow) kernel; global pooling and the classifier are tiny. */
    private int genericOps() {
        int generic = 0;
        for (Conv2d op : stem) {
            generic += op.optimized() ? 0 : 1;
        }
        for (StageExecutor stage : stages) {
            generic += stage.optimized() ? 0 : 1;
        }
        for (Conv2d op : head) {
            generic += op.optimized() ? 0 : 1;
        }
        return generic;
    }

    private static StageExecutor prepareStage(Device device, NetworkDef net, ModelConfig config, float threshold,
                                              WeightSource weights, int s, Shape z, Layout layout, DType dtype,
                                              BlockScratch scratch, StageBuffers buffers,
                                              StageBuffers firstOutput) {
        List<BlockDef> defs = net.stages().get(s);
        List<Block> blocks = new ArrayList<>();
        try {
            Shape shape = z;
            for (BlockDef def : defs) {
                Block block = def.prepare(device, weights, shape, layout, dtype, scratch);
                blocks.add(block);
                shape = block.output();
            }
            List<Router> routers = new ArrayList<>();
            int m = defs.size();
            if (config.mode() == Mode.DYNAMIC && m >= 2) {
                int channels = net.stageChannels(s);
                for (int i = 0; i < m; i++) {
                    routers.add(new Router(
                            weights.read(NetworkDef.routerWeight(s, i), new int[] {m - i, channels}),
                            weights.read(NetworkDef.routerBias(s, i), new int[] {m - i}), m - i, channels));
                }
            }
            return new StageExecutor(device, blocks, routers, config.mode(), threshold, layout, dtype, buffers,
                    firstOutput);
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, blocks);
        }
    }

    /**
     * Every op of the network in the order a run takes them, each under its layer's name: torchvision's module
     * path for convolutions and the classifier, {@code input} for a reorder of the input, the path of the layer it
     * feeds plus {@code .input} for a reorder between parts ({@code layer4.0.input}), {@code maxpool} and
     * {@code avgpool} for the poolings.
     */
    List<NamedOp> ops() {
        List<NamedOp> ops = new ArrayList<>();
        if (inputReorder != null) {
            ops.add(new NamedOp("input", inputReorder));
        }
        for (int i = 0; i < stem.size(); i++) {
            ops.add(new NamedOp(net.stem().get(i).conv(), stem.get(i)));
        }
        if (maxPool != null) {
            ops.add(new NamedOp("maxpool", maxPool));
        }
        for (int s = 0; s < stages.size(); s++) {
            addLayoutChange(ops, s);
            ops.addAll(stages.get(s).ops());
        }
        addLayoutChange(ops, stages.size());
        for (int i = 0; i < head.size(); i++) {
            ops.add(new NamedOp(net.headConvs().get(i).conv(), head.get(i)));
        }
        ops.add(new NamedOp("avgpool", globalPool));
        ops.add(new NamedOp(net.fc(), classifier));
        return ops;
    }

    private void addLayoutChange(List<NamedOp> ops, int part) {
        LayoutChange change = layoutChanges[part];
        if (change != null) {
            ops.add(new NamedOp(change.name(), change.op()));
        }
    }

    /** A result with room for this network's outputs, to be filled by {@link #run}. */
    Result newResult() {
        int batch = input.dim(0);
        List<StageTrace> traces = new ArrayList<>(stages.size());
        for (StageExecutor stage : stages) {
            traces.add(StageTrace.of(stage.nodes(), batch));
        }
        return new Result(new float[batch][numClasses], traces);
    }

    boolean fits(Result result) {
        if (result.batch() != input.dim(0) || result.logits()[0].length != numClasses
                || result.stages() != stages.size()) {
            return false;
        }
        for (int s = 0; s < stages.size(); s++) {
            if (result.nodes(s) != stages.get(s).nodes()) {
                return false;
            }
        }
        return true;
    }

    /** Runs the network on {@code x}, writing into {@code into} (which {@link #fits}); allocates nothing. */
    void run(Tensor x, Result into) {
        x.require(input, DType.F32, Layout.NCHW, "model input");
        Tensor current = x;
        if (inputReorder != null) {
            inputReorder.run(x, reorderedInput);
            current = reorderedInput;
        }
        for (int i = 0; i < stem.size(); i++) {
            stem.get(i).run(current, stemOutputs.get(i));
            current = stemOutputs.get(i);
        }
        if (maxPool != null) {
            maxPool.run(current, pooled);
            current = pooled;
        }
        for (int s = 0; s < stages.size(); s++) {
            current = stages.get(s).run(changeLayout(s, current), into.trace(s));
        }
        current = changeLayout(stages.size(), current);
        for (int i = 0; i < head.size(); i++) {
            head.get(i).run(current, headOutputs.get(i));
            current = headOutputs.get(i);
        }
        globalPool.run(current, features);
        classifier.run(features, logits);
        MemorySegment values = logits.segment();
        for (int n = 0; n < into.batch(); n++) {
            MemorySegment.copy(values, JAVA_FLOAT, (long) n * numClasses * Float.BYTES, into.logits()[n], 0,
                    numClasses);
        }
    }

    /** {@code x} in the layout of {@code part} (a stage's index, or the stage count for the head). */
    private Tensor changeLayout(int part, Tensor x) {
        LayoutChange change = layoutChanges[part];
        return change == null ? x : change.apply(x);
    }

    /** Closes every part made, also where one fails: its first failure is thrown, with the later ones suppressed. */
    @Override
    public void close() {
        List<AutoCloseable> parts = new ArrayList<>(Arrays.asList(inputReorder, reorderedInput));
        parts.addAll(stem);
        parts.add(maxPool);
        parts.addAll(stages);
        parts.addAll(Arrays.asList(layoutChanges));
        parts.add(scratch);
        parts.add(stageBuffers);
        parts.addAll(firstOutputs);
        parts.addAll(head);
        parts.addAll(headOutputs);
        parts.add(globalPool);
        parts.add(features);
        parts.add(classifier);
        parts.add(logits);
        Closeables.closeAll(parts);
    }
}
