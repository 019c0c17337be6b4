package ai.dgnet.runtime;

import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.op.Add;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.PreparedOp;
import ai.dgnet.runtime.op.Reorder;

import java.util.List;
import java.util.Optional;

/**
 * Where tensors live and prepared operations run. Each factory validates its arguments in Java, then builds the
 * operation once (kernels chosen, weights reordered) for the shapes given. Ops belong to the device that made
 * them: closing the device closes every op still open. Factories may be called from any thread.
 *
 * <p>The interface speaks only the runtime's own types, so a CUDA device can stand behind it later.
 */
public interface Device extends AutoCloseable {
    /** A short description, e.g. {@code cpu (oneDNN 3.13.0, avx512_core_bf16, 2 threads)}. */
    String name();

    /** Threads each operation may use. */
    int threads();

    /**
     * Activation layouts in this device's order of preference. A network tries them in order and keeps the first
     * in which every op is {@linkplain PreparedOp#optimized() optimized}.
     */
    List<Layout> activationLayouts();

    /**
     * The layout of activations of {@code shape} in a network planned in {@code planned}, one of
     * {@link #activationLayouts()}: {@code planned}, or another in which this device runs such activations faster.
     * The network reorders where consecutive parts differ. This default: {@code planned}.
     */
    default Layout activationLayout(Layout planned, Shape shape) {
        return planned;
    }

    /**
     * Whether this device's convolutions take activations stored as {@code dtype}. This default: f32 only.
     */
    default boolean supports(DType dtype) {
        return dtype == DType.F32;
    }

    /** A zero-filled tensor this device's ops can use. */
    Tensor allocate(Shape shape, DType dtype, Layout layout);

    Conv2d conv2d(Conv2d.Spec spec, ConvWeights weights);

    /**
     * The two convolutions of {@code spec} as one op, where this device has a kernel that runs them in one pass;
     * empty where it would only run them one after another, which two {@link #conv2d} ops do as well. This default
     * has no such kernel.
     */
    default Optional<PointwiseDepthwise> pointwiseDepthwise(PointwiseDepthwise.Spec spec, ConvWeights pointwise,
                                                            ConvWeights depthwise) {
        return Optional.empty();
    }

    Pool2d pool2d(Pool2d.Spec spec);

    /** Global average pooling of {@code input} stored as {@code dtype} in {@code layout}, to f32 {@code NC}. */
    GlobalAvgPool globalAvgPool(Shape input, DType dtype, Layout layout);

    Linear linear(Linear.Spec spec, ConvWeights weights);

    Reorder reorder(Reorder.Spec spec);

    Add add(Add.Spec spec);

    /**
     * The kernels for a DG stage's routing and aggregation on this device, for any thread. This default runs them
     * on the calling thread; a device with several threads may split them over its cores.
     */
    default DgKernels dgKernels() {
        return DgKernelsProvider.get();
    }

    /**
     * Frees the scratch memory the ops run on each thread grew to their largest need (a Winograd convolution's
     * operands for one large image take gigabytes), on every thread that ran ops here; the next op run on a thread
     * grows it again as far as that op needs. Safe while other threads run ops: an op using its thread's scratch now
     * keeps it until it ends, and the call waits for that. For once the ops that needed it are closed. This default
     * has none to free.
     */
    default void releaseScratch() {
    }

    @Override
    void close();
}
