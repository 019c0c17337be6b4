package ai.dgnet.server;

/**
 * Seams in a model's worker and its loads for tests: a test blocks the worker inside a run to fill its queue or holds
 * it in its warm-up, waits until requests are queued or a load waits for another instead of sleeping, holds a request
 * between finding its model and queueing, or makes a run or a warm-up fail. The server's own warm-up requests over
 * HTTP come to no hook. The server itself uses {@link #NONE}.
 */
interface WorkerHooks {
    WorkerHooks NONE = new WorkerHooks() {
    };

    /** Called, under the queue's lock, after a request joined the queue of {@code model}. */
    default void queued(String model, int depth) {
    }

    /** Called on the worker thread before it warms the model up at {@code batch}; what it throws fails that size. */
    default void beforeWarmup(String model, int batch) throws Exception {
    }

    /** The clock, in nanoseconds, the warm-up times its runs by. */
    default long nanoTime() {
        return System.nanoTime();
    }

    /**
     * How long the warm-up takes its run at {@code batch} to have lasted, given that it lasted {@code nanos}: the
     * warm-up decides by these times how many runs to make at a size and which sizes to leave.
     */
    default long warmupRunNanos(String model, int batch, long nanos) {
        return nanos;
    }

    /**
     * Called on a request's thread once it has found the load of {@code model} that will run it, before it reads its
     * body and queues.
     */
    default void held(String model) {
    }

    /**
     * Called, under the model's load lock, when a load of {@code model} finds another in progress, whose end it then
     * waits for instead of loading the model once more.
     */
    default void joinedLoad(String model) {
    }

    /** Called on the worker thread before each batched run; what it throws fails that batch like a run would. */
    default void beforeRun(String model, int instances) throws Exception {
    }
}
