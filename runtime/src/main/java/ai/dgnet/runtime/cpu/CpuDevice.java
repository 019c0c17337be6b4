package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.DnnlException;
import ai.dgnet.dnnl.DnnlLibrary;
import ai.dgnet.dnnl.DnnlStatus;
import ai.dgnet.dnnl.Engine;
import ai.dgnet.dnnl.ExecArgs;
import ai.dgnet.dnnl.Memory;
import ai.dgnet.dnnl.MemoryDesc;
import ai.dgnet.dnnl.Primitive;
import ai.dgnet.dnnl.PrimitiveAttr;
import ai.dgnet.dnnl.Stream;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.InFlightCalls;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.NativeMemory;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.kernel.ChunkedTeam;
import ai.dgnet.runtime.kernel.DgKernels;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import ai.dgnet.runtime.kernel.ParallelDgKernels;
import ai.dgnet.runtime.kernel.TimedDgKernels;
import ai.dgnet.runtime.kernel.WinogradTransforms;
import ai.dgnet.runtime.op.Add;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.GlobalAvgPool;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.OpProfile;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Reorder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_bf16;
import static ai.dgnet.dnnl.c.dnnl_common_types_h.dnnl_f32;
import static ai.dgnet.dnnl.c.dnnl_h.dnnl_get_effective_cpu_isa;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_cpu_isa_avx2;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_cpu_isa_avx512_core;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_cpu_isa_avx512_core_amx;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nChw16c;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nChw8c;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nc;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nchw;
import static ai.dgnet.dnnl.c.dnnl_types_h.dnnl_nhwc;
import static ai.dgnet.dnnl.c.omp_h.omp_set_num_threads;

/**
 * The CPU device: one oneDNN CPU engine, one in-order stream per calling thread, and a fixed OpenMP thread count
 * for every primitive it runs.
 */
public final class CpuDevice implements Device {
    /** System property naming the one activation layout to use, overriding the device's preference. */
    public static final String LAYOUT_PROPERTY = "dgnet.layout";
    /**
     * The largest map, in pixels, that {@link #activationLayout} keeps in NHWC in a blocked network without AVX-512:
     * 7x7.
     */
    private static final long SMALL_MAP_PIXELS = 49;
    /**
     * System property: the largest transformed filters, in MiB per image of a matrix product, of a convolution run by
     * Winograd's algorithm (0: direct convolution everywhere). Default {@value #WINOGRAD_DEFAULT_MIB}. The images of a
     * batch share products where their operands fit (up to 8 MiB), so that each product reads the filters once for
     * all of them: at batch 1 the limit is the filters' size, for a product of eight images eight times that.
     */
    public static final String WINOGRAD_PROPERTY = "dgnet.winograd.maxFilterMiB";
    private static final int THREADS_PER_CPU = 4;
    /**
     * Measured on 2 AVX-512 cores, DG-ResNet-50 at batch 1 ({@code ConvolutionBenchmark}): F(4x4, 3x3) saves about
     * 0.55 ms per convolution of layer1 and layer2 (64 and 128 channels, at most 2.25 MiB of filters); for layer3
     * (256 channels) F(2x2, 3x3) at 4 MiB saves about 0.37 ms each, and F(4x4, 3x3) would save 0.13 ms more each for
     * 5 MiB more each, 25 MiB of peak memory in all. layer4's (512 channels) would be 16 MiB with F(2x2, 3x3).
     * Per image of a product, the same limit holds at larger batches on 2 AVX2 cores: 256 channels at 14x14 by
     * F(4x4, 3x3) (9 MiB) 3.8 ms against 4.3 by F(2x2, 3x3) in groups of 4, level in groups of 2; 512 at 7x7 by
     * F(2x2, 3x3) (16 MiB) 5.0 ms against 7.3 direct in groups of 4, level in groups of 2 (in a network such maps are
     * NHWC, {@link #activationLayout}, which these convolutions do not read).
     */
    static final int WINOGRAD_DEFAULT_MIB = 4;
    /** Workspace buffers per thread. */
    private static final int WORKSPACE_SLOTS = 2;

