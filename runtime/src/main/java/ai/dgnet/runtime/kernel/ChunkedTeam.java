package ai.dgnet.runtime.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Runs a call split into chunks over a {@link Team} of threads. The chunks are cut into one contiguous share per
 * thread; each thread takes its own share's chunks from the front, then the other shares' from their backs until
 * none is left.
 *
 * <p>Shares, because each thread then streams through one contiguous range of the data instead of taking chunks
 * in turn with the others, and a team member of a fixed index (OpenMP's thread number) takes the same range of
 * each call: the routers' pooling of a node's output and the weighted sum right after it, which reads that output
 * again, then find each part in the cache of the core that read it last. On 2 AVX-512 cores, DG-ResNet-50 at batch
 * 1 ran at p50 31.9-34.2 ms against 33.9-35.2 with one counter for all chunks, its Winograd transforms, weighted
 * sums and pooling all faster ({@code bench/RESULTS.md}). With every thread's share swapped it ran level: which
 * core takes which range does not matter here (no alignment with oneDNN's own split was found).
 *
 * <p>Claimed, not assigned: a thread that starts late (its core still busy with something else) finds its share
 * taken by the others, from the back, so that the owner's next chunk is still the one after its last.
 *
 * <p>One call is split at a time. A call that finds the team busy with another thread's call runs all its chunks
 * on its own thread, which is also right when several sessions already keep the cores busy. Nothing is allocated
 * per call.
 */
public final class ChunkedTeam {
    /** Threads that run a task together. A {@link ChunkedTeam} asks its team from one thread at a time. */
    public interface Team {
        /** The number of threads, the caller of {@link #runOnAll} included. */
        int size();

        /**
         * Runs {@code task} once on each of up to {@link #size()} threads at once, the calling thread among them,
         * and returns when every run has returned.
         */
        void runOnAll(Runnable task);

        /**
         * The calling thread's index in the team, below {@link #size()}, while it runs a task of
         * {@link #runOnAll}: the same index for the thread on the same core from one task to the next, where the team
         * has such an index; -1 where it has none, and every thread then starts on the first share.
         */
        default int member() {
            return -1;
        }
    }

    /** A call to split: chunk {@code k} of it, run by the thread holding ticket {@code thread}. */
    public interface Chunks {
        void run(int k, int thread);

        /**
         * Called once the call is over, its chunks run or one failed, before the team is free for another call: a
         * call whose arguments sit in fields that the next caller will write drops them here, while it still holds
         * the team.
         */
        default void release() {
        }
    }

    private final Team team;
    /** What each thread of the team runs: made once, so a call allocates no lambda. */
    private final Runnable participant = this::participate;
    /** Set while one call is split; other callers run theirs on their own thread. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Hands each thread of a call its own ticket, below {@link #size()}. */
    private final AtomicInteger tickets = new AtomicInteger();
    /**
     * The unclaimed chunks of each thread's share of the current call: the first in the high 32 bits, the end in the
     * low. Its owner claims from the front, the others from the back.
     */
    private final AtomicLongArray shares;
    /** The call being split: written before the shares are set, so visible to whoever claims one of its chunks. */
    private Chunks work;
    private volatile Throwable failure;

    public ChunkedTeam(Team team) {
        if (team.size() < 1) {
            throw new IllegalArgumentException("team size must be >= 1, got " + team.size());
        }
        this.team = team;
        this.shares = new AtomicLongArray(team.size());
    }

    /** A team of the calling thread alone: every call runs in order on it. */
    public static ChunkedTeam callingThread() {
        return new ChunkedTeam(new Team() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public void runOnAll(Runnable task) {
                task.run();
            }
        });
    }

    /** The number of threads a call may run on; thread tickets are below it. */
    public int size() {
        return team.size();
    }

    /**
     * Runs chunks {@code 0 .. chunks - 1} of {@code call}: split over the team when {@link #claim} gets it, else in
     * order on the calling thread (ticket 0). For a {@code call} only the calling thread uses; a caller whose
     * arguments sit where other callers write theirs claims first and sets them after ({@link #runClaimed}).
     */
    public void run(Chunks call, int chunks) {
        if (claim(chunks)) {
            runClaimed(call, chunks);
            return;
        }
        try {
            for (int k = 0; k < chunks; k++) {
                call.run(k, 0);
            }
        } finally {
            call.release();
        }
    }

    /**
     * Takes the team for one call of {@code chunks} chunks, if splitting it can pay (two chunks or more, two threads
     * or more) and no other thread's call holds the team. After {@code true} the caller must call
     * {@link #runClaimed}, which frees the team; after {@code false} it runs its call itself.
     */
    boolean claim(int chunks) {
        return chunks >= 2 && team.size() >= 2 && busy.compareAndSet(false, true);
    }

    /**
     * Runs chunks {@code 0 .. chunks - 1} of {@code call} on the team the caller {@linkplain #claim claimed},
     * {@linkplain Chunks#release releases} the call, and frees the team. Returns once every chunk has run; the first
     * failure of any chunk is thrown here, after the others have stopped taking chunks.
     */
    void runClaimed(Chunks call, int chunks) {
        try {
            work = call;
            failure = null;
            tickets.set(0);
            int threads = shares.length();
            for (int t = 0; t < threads; t++) {
                shares.set(t, share((long) t * chunks / threads, (long) (t + 1) * chunks / threads));
            }
            team.runOnAll(participant);
            // A team that ran fewer threads than it said leaves chunks: they are this thread's.
            participate();
            Throwable failed = failure;
            if (failed instanceof RuntimeException e) {
                throw e;
            }
            if (failed instanceof Error e) {
                throw e;
            }
        } finally {
            work = null;
            try {
                call.release();
            } finally {
                busy.set(false);
            }
        }
    }

    /**
     * One thread's part of a call: chunks until none is left. Never throws; a failure is kept for the caller. A
     * thread takes a ticket only once it has a chunk, and a thread only returns with none left, so the calling
     * thread's own turn after the team's finds no chunk unless no thread of the team ran.
     */
    private void participate() {
        try {
            int self = -1;
            int member = team.member();
            int home = member >= 0 && member < shares.length() ? member : 0;
            for (int k = claimChunk(home); k >= 0; k = claimChunk(home)) {
                if (self < 0) {
                    self = tickets.getAndIncrement();
                }
                work.run(k, self);
            }
        } catch (Throwable t) {
            failure = t;
            // The call has failed: nobody takes more of it.
            for (int i = 0; i < shares.length(); i++) {
                shares.set(i, 0);
            }
        }
    }

    /**
     * The index of an unclaimed chunk of the current call, now claimed by the caller of this, or -1: the first of
     * share {@code home}, else the last of the next share that has one.
     */
    private int claimChunk(int home) {
        int threads = shares.length();
        for (int i = 0; i < threads; i++) {
            int t = (home + i) % threads;
            boolean own = i == 0;
            while (true) {
                long share = shares.get(t);
                int first = (int) (share >>> 32);
                int end = (int) share;
                if (first >= end) {
                    break;
                }
                if (shares.compareAndSet(t, share, own ? share(first + 1, end) : share(first, end - 1))) {
                    return own ? first : end - 1;
                }
            }
        }
        return -1;
    }

    private static long share(long first, long end) {
        return first << 32 | end;
    }
}
