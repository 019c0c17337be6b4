package ai.dgnet.runtime.kernel;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocation count of {@link KernelChecks#allocatedOnceWarm}: a call that hands its work to a helper thread, as a
 * run hands chunks to the OpenMP team, and the helper allocates for each. Counted when the helper is named as a team
 * thread; not counted when it is any other thread of the JVM, as surefire's stream flusher, which allocates whenever
 * it wakes, is.
 */
class KernelChecksTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void countsTheTeamsThreadsAndNoOtherThread(boolean team) throws InterruptedException {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        Helper helper = new Helper();
        Thread thread = Thread.ofPlatform().daemon()
                .name(team ? KernelChecks.TEAM_THREAD_NAME + "test" : "unrelated").start(helper);
        try {
            long allocated = KernelChecks.allocatedOnceWarm(threads, helper::handOver, 100, 50);
            if (team) {
                assertTrue(allocated >= 50 * 16, "50 arrays allocated on the team thread, counted " + allocated);
            } else {
                assertEquals(0, allocated, "bytes of a thread that is not the team's");
            }
        } finally {
            helper.stop = true;
            thread.join();
        }
    }

    /** Allocates an array each time the calling thread hands it over; the handing over itself allocates nothing. */
    private static final class Helper implements Runnable {
        volatile int requested;
        volatile int done;
        volatile boolean stop;
        volatile Object kept;

        void handOver() {
            int request = requested + 1;
            requested = request;
            while (done != request) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void run() {
            while (!stop) {
                int request = requested;
                if (request != done) {
                    kept = new long[1];
                    done = request;
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
