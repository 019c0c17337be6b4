package ai.dgnet.runtime.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A team of fresh Java threads per call, the caller one of them: plain, and independent of OpenMP. */
record JavaThreads(int size, Set<Thread> seen) implements ChunkedTeam.Team {
    JavaThreads(int size) {
        this(size, ConcurrentHashMap.newKeySet());
    }

    @Override
    public void runOnAll(Runnable task) {
        Runnable recorded = () -> {
            seen.add(Thread.currentThread());
            task.run();
        };
        List<Thread> others = new ArrayList<>();
        for (int t = 1; t < size; t++) {
            others.add(Thread.ofPlatform().start(recorded));
        }
        recorded.run();
        for (Thread other : others) {
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