    private final Engine engine;
    private final int threads;
    private final boolean avx512;
    /** What {@link #isa()} gives. */
    private final String isa;
    /** What each thread that runs ops here has of its own: a stream and a workspace. Closed with the device. */
    private final ThreadLocal<ThreadState> perThread = new ThreadLocal<>();
    private final List<ThreadState> threadStates = new ArrayList<>();
    private final Set<CpuOp> openOps = ConcurrentHashMap.newKeySet();
    private final LongAdder primitiveNanos = new LongAdder();
    private final LongAdder transformNanos = new LongAdder();
    private final LongAdder workspaceBytes = new LongAdder();
    private final Weights weights = new Weights(this);
    private final long winogradMaxFilterBytes;
    /** Set up for a few runs ({@link #forFewRuns}): the scalar DG kernels, whatever the JVM chose. */
    private final boolean fewRuns;
    /** Whether oneDNN has bf16 convolutions here: null until {@link #supports} first asks. */
    private volatile Boolean bf16;
    private OpenMpTeam openMpTeam;
    private ChunkedTeam team;
    private DgKernels untimedDgKernels;
    private TimedDgKernels dgKernels;
    /**
     * The calls into oneDNN on this device's objects running now (a primitive, a memory object pointed at a buffer),
     * on any thread: closing waits for them before it frees those objects.
     */
    private final InFlightCalls nativeCalls = new InFlightCalls();

    private CpuDevice(int threads, long winogradMaxFilterBytes, boolean fewRuns) {
        // Also on a device for few runs, which runs the scalar kernels whatever the property says: a bad value is a
        // mistake to name, not one to pass over because this device happens not to read it.
        DgKernelsProvider.checkProperty();
        this.engine = Engine.cpu();
        this.threads = threads;
        this.winogradMaxFilterBytes = winogradMaxFilterBytes;
        this.fewRuns = fewRuns;
        int effective = dnnl_get_effective_cpu_isa();
        this.avx512 = hasIsa(effective, dnnl_cpu_isa_avx512_core());
        this.isa = hasIsa(effective, dnnl_cpu_isa_avx512_core_amx()) ? "avx512 amx" : avx512 ? "avx512"
                : hasIsa(effective, dnnl_cpu_isa_avx2()) ? "avx2" : "";
    }

    /**
     * Whether {@code effective} includes {@code isa}. oneDNN's ISA values are sets of feature bits, not a ranking:
     * AVX2-VNNI-2 is a larger number than AVX-512 without containing it.
     */
    static boolean hasIsa(int effective, int isa) {
        return (effective & isa) == isa;
    }

    /**
     * A CPU device running each primitive on {@code threads} OpenMP threads, with the Winograd filter limit that
     * {@value #WINOGRAD_PROPERTY} sets (default {@value #WINOGRAD_DEFAULT_MIB} MiB).
     *
     * @throws IllegalArgumentException for a thread count {@link #requireThreads} refuses, or a
     *                                  {@value #WINOGRAD_PROPERTY} that is not a whole number of MiB {@code >= 0}
     */
    public static CpuDevice create(int threads) {
        return create(threads, winogradMaxFilterMiB());
    }

    /**
     * A CPU device running each primitive on {@code threads} OpenMP threads, which runs a convolution by Winograd's
     * algorithm only where its transformed filters take at most {@code winogradMaxFilterMiB} MiB per image of a
     * matrix product (0: direct convolution everywhere).
     *
     * @throws IllegalArgumentException for a thread count {@link #requireThreads} refuses, or a negative limit
     */
    public static CpuDevice create(int threads, long winogradMaxFilterMiB) {
        requireThreads("threads", threads);
        if (winogradMaxFilterMiB < 0) {
            throw new IllegalArgumentException("the Winograd filter limit must be >= 0 MiB, got "
                    + winogradMaxFilterMiB);
        }
        return new CpuDevice(threads, winogradMaxFilterMiB > Long.MAX_VALUE >> 20 ? Long.MAX_VALUE
                : winogradMaxFilterMiB << 20, false);
    }

    /**
     * A device for a process that runs only a few inferences and exits, as a command classifying a handful of
     * images does: direct convolutions everywhere and the scalar DG kernels, on {@code threads} OpenMP threads.
     * Until C2 has compiled them, the Vector API kernels and the Winograd transforms run many times slower than
     * plain loops, and compiling them keeps a core busy for seconds; oneDNN's direct convolutions need no warm-up.
     * Each run in the steady state is slower (DG-ResNet-50 at batch 1 on 2 AVX2 cores: 91 against 49 ms), so a
     * process that runs many inferences wants {@link #create(int)}.
     *
     * @throws IllegalArgumentException for a thread count {@link #requireThreads} refuses
     */
    public static CpuDevice forFewRuns(int threads) {
        requireThreads("threads", threads);
        return new CpuDevice(threads, 0, true);
    }

