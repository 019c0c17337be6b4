package ai.dgnet.models;

import ai.dgnet.models.arch.BlockDef;
import ai.dgnet.models.arch.ConvBn;
import ai.dgnet.models.arch.NetworkDef;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.dg.Block;
import ai.dgnet.runtime.dg.Router;
import ai.dgnet.runtime.dg.StageExecutor;
import ai.dgnet.runtime.dg.StageTrace;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Residual;

import java.util.ArrayList;
import java.util.List;

/**
 * A network prepared on a device for one input shape: every op built and every weight placed once, every
 * activation buffer allocated once. Activations stay in the device's preferred (blocked) layout from the stem's
 * output to the global pooling; the input is read as NCHW by the first convolution and the logits come out as
 * {@code NC}, so there is no reorder at all.
 */
final class PreparedNetwork implements AutoCloseable {
    private final Shape input;
    private final int numClasses;
    private final List<Conv2d> stem = new ArrayList<>();
    private final List<Tensor> stemOutputs = new ArrayList<>();
    private Pool2d maxPool;
    private Tensor pooled;
    private final List<StageExecutor> stages = new ArrayList<>();
    private final List<Conv2d> head = new ArrayList<>();
    private final List<Tensor> headOutputs = new ArrayList<>();
    private GlobalAvgPool globalPool;
    private Tensor features;
    private Linear classifier;
    private Tensor logits;

    PreparedNetwork(Device device, NetworkDef net, ModelConfig config, float threshold, WeightSource weights,
                    Shape input) {
        this.input = input;
        this.numClasses = net.numClasses();
        try {
            Layout layout = device.preferredLayout(net.inChannels());
            Shape shape = input;
            Layout current = Layout.NCHW;
            for (ConvBn conv : net.stem()) {
                Conv2d op = conv.prepare(device, weights, shape, current, layout, Residual.NONE);
                stem.add(op);
                shape = op.spec().output();
                current = layout;
                stemOutputs.add(device.allocate(shape, DType.F32, layout));
            }
            if (net.maxPool()) {
                Pool2d.Spec spec = Pool2d.Spec.of(shape, Pool2d.Kind.MAX, 3, 2, 1, layout);
                maxPool = device.pool2d(spec);
                shape = spec.output();
                pooled = device.allocate(shape, DType.F32, layout);
            }
            for (int s = 0; s < net.stages().size(); s++) {
                StageExecutor stage = prepareStage(device, net, config, threshold, weights, s, shape, layout);
                stages.add(stage);
                shape = stage.output();
            }
            for (ConvBn conv : net.headConvs()) {
                Conv2d op = conv.prepare(device, weights, shape, layout, layout, Residual.NONE);
                head.add(op);
                shape = op.spec().output();
                headOutputs.add(device.allocate(shape, DType.F32, layout));
            }
            globalPool = device.globalAvgPool(shape, DType.F32, layout);
            features = device.allocate(GlobalAvgPool.output(shape), DType.F32, Layout.NC);
            Linear.Spec fc = new Linear.Spec(input.dim(0), net.features(), numClasses);
            classifier = device.linear(fc, new ai.dgnet.runtime.ConvWeights(
                    weights.read(net.fc() + ".weight", new int[] {numClasses, net.features()}),
                    weights.read(net.fc() + ".bias", new int[] {numClasses})));
            logits = device.allocate(fc.output(), DType.F32, Layout.NC);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static StageExecutor prepareStage(Device device, NetworkDef net, ModelConfig config, float threshold,
                                              WeightSource weights, int s, Shape z, Layout layout) {
        List<BlockDef> defs = net.stages().get(s);
        List<Block> blocks = new ArrayList<>();
        try {
            Shape shape = z;
            for (BlockDef def : defs) {
                Block block = def.prepare(device, weights, shape, layout);
                blocks.add(block);
                shape = block.output();
            }
            List<Router> routers = new ArrayList<>();
            int m = defs.size();
            if (config.mode() == ai.dgnet.runtime.dg.Mode.DYNAMIC && m >= 2) {
                int channels = net.stageChannels(s);
                for (int i = 0; i < m; i++) {
                    routers.add(new Router(
                            weights.read(NetworkDef.routerWeight(s, i), new int[] {m - i, channels}),
                            weights.read(NetworkDef.routerBias(s, i), new int[] {m - i}), m - i, channels));
                }
            }
            return new StageExecutor(device, blocks, routers, config.mode(), threshold, layout);
        } catch (RuntimeException e) {
            blocks.forEach(Block::close);
            throw e;
        }
    }

    Shape input() {
        return input;
    }

    Result run(Tensor x) {
        x.require(input, DType.F32, Layout.NCHW, "model input");
        Tensor current = x;
        for (int i = 0; i < stem.size(); i++) {
            stem.get(i).run(current, stemOutputs.get(i));
            current = stemOutputs.get(i);
        }
        if (maxPool != null) {
            maxPool.run(current, pooled);
            current = pooled;
        }
        List<StageTrace> traces = new ArrayList<>(stages.size());
        int batch = input.dim(0);
        for (StageExecutor stage : stages) {
            StageTrace trace = StageTrace.of(stage.nodes(), batch);
            current = stage.run(current, trace);
            traces.add(trace);
        }
        for (int i = 0; i < head.size(); i++) {
            head.get(i).run(current, headOutputs.get(i));
            current = headOutputs.get(i);
        }
        globalPool.run(current, features);
        classifier.run(features, logits);
        float[] flat = logits.toFloatArray();
        float[][] rows = new float[batch][numClasses];
        for (int n = 0; n < batch; n++) {
            System.arraycopy(flat, n * numClasses, rows[n], 0, numClasses);
        }
        return new Result(rows, traces);
    }

    @Override
    public void close() {
        stem.forEach(Conv2d::close);
        stemOutputs.forEach(Tensor::close);
        closeQuietly(maxPool);
        closeQuietly(pooled);
        stages.forEach(StageExecutor::close);
        head.forEach(Conv2d::close);
        headOutputs.forEach(Tensor::close);
        closeQuietly(globalPool);
        closeQuietly(features);
        closeQuietly(classifier);
        closeQuietly(logits);
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
