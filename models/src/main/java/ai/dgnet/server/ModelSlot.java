package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.Device;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One model the server was started with, loaded or not (the model repository extension's load and unload): the
 * {@link ApiHandler.Served} that serves it while loaded, null once unloaded. Loads, unloads and the server's stop of
 * the model take turns (a lock held from the worker's start or stop to the model's close, not during the warm-up),
 * so that each worker is stopped, and each model opened is closed, once.
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
    private volatile ApiHandler.Served served;
    /** Why the model is not served while {@link #served} is null: unloaded, or its load failed. */
    private volatile String reason = "";
    /** Whether an unload is draining the model's queue. */
    private volatile boolean unloading;
    /** The model last opened, until closed; guarded by {@link #turns}. */
    private DgModel opened;
    /** Whether the server stops: no load any more. Guarded by {@link #turns}. */
    private boolean stopped;

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
        return served;
    }

    /** What serves the model, or the answer a request for a model not loaded gets. */
    ApiHandler.Served servedOrRefuse() {
        ApiHandler.Served now = served;
        if (now == null) {
            throw notLoaded();
        }
        return now;
    }

    /** 404, as for a model the server does not have: an unloaded model is served no more. */
    private RequestException notLoaded() {
        return new RequestException(404, "model '" + name + "' is not loaded (" + reason() + "): POST /v2/repository/"
                + "models/" + name + "/load loads it");
    }

    /** The model's state in the repository index, {@code warmedUp} whether the server has warmed its HTTP path up. */
    State state(boolean warmedUp) {
        ApiHandler.Served now = served;
        if (now == null) {
            return unloading ? State.UNLOADING : State.UNAVAILABLE;
        }
        return now.worker().warm() && warmedUp ? State.READY : State.LOADING;
    }

    /** Why the model is not loaded, for the index: empty while it is. */
    String reason() {
        return served == null ? reason : "";
    }

    /**
     * Opens the model and starts its worker, which warms it up, unless it is loaded already; returns what serves it.
     * What fails to open the model or start its worker is thrown as it is, the model left unavailable for that reason;
     * once the server stops, a 503.
     */
    ApiHandler.Served load() {
        turns.lock();
        try {
            if (stopped) {
                throw RequestException.unavailable("the server is shutting down");
            }
            if (served != null) {
                return served;
            }
            DgModel model = null;
            try {
                model = source.get();
                served = ApiHandler.Served.of(new ModelWorker(name, model, device, config, metrics, hooks));
            } catch (RuntimeException e) {
                reason = "its load failed: " + e.getMessage();
                if (owned && model != null) {
                    Closeables.closeAfter(e, List.of(model));
                }
                throw e;
            }
            opened = model;
            return served;
        } finally {
            turns.unlock();
        }
    }

    /**
     * Stops serving the model: new requests are answered as for a model not loaded, those already queued are run and
     * answered, then the worker's session and (where the server owns it) the model are closed. Returns once they are;
     * does nothing where the model is not loaded.
     */
    void unload() {
        turns.lock();
        try {
            ApiHandler.Served now = served;
            if (now == null) {
                return;
            }
            reason = "unloaded";
            unloading = true;
            served = null;
            now.worker().beginStop(notLoaded());
            now.worker().awaitStopped();
            closeModel();
        } finally {
            unloading = false;
            turns.unlock();
        }
    }

    /** The server's stop, first half: no load any more, and the worker stops taking requests. */
    void beginStop() {
        turns.lock();
        try {
            stopped = true;
            ApiHandler.Served now = served;
            if (now != null) {
                now.worker().beginStop(RequestException.unavailable("the server is shutting down"));
            }
        } finally {
            turns.unlock();
        }
    }

    /** The server's stop, second half: waits until every queued request is answered, then closes the model. */
    void awaitStopped() {
        turns.lock();
        try {
            ApiHandler.Served now = served;
            if (now != null) {
                now.worker().awaitStopped();
            }
            closeModel();
        } finally {
            turns.unlock();
        }
    }

    private void closeModel() {
        if (owned && opened != null) {
            opened.close();
        }
        opened = null;
    }
}