    /**
     * Refuses a thread count {@code threads} (given as {@code name}, as a command line's option names it) that a
     * device may not take: under one, or over {@value #THREADS_PER_CPU} per CPU the process may use: OpenMP threads
     * past the CPUs only wait for each other at every barrier, and past some thousands the OpenMP runtime fails to
     * start them and takes the process down (16384 did on a 2-core machine).
     */
    public static void requireThreads(String name, int threads) {
        int most = THREADS_PER_CPU * Runtime.getRuntime().availableProcessors();
        if (threads < 1 || threads > most) {
            throw new IllegalArgumentException(name + " must be in [1, " + most + "] (" + THREADS_PER_CPU
                    + " per CPU this process may use), got " + threads);
        }
    }

    /** A CPU device using every available core. */
    public static CpuDevice create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String name() {
        return "cpu (oneDNN " + DnnlLibrary.version() + (isa.isEmpty() ? "" : ", " + isa) + ", " + threads
                + (threads == 1 ? " thread" : " threads") + (fewRuns ? ", set up for few runs)" : ")");
    }

    private static long winogradMaxFilterMiB() {
        String value = System.getProperty(WINOGRAD_PROPERTY, Integer.toString(WINOGRAD_DEFAULT_MIB));
        try {
            long mib = Long.parseLong(value.strip());
            if (mib >= 0) {
                return mib;
            }
        } catch (NumberFormatException e) {
            // Reported below with the negative numbers.
        }
        throw new IllegalArgumentException(WINOGRAD_PROPERTY + " must be a whole number of MiB >= 0, got '" + value
                + "'");
    }

    /**
     * The widest instruction set oneDNN uses here, as {@link #name} gives it: "avx512 amx", "avx512", "avx2", or
     * empty where it uses none of them.
     */
    public String isa() {
        return isa;
    }

    @Override
    public int threads() {
        return threads;
    }

    /**
     * oneDNN's blocked layout for the vector width first (its direct and 1x1 kernels), then NHWC (its brgemm
     * kernels, which also cover grouped convolutions whose groups are not whole blocks, as in RegNetY).
     * The system property {@code dgnet.layout} (a {@link Layout} name) puts one layout alone in the list.
     */
    @Override
    public List<Layout> activationLayouts() {
        String forced = System.getProperty(LAYOUT_PROPERTY);
        if (forced != null) {
            try {
                return List.of(Layout.valueOf(forced));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(LAYOUT_PROPERTY + " must be one of " + List.of(Layout.values())
                        + ", got '" + forced + "'");
            }
        }
        return List.of(avx512 ? Layout.NCHW16C : Layout.NCHW8C, Layout.NHWC);
    }

    /**
     * NHWC for maps of at most 7x7 pixels in a network planned in a blocked layout on a CPU without AVX-512, where
     * NHWC is one of {@link #activationLayouts()} (not when {@code dgnet.layout} forces another): there oneDNN's
     * blocked kernels are its older direct ones, and its brgemm kernels for NHWC beat them (ResNet-50's last stage on
     * AVX2: 114-130 GFLOP/s against 68-112), while at 14x14 and above the blocked layout's Winograd and 1x1 kernels
     * are as fast or faster. With AVX-512 the blocked kernels keep up: ResNet-50's layer4 inside the network on 2
     * Intel AVX-512 cores took 7.9-8.0 ms a run in {@code nChw16c} against 8.4-8.5 in NHWC with its reorder (the 1x1
     * convolutions 0.51-0.53 ms against 0.56-0.60, the 3x3 ones 1.12-1.13 against 1.09), and on 2 AMD AVX-512 cores
     * the whole network had measured level.
     */
    @Override
    public Layout activationLayout(Layout planned, Shape shape) {
        boolean smallMap = shape.rank() == 4 && (long) shape.dim(2) * shape.dim(3) <= SMALL_MAP_PIXELS;
        return planned.isBlocked() && smallMap && !avx512 && offersNhwc() ? Layout.NHWC : planned;
    }

    /** Whether NHWC is among {@link #activationLayouts()}: always, unless {@code dgnet.layout} forces another. */
    private boolean offersNhwc() {
        return activationLayouts().contains(Layout.NHWC);
    }

