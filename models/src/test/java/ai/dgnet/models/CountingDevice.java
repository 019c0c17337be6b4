package ai.dgnet.models;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.OpProfile;
import ai.dgnet.runtime.op.PointwiseDepthwise;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CPU device that counts the convolutions it makes by destination layout, and those open; it may offer other
 * layouts, or f32 only, and may refuse memory to convolutions as {@code NativeMemory} would. It runs every
 * convolution as its own op, fusing no 1x1 and depthwise pair. Closing it closes the CPU device.
 */
final class CountingDevice extends ForwardingDevice {
    /** The layouts offered, in order; null for the CPU device's own. */
    private final List<Layout> layouts;
    private final boolean f32Only;
    private final List<Layout> made = new CopyOnWriteArrayList<>();
    private final AtomicInteger scratchReleases = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger failingCloses = new AtomicInteger();
    private volatile Shape refusedInput;
    private volatile int memoryFor = Integer.MAX_VALUE;
    private volatile boolean freeingHelps;
    private volatile CountDownLatch holding;
    private volatile CountDownLatch held;

    /** Offering {@code only}, or the CPU device's layouts if null. */
    CountingDevice(CpuDevice cpu, Layout only) {
        this(cpu, only == null ? null : List.of(only), false);
    }

    /**
     * Offering {@code layouts} in that order (null: the CPU device's); with {@code f32Only}, claiming no bf16
     * convolutions, whatever the CPU has.
     */
    CountingDevice(CpuDevice cpu, List<Layout> layouts, boolean f32Only) {
        super(cpu);
        this.layouts = layouts;
        this.f32Only = f32Only;
    }

    int convolutions(Layout layout) {
        return (int) made.stream().filter(l -> l == layout).count();
    }

    @Override
    public List<Layout> activationLayouts() {
        return layouts == null ? cpu.activationLayouts() : layouts;
    }

    /** The CPU device's choice where it offers the CPU device's layouts; else the planned layout throughout. */
    @Override
    public Layout activationLayout(Layout planned, Shape shape) {
        return layouts == null ? cpu.activationLayout(planned, shape) : planned;
    }

    @Override
    public boolean supports(DType dtype) {
        return f32Only ? dtype == DType.F32 : cpu.supports(dtype);
    }

    /** No fused pair, as {@link Device}'s default: every convolution is its own op, counted alone. */
    @Override
    public Optional<PointwiseDepthwise> pointwiseDepthwise(PointwiseDepthwise.Spec spec, ConvWeights pointwise,
                                                           ConvWeights depthwise) {
        return Optional.empty();
    }

    @Override
    public Conv2d conv2d(Conv2d.Spec spec, ConvWeights weights) {
        if (open.get() >= memoryFor) {
            throw refusal(freeingHelps);
        }
        made.add(spec.dstLayout());
        Conv2d conv = cpu.conv2d(spec, weights);
        open.incrementAndGet();
        return new Watched(conv);
    }

    /**
     * Refuses the runs of every convolution whose input is {@code input}, as a workspace that no freeing could make
     * room for would be ({@link InsufficientMemoryException}); null for none.
     */
    void refuseRunsOn(Shape input) {
        refusedInput = input;
    }

    /**
     * Leaves memory for {@code convolutions} open convolutions: making one more is refused, and so is a run while
     * more are open (as when other processes took memory since), saying whether freeing could help as given.
     */
    void memoryFor(int convolutions, boolean freeingHelps) {
        this.freeingHelps = freeingHelps;
        memoryFor = convolutions;
    }

    /**
     * Holds every convolution's run before it starts until {@code release} opens, having opened {@code held}; null
     * for none.
     */
    void holdRuns(CountDownLatch held, CountDownLatch release) {
        this.held = held;
        this.holding = release;
    }

    /** Has the next {@code count} convolutions closed throw, once each has closed, as a failing native free would. */
    void failCloses(int count) {
        failingCloses.set(count);
    }

    /** The convolutions made and not closed yet. */
    int openConvolutions() {
        return open.get();
    }

    private static InsufficientMemoryException refusal(boolean freeingHelps) {
        return new InsufficientMemoryException("not enough memory for a buffer of 1.0 GiB: the process has 512 MiB "
                + "available", freeingHelps);
    }

    /**
     * A convolution counted open until closed, whose runs are refused as {@link #refuseRunsOn} and {@link #memoryFor}
     * say.
     */
    private final class Watched implements Conv2d {
        private final Conv2d conv;
        private boolean closed;

        Watched(Conv2d conv) {
            this.conv = conv;
        }

        @Override
        public void run(Tensor src, Tensor dst) {
            checkMemory();
            conv.run(src, dst);
        }

        @Override
        public void run(Tensor src, Tensor residual, Tensor dst) {
            checkMemory();
            conv.run(src, residual, dst);
        }

        private void checkMemory() {
            CountDownLatch release = holding;
            if (release != null) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (conv.spec().input().equals(refusedInput)) {
                throw refusal(false);
            }
            if (open.get() > memoryFor) {
                throw refusal(freeingHelps);
            }
        }

        @Override
        public Conv2d.Spec spec() {
            return conv.spec();
        }

        @Override
        public String implementation() {
            return conv.implementation();
        }

        @Override
        public boolean optimized() {
            return conv.optimized();
        }

        @Override
        public OpProfile profile() {
            return conv.profile();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
                conv.close();
                if (failingCloses.getAndDecrement() > 0) {
                    throw new IllegalStateException("closing " + conv.spec().input() + " failed");
                }
            }
        }
    }

    @Override
    public void releaseScratch() {
        scratchReleases.incrementAndGet();
        cpu.releaseScratch();
    }

    /** How many times {@link #releaseScratch} was called. */
    int scratchReleases() {
        return scratchReleases.get();
    }

    @Override
    public void close() {
        cpu.close();
    }
}
