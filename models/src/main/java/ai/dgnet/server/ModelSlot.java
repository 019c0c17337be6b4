package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One model of the server, loaded or not (the model repository extension's load and unload): the {@link Loaded load}
 * that serves it, null while not loaded. A load of a model served already loads it again (opens it from its source
 * anew, as Triton does: a model file replaced meanwhile is read), and the new load takes the place of the old once it
 * has warmed up; requests that found the old one are run by it, and the last of them stops its worker and closes its
 * model. Loads, unloads and the server's stop of the model take turns (a lock held from a worker's start or stop to
 * the model's close, not during the warm-up); each load closes its model once, whichever of them or its last request
 * comes first.
 */
final class ModelSlot {
    /** The model repository's states of a model, as Triton names them. */
    enum State { LOADING, READY, UNLOADING, UNAVAILABLE }

    private final String name;
    private final Supplier<DgModel> source;
    /** Whether the server closes the models {@link #source} opens: else they are the caller's. */
    private final boolean owned;
    private final Device device;
    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final WorkerHooks hooks;
    private final ReentrantLock turns = new ReentrantLock();
    /** The load that serves the model, null while it is not loaded. */
    private volatile Loaded current;
    /** A load of the model while {@link #current} serves it, warming up to take its place; guarded by {@link #turns}. */
    private Loaded next;
    /** Loads a newer one has taken the place of, until the last request that holds one lets it go. */
    private final Set<Loaded> retiring = ConcurrentHashMap.newKeySet();
    /** Why the model is not served while {@link #current} is null: never loaded, unloaded, or its load failed. */
    private volatile String reason = "never loaded";
    /** Whether an unload is draining the model's queue. */
    private volatile boolean unloading;
    /** Whether the server stops: no load any more. Guarded by {@link #turns}. */
    private boolean stopped;
    /** Whether the model has left the model repository ({@link #retire}): no load any more. Under {@link #turns}. */
    private boolean retired;

    ModelSlot(String name, Supplier<DgModel> source, boolean owned, Device device, ServerConfig config,
              ServerMetrics metrics, WorkerHooks hooks) {
        this.name = name;
        this.source = source;
        this.owned = owned;
        this.device = device;
        this.config = config;
        this.metrics = metrics;
        this.hooks = hooks;
    }

    String name() {
        return name;
    }

    /** What serves the model, or null while it is not loaded. */
    ApiHandler.Served served() {
        Loaded now = current;
        return now == null ? null : now.served;
    }

    /** What serves the model, or the answer a request for a model not loaded gets. */
    ApiHandler.Served servedOrRefuse() {
        ApiHandler.Served now = served();
        if (now == null) {
            throw notLoaded();
        }
        return now;
    }

    /**
     * Holds what serves the model for a request that will be run, or refuses it as {@link #servedOrRefuse} does: a
     * load of the model meanwhile leaves it to the request, which is run by it, until {@link Hold#close()}. An unload
     * or the server's stop does not wait for it: the request is then refused by the stopped worker. A {@code warmup}
     * request (the server's own) comes to no hook.
     */
    Hold hold(boolean warmup) {
        while (true) {
            Loaded now = current;
            if (now == null) {
                throw notLoaded();
            }
            // Fails only for a load a newer one has replaced: current is that one by now.
            if (now.hold()) {
                Hold hold = new Hold(now);
                if (!warmup) {
                    try {
                        hooks.held(name);
                    } catch (RuntimeException | Error e) {
                        hold.close();
                        throw e;
                    }
                }
                return hold;
            }
        }
    }

    /** A request's hold on the load that runs it. */
    static final class Hold implements AutoCloseable {
        private final Loaded loaded;

        private Hold(Loaded loaded) {
            this.loaded = loaded;
        }

        ApiHandler.Served served() {
            return loaded.served;
        }

        @Override
        public void close() {
            loaded.release();
        }
    }

    /** 404, as for a model the server does not have: an unloaded model is served no more. */
    private RequestException notLoaded() {
        return new RequestException(404, "model '" + name + "' is not loaded (" + reason() + "): POST /v2/repository/"
                + "models/" + name + "/load loads it");
    }

    /** The model's state in the repository index, {@code warmedUp} whether the server has warmed its HTTP path up. */
    State state(boolean warmedUp) {
        Loaded now = current;
        if (now == null) {
            return unloading ? State.UNLOADING : State.UNAVAILABLE;
        }
        return now.served.worker().warm() && warmedUp ? State.READY : State.LOADING;
    }

    /** Why the model is not loaded, for the index: empty while it is. */
    String reason() {
        return current == null ? reason : "";
    }

    /**
     * Opens the model and starts its worker, which warms it up; returns what will serve it once
     * {@link #awaitLoaded} has seen it warm. Where the model is served already it opens it again, the load serving
     * meanwhile; where a load is in progress, it returns that load's instead. What fails to open the model or start
     * its worker is thrown as it is, the model left as it was (unavailable for that reason where it was not loaded);
     * once the server stops, a 503.
     */
    ApiHandler.Served load() {
        turns.lock();
        try {
            if (stopped) {
                throw RequestException.unavailable("the server is shutting down");
            }
            if (retired) {
                throw RequestException.badRequest("unknown model '" + name + "': its file has left the model "
                        + "repository");
            }
            Loaded inProgress = next != null ? next
                    : current != null && !current.served.worker().warm() ? current : null;
            if (inProgress != null) {
                hooks.joinedLoad(name);
                return inProgress.served;
            }
            Loaded opened = open();
            if (current == null) {
                serve(opened);
            } else {
                next = opened;
            }
            return opened.served;
        } finally {
            turns.unlock();
        }
    }

    private Loaded open() {
        DgModel model = null;
        try {
            model = source.get();
            return new Loaded(model, ApiHandler.Served.of(new ModelWorker(name, model, device, config, metrics,
                    hooks)));
        } catch (RuntimeException e) {
            if (current == null) {
                reason = "its load failed: " + e.getMessage();
            }
            if (owned && model != null) {
                Closeables.closeAfter(e, List.of(model));
            }
            throw e;
        }
    }

    /**
     * Makes {@code loaded} the load that serves the model, its queue the one the metrics report (not a reload's while
     * it warms up); under {@link #turns}.
     */
    private void serve(Loaded loaded) {
        current = loaded;
        metrics.queueDepth(name, loaded.served.worker()::queued);
    }

    /**
     * Waits until {@code loading}, which {@link #load} returned, has warmed up; a load of a model served already then
     * takes the place of the one serving it, which is stopped and closed once no request holds it. Returns whether
     * {@code loading} serves the model: false where an unload or the server's stop ended it first. An interrupt does
     * not end the wait, and is kept for the caller to see: a load left by its caller would hold its model open, serving
     * nothing, until the next load took it up; the warm-up ends by itself, and at once at an unload or the stop.
     */
    boolean awaitLoaded(ApiHandler.Served loading) {
        loading.worker().awaitWarmUninterruptibly();
        turns.lock();
        try {
            if (!stopped && next != null && next.served == loading) {
                Loaded replaced = current;
                serve(next);
                next = null;
                retiring.add(replaced);
                replaced.release();
            }
            return served() == loading;
        } finally {
            turns.unlock();
        }
    }

    /**
     * Stops serving the model: new requests are answered as for a model not loaded, those already queued are run and
     * answered, then the workers' sessions and (where the server owns them) the models are closed: the one serving,
     * one loading to replace it, and those replaced but still held. Returns once they are; does nothing where the
     * model is not loaded.
     */
    void unload() {
        turns.lock();
        try {
            if (current == null) {
                return;
            }
            List<Loaded> loads = loads();
            reason = "unloaded";
            unloading = true;
            current = null;
            next = null;
            RequestException refusal = notLoaded();
            loads.forEach(loaded -> loaded.beginStop(refusal));
            loads.forEach(Loaded::awaitStopped);
            retiring.removeAll(loads);
        } finally {
            unloading = false;
            turns.unlock();
        }
    }

    /**
     * Takes the model out of the server, its file gone from the model repository, where it is neither loaded, nor
     * loading, nor unloading: a load that had found it before is then refused as for a name not listed, and its queue
     * depth is no longer reported. Returns whether it did; does not wait for the model's turn, taken by a load or an
     * unload in progress.
     */
    boolean retire() {
        if (!turns.tryLock()) {
            return false;
        }
        try {
            if (current != null) {
                return false;
            }
            retired = true;
            metrics.forgetQueueDepth(name);
            return true;
        } finally {
            turns.unlock();
        }
    }

    /** The server's stop, first half: no load any more, and the workers stop taking requests. */
    void beginStop() {
        turns.lock();
        try {
            stopped = true;
            RequestException refusal = RequestException.unavailable("the server is shutting down");
            loads().forEach(loaded -> loaded.beginStop(refusal));
        } finally {
            turns.unlock();
        }
    }

    /** The server's stop, second half: waits until every queued request is answered, then closes the models. */
    void awaitStopped() {
        turns.lock();
        try {
            loads().forEach(Loaded::awaitStopped);
        } finally {
            turns.unlock();
        }
    }

    /** Every load of the model with a worker not known to be stopped; under {@link #turns}. */
    private List<Loaded> loads() {
        List<Loaded> loads = new ArrayList<>(retiring);
        if (current != null) {
            loads.add(current);
        }
        if (next != null) {
            loads.add(next);
        }
        return loads;
    }

    /**
     * One load of the model: its worker, and the model it opened. The slot holds it while it serves or loads, and
     * each request run by it from when it finds it until its answer is made; the last hold let go stops its worker
     * and closes its model. An unload or the server's stop stops it at once instead.
     */
    private final class Loaded {
        final ApiHandler.Served served;
        private final DgModel model;
        private final AtomicInteger holds = new AtomicInteger(1);
        /** Whether its model is closed (or was not the server's to close); guarded by this. */
        private boolean closed;

        Loaded(DgModel model, ApiHandler.Served served) {
            this.model = model;
            this.served = served;
            this.closed = !owned;
        }

        /** Takes a hold, unless the last one is gone: then it is stopped, or about to be. */
        boolean hold() {
            int now;
            do {
                now = holds.get();
                if (now == 0) {
                    return false;
                }
            } while (!holds.compareAndSet(now, now + 1));
            return true;
        }

        void release() {
            if (holds.decrementAndGet() == 0) {
                // No request holds it, and none can take a hold any more: no request meets this refusal.
                beginStop(RequestException.unavailable("model '" + name + "' was loaded again"));
                awaitStopped();
                retiring.remove(this);
            }
        }

        void beginStop(RequestException refusal) {
            served.worker().beginStop(refusal);
        }

        /** Waits until every queued request is answered and the session is closed, then closes the model, once. */
        void awaitStopped() {
            served.worker().awaitStopped();
            synchronized (this) {
                if (!closed) {
                    closed = true;
                    model.close();
                }
            }
        }
    }
}
