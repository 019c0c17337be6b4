package ai.dgnet.models;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.op.Add;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Reorder;

import java.util.List;
import java.util.Optional;

/**
 * A device that does what a CPU device does, for tests' fakes to override where they differ. Closing it closes
 * nothing: the CPU device is the test's to close, unless a fake says otherwise.
 */
public abstract class ForwardingDevice implements Device {
    protected final CpuDevice cpu;

    protected ForwardingDevice(CpuDevice cpu) {
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return cpu.name();
    }

    @Override
    public int threads() {
        return cpu.threads();
    }

    @Override
    public List<Layout> activationLayouts() {
        return cpu.activationLayouts();
    }

    @Override
    public Layout activationLayout(Layout planned, Shape shape) {
        return cpu.activationLayout(planned, shape);
    }

    @Override
    public boolean supports(DType dtype) {
        return cpu.supports(dtype);
    }

    @Override
    public Tensor allocate(Shape shape, DType dtype, Layout layout) {
        return cpu.allocate(shape, dtype, layout);
    }

    @Override
    public Conv2d conv2d(Conv2d.Spec spec, ConvWeights weights) {
        return cpu.conv2d(spec, weights);
    }

    @Override
    public Optional<PointwiseDepthwise> pointwiseDepthwise(PointwiseDepthwise.Spec spec, ConvWeights pointwise,
                                                           ConvWeights depthwise) {
        return cpu.pointwiseDepthwise(spec, pointwise, depthwise);
    }

    @Override
    public Pool2d pool2d(Pool2d.Spec spec) {
        return cpu.pool2d(spec);
    }

    @Override
    public GlobalAvgPool globalAvgPool(Shape input, DType dtype, Layout layout) {
        return cpu.globalAvgPool(input, dtype, layout);
    }

    @Override
    public Linear linear(Linear.Spec spec, ConvWeights weights) {
        return cpu.linear(spec, weights);
    }

    @Override
    public Reorder reorder(Reorder.Spec spec) {
        return cpu.reorder(spec);
    }

    @Override
    public Add add(Add.Spec spec) {
        return cpu.add(spec);
    }

    @Override
    public DgKernels dgKernels() {
        return cpu.dgKernels();
    }

    @Override
    public void releaseScratch() {
        cpu.releaseScratch();
    }

    @Override
    public void close() {
    }
}
