package ai.dgnet.runtime.cpu;

import ai.dgnet.dnnl.DnnlLibrary;
import ai.dgnet.runtime.InFlightCalls;
import ai.dgnet.runtime.kernel.ChunkedTeam;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static ai.dgnet.dnnl.c.omp_h.omp_get_thread_num;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A team made of oneDNN's own OpenMP threads: a task runs as the body of an OpenMP parallel region opened from the
 * calling thread, the region oneDNN opens for each primitive run from that thread.
 *
 * <p>Why not Java threads: after a primitive, libgomp's worker threads keep spinning on their cores for a while
 * (GOMP_SPINCOUNT) before they sleep. A Java worker woken in that window shares a core with a spinning OpenMP thread
 * and runs at half speed or less: measured on 2 cores, a three-source sum of 0.8 M floats right after a convolution
 * took 0.35 ms on one thread and 0.44 ms split with a persistent Java worker (0.19 ms when no convolution ran
 * before it). Handing the work to the spinning threads themselves leaves nothing to fight over: split over this
 * team, a two-source sum of that size right after a convolution took 0.12-0.14 ms against 0.28-0.35 ms serially.
 *
 * <p>The region is opened with {@code GOMP_parallel}, the entry point GCC compiles {@code #pragma omp parallel} to
 * (libgomp's ABI since GCC 4.9), resolved in the OpenMP runtime libdnnl links. Its body is an upcall into this
 * class; the JVM attaches an OpenMP thread on its first upcall and keeps it attached. The upcall takes the data
 * pointer as a {@code long}, the same register, so that no {@code MemorySegment} is made per call.
 */
@SuppressWarnings("restricted")
final class OpenMpTeam implements ChunkedTeam.Team, AutoCloseable {
    private static final String ENTRY = "GOMP_parallel";
    /**
     * What the team's OpenMP worker threads are named, followed by their OpenMP thread number, in place of the
     * "Thread-N" the JVM gives a thread it attaches for an upcall: thread dumps and profilers then say what they are,
     * and the allocation tests count them as taking part in a run, apart from the JVM's other threads.
     */
    static final String THREAD_NAME = "dgnet-openmp-";
    private static final MethodHandle GOMP_PARALLEL = Linker.nativeLinker().downcallHandle(
            DnnlLibrary.findOrThrow(ENTRY), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ENTER;

    static {
        try {
            ENTER = MethodHandles.lookup().findVirtual(OpenMpTeam.class, "enter",
                    MethodType.methodType(void.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Whether the loaded oneDNN's OpenMP runtime has {@code GOMP_parallel}: libgomp does, and so do LLVM's and
     * Intel's OpenMP runtimes, which carry GCC's entry points.
     */
    static boolean supported() {
        return DnnlLibrary.lookup().find(ENTRY).isPresent();
    }

    private final int threads;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment body;
    private volatile Runnable task;
    /** The thread that started the region running now: thread 0, a Java thread with a name of its own. */
    private volatile Thread caller;
    private volatile Throwable escaped;
    /** The regions running now: closing frees the upcall stub their threads call. */
    private final InFlightCalls regions = new InFlightCalls();

    OpenMpTeam(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.body = Linker.nativeLinker().upcallStub(ENTER.bindTo(this), FunctionDescriptor.ofVoid(JAVA_LONG), arena);
    }

    @Override
    public int size() {
        return threads;
    }

    /**
     * OpenMP's thread number: libgomp keeps a team's threads from one region to the next, so the same thread takes
     * the same share of every split call.
     */
    @Override
    public int member() {
        return omp_get_thread_num();
    }

    /**
     * Runs {@code task} on the calling thread alone once the team is closed, as its upcall is gone. Not reentrant:
     * the team holds one task, so a task calling this again is refused rather than replacing the task the other
     * threads of its region are still to run (its {@link ChunkedTeam} asks from one thread at a time, and a call it
     * gets from inside a task finds the team busy and runs on that thread alone).
     */
    @Override
    public void runOnAll(Runnable task) {
        if (this.task != null) {
            throw new IllegalStateException("the OpenMP team is already running a task: a task must not call "
                    + "runOnAll again");
        }
        if (!regions.enter()) {
            task.run();
            return;
        }
        this.caller = Thread.currentThread();
        this.task = task;
        escaped = null;
        try {
            GOMP_PARALLEL.invokeExact(body, MemorySegment.NULL, threads, 0);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a downcall threw a checked exception", e);
        } finally {
            this.task = null;
            regions.exit();
        }
        Throwable failed = escaped;
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
    }

    /** Frees the upcall once the regions running now have ended; the OpenMP threads stay, as oneDNN's. */
    @Override
    public void close() {
        if (!regions.closed()) {
            regions.close();
            regions.awaitCalls();
            arena.close();
        }
    }

    /** The region's body, on every thread of the team. */
    private void enter(long ignored) {
        // An exception must not leave an upcall: the JVM would end the process.
        try {
            nameWorker();
            task.run();
        } catch (Throwable t) {
            escaped = t;
        }
    }

    /**
     * Names an OpenMP worker on its first upcall, not the region's caller. Once named, a name compare, with no
     * downcall and no allocation: this runs on every thread of every region.
     */
    private void nameWorker() {
        Thread current = Thread.currentThread();
        if (current != caller && !current.getName().startsWith(THREAD_NAME)) {
            current.setName(THREAD_NAME + omp_get_thread_num());
        }
    }
}