    /**
     * f32 always; bf16 where oneDNN has bf16 convolutions for this CPU in one of the activation layouts (it has them
     * with AVX-512, natively with AVX512_BF16, and with AVX2-VNNI-2; not with AVX2 alone).
     */
    @Override
    public boolean supports(DType dtype) {
        if (dtype == DType.F32) {
            return true;
        }
        Boolean known = bf16;
        if (known == null) {
            requireOpen();
            known = activationLayouts().stream().anyMatch(layout -> convolves(dtype, layout));
            bf16 = known;
        }
        return known;
    }

    /** Whether oneDNN makes a 1x1 convolution of {@code dtype} activations in {@code layout}. */
    private boolean convolves(DType dtype, Layout layout) {
        Conv2d.Spec spec = Conv2d.Spec.of(Shape.of(1, 16, 4, 4), 16, 1, 1, 0).withLayouts(layout, layout)
                .withDType(dtype);
        try (MemoryDesc src = describe(spec.input(), dtype, layout);
             MemoryDesc dst = describe(spec.output(), dtype, layout);
             MemoryDesc weights = Convolution.anyWeights(spec);
             PrimitiveAttr attr = PrimitiveAttr.create()) {
            Convolution.forward(this, spec, src, weights, null, dst, attr).close();
            return true;
        } catch (DnnlException e) {
            if (e.status() == DnnlStatus.UNIMPLEMENTED) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Tensor allocate(Shape shape, DType dtype, Layout layout) {
        requireOpen();
        return Tensor.allocate(shape, dtype, layout);
    }

    /**
     * Winograd where {@link WinogradConvolution} runs the spec and its transformed filters are at most
     * {@value #WINOGRAD_PROPERTY} MiB per image of a matrix product (F(4x4, 3x3) first, the larger saving, then
     * F(2x2, 3x3)), oneDNN's direct convolution otherwise: in NHWC between two reorders where
     * {@link NhwcConvolution#pays} and the device offers NHWC (not when {@code dgnet.layout} forces another layout),
     * else in the spec's layouts.
     */
    @Override
    public Conv2d conv2d(Conv2d.Spec spec, ConvWeights weights) {
        // Asked first: the sizes' transforms are Vector API code, which fails to load without the module.
        if (DgKernelsProvider.vectorized()) {
            for (WinogradTransforms.Size size : WinogradTransforms.Size.values()) {
                if (WinogradConvolution.supports(spec, size) && Math.ceilDiv(WinogradConvolution.filterBytes(spec,
                        size), WinogradConvolution.imagesPerProduct(spec, size)) <= winogradMaxFilterBytes) {
                    return register(() -> new WinogradConvolution(this, spec, weights, size));
                }
            }
        }
        if (NhwcConvolution.pays(spec) && offersNhwc()) {
            return register(() -> new NhwcConvolution(this, spec, weights));
        }
        return register(() -> new Convolution(this, spec, weights));
    }

    /**
     * oneDNN's 1x1 convolution with the depthwise one fused, where its 1x1 kernel does the fusing: only where the 1x1
     * convolution's source is larger than twice the L2 cache it assumes, and in blocked layouts. Measured on AVX-512
     * cores: MobileNetV2's 16->96 expansion at 112x112 from batch 1 in f32, its 56x56 and 28x28 expansions at batch
     * 8 (in bf16 the 112x112 and 56x56 ones), none of the smaller ones. Elsewhere oneDNN would run the two one after
     * the other through a scratchpad, which is no faster than two ops.
     */
    @Override
    public Optional<PointwiseDepthwise> pointwiseDepthwise(PointwiseDepthwise.Spec spec, ConvWeights pointwise,
                                                           ConvWeights depthwise) {
        requireOpen();
        PointwiseDepthwiseConvolution.checkWeights(spec, pointwise, depthwise);
        setThreadsForNewPrimitives();
        return PointwiseDepthwiseConvolution.fusingDescriptor(this, spec).map(desc -> {
            try {
                return register(() -> new PointwiseDepthwiseConvolution(this, spec, desc, pointwise, depthwise));
            } catch (RuntimeException e) {
                // Closed already where the op took it over and then failed; not where the device closed before.
                desc.close();
                throw e;
            }
        });
    }

    @Override
    public Pool2d pool2d(Pool2d.Spec spec) {
        return register(() -> new Pooling(this, spec));
    }

    @Override
    public GlobalAvgPool globalAvgPool(Shape input, DType dtype, Layout layout) {
        return register(() -> new GlobalAveragePooling(this, input, dtype, layout));
    }

    @Override
    public Linear linear(Linear.Spec spec, ConvWeights weights) {
        return register(() -> new InnerProduct(this, spec, weights));
    }

    @Override
    public Reorder reorder(Reorder.Spec spec) {
        return register(() -> new LayoutReorder(this, spec));
    }

    @Override
    public Add add(Add.Spec spec) {
        return register(() -> new ElementwiseAdd(this, spec));
    }

    /**
     * The DG kernels with each large weighted sum and pooling, and each call over a batch, split over the OpenMP
     * threads this device runs its primitives on, or the serial ones on one thread (or where the OpenMP runtime
     * cannot open a parallel region for Java); timed either way ({@link #routingNanos}, {@link #aggregationNanos}).
     */
    @Override
    public synchronized DgKernels dgKernels() {
        requireOpen();
        if (dgKernels == null) {
            dgKernels = new TimedDgKernels(untimedDgKernels());
        }
        return dgKernels;
    }

    /**
     * The kernels of {@link #dgKernels} without their clocks, for this device's own ops: an op's profile times it
     * already, and the clocks would count its time a second time, as routing ({@code dgnet bench}'s split and the
     * comparison harness's profile both add them to the ops' times).
     */
    synchronized DgKernels untimedDgKernels() {
        requireOpen();
        if (untimedDgKernels == null) {
            DgKernels kernels = fewRuns ? DgKernelsProvider.scalar() : DgKernelsProvider.get();
            ChunkedTeam shared = team();
            untimedDgKernels = shared.size() > 1 ? new ParallelDgKernels(kernels, shared) : kernels;
        }
        return untimedDgKernels;
    }

    /**
     * The threads Java work between primitives is split over: oneDNN's own OpenMP threads, or the calling thread
     * alone with one thread (or where the OpenMP runtime cannot open a parallel region for Java).
     */
    synchronized ChunkedTeam team() {
        requireOpen();
        if (team == null) {
            if (threads > 1 && OpenMpTeam.supported()) {
                openMpTeam = new OpenMpTeam(threads);
                team = new ChunkedTeam(openMpTeam);
            } else {
                team = ChunkedTeam.callingThread();
            }
        }
        return team;
    }

    /**
     * The calling thread's workspace, held until closed: scratch an op uses only while it runs, an op's run holding it
     * from before its first buffer until after its last use of them. Ops on one thread run one after another, so they
     * share it, and it is as large as the largest need of any op run on that thread. Freed when the device is closed,
     * by {@link #releaseScratch} (from any thread: it waits for a hold), or once the thread has ended, when the next
     * new thread runs an op here.
     */
    Workspace workspace() {
        return threadState().workspace.hold();
    }

    /**
     * Frees every thread's workspace. One that a thread's op holds now is freed once that op lets go of it, the
     * caller waiting for that (one op, not a whole run); without the wait, another session's run on that thread would
     * find its buffers freed under its kernels. Never called by an op that holds its own.
     */
    @Override
    public void releaseScratch() {
        List<ThreadState> states;
        synchronized (this) {
            // Closing the device frees them itself.
            if (nativeCalls.closed()) {
                return;
            }
            states = List.copyOf(threadStates);
        }
        // Waited for outside the device's lock, which would keep every other thread from its first op meanwhile.
        for (ThreadState state : states) {
            state.workspace.free();
        }
    }

    /** The bytes the workspaces of all threads hold now: what {@link #releaseScratch} gives back. */
    public long workspaceBytes() {
        return workspaceBytes.sum();
    }

    /** Counts time spent in Winograd transforms, which run in Java between primitives. */
    void addTransformNanos(long nanos) {
        transformNanos.add(nanos);
    }

    /** Wall time spent in the Winograd convolutions' input and output transforms since this device was made. */
    public long transformNanos() {
        return transformNanos.sum();
    }

    /**
     * Wall time spent in the routing calls of this device's DG kernels (channel means and routers) since it was made,
     * over all threads: with {@link #aggregationNanos} and {@link #primitiveNanos} it splits a run's time.
     */
    public synchronized long routingNanos() {
        return dgKernels == null ? 0 : dgKernels.routingNanos();
    }

    /** Wall time spent in the weighted sums of this device's DG kernels since it was made, over all threads. */
    public synchronized long aggregationNanos() {
        return dgKernels == null ? 0 : dgKernels.aggregationNanos();
    }

    /**
     * Closes every op still open and frees the streams and workspaces. Safe while other threads still run ops here:
     * it waits for their calls into oneDNN and their parallel regions running now (their next calls fail with
     * "device is closed"), and waits without holding this device's lock, which a thread's first primitive takes.
     */
    @Override
    public void close() {
        OpenMpTeam regions;
        synchronized (this) {
            if (nativeCalls.closed()) {
                return;
            }
            nativeCalls.close();
            regions = openMpTeam;
        }
        nativeCalls.awaitCalls();
        Closeables.closeAll(regions, this::closeOpsAndStreams);
    }

    private synchronized void closeOpsAndStreams() {
        List<AutoCloseable> parts = new ArrayList<>(openOps);
        parts.addAll(threadStates);
        threadStates.clear();
        parts.add(engine);
        Closeables.closeAll(parts);
    }

    Engine engine() {
        return engine;
    }

    /** The placed constants of this device's ops, shared where identical. */
    Weights weights() {
        return weights;
    }

    /**
     * Runs one primitive to completion on the calling thread's stream, with this device's thread count; returns the
     * nanoseconds it took.
     */
    long execute(Primitive primitive, ExecArgs args) {
        enterNativeCall();
        try {
            // OpenMP keeps the thread count per calling thread, and Java may call from any thread: set it every time.
            omp_set_num_threads(threads);
            Stream stream = threadState().stream;
            long start = System.nanoTime();
            primitive.execute(stream, args);
            stream.waitForCompletion();
            long nanos = System.nanoTime() - start;
            primitiveNanos.add(nanos);
            return nanos;
        } finally {
            nativeCalls.exit();
        }
    }

    /** Points {@code memory}, one of this device's ops' memory objects, at {@code data}. */
    void bind(Memory memory, MemorySegment data) {
        enterNativeCall();
        try {
            memory.bind(data);
        } finally {
            nativeCalls.exit();
        }
    }

    private void enterNativeCall() {
        if (!nativeCalls.enter()) {
            throw new IllegalStateException("device is closed");
        }
    }

    /**
     * What the device's open ops have run so far, one line per kind of op (description and implementation), the most
     * time first. Take one before and one after the runs of interest and compare them with
     * {@link OpProfile#between}. A closed op's runs leave the profile with it.
     */
    public List<OpProfile> profile() {
        return OpProfile.byKind(openOps.stream().map(CpuOp::profile).toList());
    }

    /**
     * Wall time spent inside oneDNN primitives since this device was made, over all threads: compared with a
     * run's total it gives the share of time spent in Java (routing, aggregation, bookkeeping).
     */
    public long primitiveNanos() {
        return primitiveNanos.sum();
    }

    /** The oneDNN descriptor of a tensor with this shape, type and layout. */
    static MemoryDesc describe(Shape shape, DType dtype, Layout layout) {
        layout.requireRank(shape);
        MemoryDesc md = MemoryDesc.ofTag(shape.longDims(), dataType(dtype), formatTag(layout));
        long expected = layout.storageElements(shape) * dtype.byteSize();
        if (md.byteSize() != expected) {
            md.close();
            throw new IllegalStateException("oneDNN sizes " + shape + " " + layout + " at " + md.byteSize()
                    + " bytes, the runtime at " + expected);
        }
        return md;
    }

    static int dataType(DType dtype) {
        return switch (dtype) {
            case F32 -> dnnl_f32();
            case BF16 -> dnnl_bf16();
        };
    }

    static int formatTag(Layout layout) {
        return switch (layout) {
            case NCHW -> dnnl_nchw();
            case NHWC -> dnnl_nhwc();
            case NCHW8C -> dnnl_nChw8c();
            case NCHW16C -> dnnl_nChw16c();
            case NC -> dnnl_nc();
        };
    }

    void unregister(CpuOp op) {
        openOps.remove(op);
    }

    /**
     * Makes an op as a call into oneDNN: a close from another thread waits for it and closes the op with the others,
     * instead of destroying the engine under the making (a crash in {@code dnnl_primitive_create}) and leaving an op
     * made afterwards open.
     */
    private <T extends CpuOp> T register(Supplier<T> factory) {
        enterNativeCall();
        try {
            setThreadsForNewPrimitives();
            T op = factory.get();
            openOps.add(op);
            return op;
        } finally {
            nativeCalls.exit();
        }
    }

    /**
     * Sets the calling thread's OpenMP thread count to this device's before oneDNN makes primitives on it. A oneDNN
     * kernel takes its thread count, and its split of the work, from that count when it is made, and runs on that
     * many threads whatever the count when it runs. A thread's count is the CPUs the process may use until something
     * sets it, and afterwards whatever the last device that ran a primitive on it left. Without this, a network's
     * first convolution, made before any primitive had run on its thread, ran on every CPU whatever the device's
     * thread count, and a 1x1 convolution made after a 1-thread device had run on the thread took a 2-thread
     * device's time on one thread (565 against 295 µs for MobileNetV2's 576->96 at 14x14).
     */
    private void setThreadsForNewPrimitives() {
        omp_set_num_threads(threads);
    }

    private ThreadState threadState() {
        ThreadState state = perThread.get();
        if (state == null) {
            synchronized (this) {
                requireOpen();
                closeStatesOfEndedThreads();
                state = new ThreadState(Thread.currentThread(), Stream.inOrder(engine), new Workspace());
                threadStates.add(state);
            }
            perThread.set(state);
        }
        return state;
    }

    /**
     * Frees the streams and workspaces of the threads that have ended: no op runs on them any more. Kept until the
     * device closed, they grew the process by a stream and a workspace (megabytes, for a Winograd convolution) per
     * thread that ever ran an op, without bound where every request runs on a new thread (a virtual one each).
     */
    private void closeStatesOfEndedThreads() {
        threadStates.removeIf(state -> {
            if (state.ended()) {
                state.close();
                return true;
            }
            return false;
        });
    }

    private void requireOpen() {
        if (nativeCalls.closed()) {
            throw new IllegalStateException("device is closed");
        }
    }

    /**
     * One thread's stream and workspace. Weak on its thread, so that a state waiting to be freed does not keep its
     * ended thread from the garbage collector.
     */
    private record ThreadState(WeakReference<Thread> owner, Stream stream, Workspace workspace)
            implements AutoCloseable {
        ThreadState(Thread owner, Stream stream, Workspace workspace) {
            this(new WeakReference<>(owner), stream, workspace);
        }

        boolean ended() {
            Thread thread = owner.get();
            return thread == null || !thread.isAlive();
        }

        @Override
        public void close() {
            Closeables.closeAll(workspace::free, stream);
        }
    }

    /**
     * One thread's workspace buffers, each grown to the largest size asked of it. Its thread's ops hold it through their
     * use of the buffers ({@link CpuDevice#workspace()}), and a free from any thread waits for that.
     */
    final class Workspace implements AutoCloseable {
        private final ReentrantLock held = new ReentrantLock();
        private final Arena[] arenas = new Arena[WORKSPACE_SLOTS];
        private final MemorySegment[] buffers = new MemorySegment[WORKSPACE_SLOTS];

        private Workspace hold() {
            held.lock();
            return this;
        }

        /**
         * Buffer {@code slot}, at least {@code bytes} long, valid until this hold is closed; grown where it is shorter.
         */
        MemorySegment buffer(int slot, long bytes) {
            // A closing device marks itself closed before it frees the workspaces, each under its hold: one grown
            // under a hold taken after that free would be freed by nothing.
            requireOpen();
            MemorySegment buffer = buffers[slot];
            if (buffer == null || buffer.byteSize() < bytes) {
                release(slot);
                // Shared, so that the buffer can be freed from another thread than its own.
                Arena arena = Arena.ofShared();
                try {
                    buffer = NativeMemory.allocate(arena, bytes);
                } catch (RuntimeException e) {
                    arena.close();
                    throw e;
                }
                arenas[slot] = arena;
                buffers[slot] = buffer;
                workspaceBytes.add(bytes);
            }
            return buffer;
        }

        /** Ends the hold. */
        @Override
        public void close() {
            held.unlock();
        }

        /** Frees every buffer, once an op that holds them has let go. */
        void free() {
            held.lock();
            try {
                for (int slot = 0; slot < WORKSPACE_SLOTS; slot++) {
                    release(slot);
                }
            } finally {
                held.unlock();
            }
        }

        private void release(int slot) {
            if (arenas[slot] != null) {
                workspaceBytes.add(-buffers[slot].byteSize());
                arenas[slot].close();
                arenas[slot] = null;
                buffers[slot] = null;
            }
        }
    }
}
