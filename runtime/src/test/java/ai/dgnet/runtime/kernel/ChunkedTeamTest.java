package ai.dgnet.runtime.kernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedTeamTest {
    @Test
    void everyChunkRunsOnceWithATicketBelowTheTeamSize() {
        ChunkedTeam team = new ChunkedTeam(new JavaThreads(3));
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        AtomicIntegerArray tickets = new AtomicIntegerArray(3);
        team.run((k, thread) -> {
            runs.incrementAndGet(k);
            tickets.incrementAndGet(thread);
        }, runs.length());
        for (int k = 0; k < runs.length(); k++) {
            assertEquals(1, runs.get(k), "chunk " + k);
        }
        assertEquals(1000, tickets.get(0) + tickets.get(1) + tickets.get(2));
    }

    /**
     * A team whose members run one after another, in a given order, each with its fixed index: which chunks each
     * takes shows the shares, the owner's claims from the front and the others' from the back.
     */
    private static final class MembersInTurn implements ChunkedTeam.Team {
        private final int[] order;
        private int current = -1;

        MembersInTurn(int... order) {
            this.order = order;
        }

        @Override
        public int size() {
            return order.length;
        }

        @Override
        public void runOnAll(Runnable task) {
            for (int member : order) {
                current = member;
                task.run();
            }
            current = -1;
        }

        @Override
        public int member() {
            return current;
        }
    }

    @Test
    void eachMemberTakesItsOwnShareFirstAndTheOthersFromTheirBacks() {
        List<String> order = new ArrayList<>();
        MembersInTurn members = new MembersInTurn(2, 0, 1);
        ChunkedTeam team = new ChunkedTeam(members);
        // Shares of 10 chunks over 3: [0, 3), [3, 6), [6, 10). Member 2 runs first and, its share done, takes the
        // others' from their backs, the next share first; the members after it find nothing left.
        team.run((k, thread) -> order.add(k + "@" + members.member()), 10);
        assertEquals(List.of("6@2", "7@2", "8@2", "9@2", "2@2", "1@2", "0@2", "5@2", "4@2", "3@2"), order);

        // A member that starts late finds its share taken by the others, from its back.
        List<Integer> ran = new ArrayList<>();
        ChunkedTeam pair = new ChunkedTeam(new MembersInTurn(0, 1));
        pair.run((k, thread) -> ran.add(k), 7);
        assertEquals(List.of(0, 1, 2, 6, 5, 4, 3), ran);
    }

    @Test
    void aCallWhileTheTeamIsBusyRunsInOrderOnItsOwnThread() throws InterruptedException {
        ChunkedTeam team = new ChunkedTeam(new JavaThreads(2));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> team.run((k, thread) -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }, 2));
        inside.await();
        List<String> order = new ArrayList<>();
        team.run((k, thread) -> order.add(k + "@" + thread + " on " + Thread.currentThread().getName()), 3);
        String self = Thread.currentThread().getName();
        assertEquals(List.of("0@0 on " + self, "1@0 on " + self, "2@0 on " + self), order);
        release.countDown();
        holder.join();
    }

    @Test
    void theFirstFailureReachesTheCallerAndTheTeamIsFreeAgain() {
        ChunkedTeam team = new ChunkedTeam(new JavaThreads(2));
        IllegalStateException failure = new IllegalStateException("chunk 3 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> team.run((k, thread) -> {
            if (k == 3) {
                throw failure;
            }
        }, 8));
        assertSame(failure, thrown);
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        team.run((k, thread) -> runs.incrementAndGet(k), 4);
        for (int k = 0; k < 4; k++) {
            assertEquals(1, runs.get(k), "after a failure, chunk " + k);
        }
    }

    @Test
    void theCallingThreadAloneRunsEveryChunkInOrder() {
        ChunkedTeam team = ChunkedTeam.callingThread();
        assertEquals(1, team.size());
        List<Integer> order = new ArrayList<>();
        team.run((k, thread) -> {
            assertEquals(0, thread);
            order.add(k);
        }, 4);
        assertEquals(List.of(0, 1, 2, 3), order);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ChunkedTeam(new JavaThreads(0)))
                .getMessage().contains("team size"));
    }

    /**
     * A call is released once, after its chunks and before the team takes another call, whether it was split, ran
     * on its caller's thread, or failed: released after the team was free, a call's arguments in shared fields were
     * dropped while the next caller's call was using them.
     */
    @Test
    void aCallIsReleasedOnceBeforeTheTeamIsFree() {
        ChunkedTeam team = new ChunkedTeam(new JavaThreads(2));
        for (int chunks : new int[] {8, 1}) {
            for (boolean fails : new boolean[] {false, true}) {
                String label = chunks + " chunks" + (fails ? ", failing" : "");
                AtomicIntegerArray ran = new AtomicIntegerArray(chunks);
                List<Boolean> teamFreeAtRelease = new ArrayList<>();
                ChunkedTeam.Chunks call = new ChunkedTeam.Chunks() {
                    @Override
                    public void run(int k, int thread) {
                        ran.incrementAndGet(k);
                        if (fails) {
                            throw new IllegalStateException("chunk " + k);
                        }
                    }

                    @Override
                    public void release() {
                        boolean free = team.claim(2);
                        if (free) {
                            team.runClaimed((k, thread) -> { }, 2);
                        }
                        teamFreeAtRelease.add(free);
                    }
                };
                if (fails) {
                    assertThrows(IllegalStateException.class, () -> team.run(call, chunks), label);
                } else {
                    team.run(call, chunks);
                    for (int k = 0; k < chunks; k++) {
                        assertEquals(1, ran.get(k), label + ": chunk " + k);
                    }
                }
                // One chunk runs on the caller's thread without claiming the team, so the team is free throughout.
                assertEquals(List.of(chunks == 1), teamFreeAtRelease, label + ": released once, team free then");
                assertTrue(team.claim(2), label + ": the team is free after the call");
                team.runClaimed((k, thread) -> { }, 2);
            }
        }
    }
}
