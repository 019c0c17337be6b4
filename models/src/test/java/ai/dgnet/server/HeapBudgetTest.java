package ai.dgnet.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What requests may take of the heap together, and how a request past it is answered. */
class HeapBudgetTest {
    @Test
    void claimsTakeFromOneBudgetAndGiveBackAllTheyTookOnClose() {
        HeapBudget budget = new HeapBudget(3 << 20);
        try (HeapBudget.Claim a = budget.claim(); HeapBudget.Claim b = budget.claim()) {
            a.take(1 << 20, "a body");
            b.take(1 << 20, "a body");
            a.give(512 << 10);
            assertEquals(3 << 19, budget.held());
            a.take(3 << 19, "values");
            assertEquals(3 << 20, budget.held(), "taking to the limit exactly is allowed");

            RequestException busy = assertThrows(RequestException.class, () -> b.take(1024, "an image"));
            assertEquals(503, busy.status());
            assertEquals("1", busy.headers().get("Retry-After"));
            assertEquals("busy: requests in flight hold 3 MiB of the 3 MiB of Java heap the server gives "
                    + "requests, and an image needs 1 KiB more", busy.getMessage());
            assertEquals(3 << 20, budget.held(), "a refused take holds nothing");
        }
        assertEquals(0, budget.held());
    }

    @Test
    void aRequestThatAloneNeedsMoreThanTheBudgetIs413() {
        HeapBudget budget = new HeapBudget(1L << 30);
        try (HeapBudget.Claim claim = budget.claim()) {
            claim.take(768L << 20, "the request body");
            RequestException tooLarge = assertThrows(RequestException.class,
                    () -> claim.take(512L << 20, "input 'input''s values"));
            assertEquals(413, tooLarge.status());
            assertEquals(Map.of("Connection", "close"), tooLarge.headers(),
                    "no Retry-After: it would not fit later either; the rest of the body is not read");
            assertEquals("the request needs more than the server's 1.0 GiB of Java heap for requests (input "
                    + "'input''s values would take 512 MiB more, after 768 MiB): send a smaller one, or start "
                    + "the server with a larger heap", tooLarge.getMessage());
        }
        assertEquals(0, budget.held());
    }

    @Test
    void badAmountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HeapBudget(0));
        HeapBudget budget = new HeapBudget(100);
        try (HeapBudget.Claim claim = budget.claim()) {
            claim.take(10, "x");
            assertThrows(IllegalArgumentException.class, () -> claim.take(-1, "x"));
            assertThrows(IllegalArgumentException.class, () -> claim.give(11));
            assertEquals(10, budget.held());
        }
    }

    @Test
    void halfOfTheHeapByDefault() {
        assertEquals(Runtime.getRuntime().maxMemory() / 2, HeapBudget.halfOfHeap().limit());
    }
}
