package ai.dgnet.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CloseablesTest {
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable part(String name, Exception failure) {
        return () -> {
            closed.add(name);
            if (failure != null) {
                throw failure;
            }
        };
    }

    @Test
    void everyPartClosesInOrderAndTheFirstFailureIsThrownWithTheLaterOnesSuppressed() {
        IllegalStateException first = new IllegalStateException("first");
        IOException second = new IOException("second");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Closeables.closeAll(
                part("a", null), null, part("b", first), part("c", second), part("d", null)));

        assertEquals(List.of("a", "b", "c", "d"), closed);
        assertSame(first, thrown);
        assertArrayEquals(new Throwable[] {second}, thrown.getSuppressed());
    }

    @Test
    void aCheckedFirstFailureIsWrapped() {
        IOException failure = new IOException("disk");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Closeables.closeAll(part("a", failure)));
        assertSame(failure, thrown.getCause());
    }

    @Test
    void theSameFailureFromTwoPartsIsThrownOnceAndTheRestStillClose() {
        IllegalStateException shared = new IllegalStateException("shared");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Closeables.closeAll(
                part("a", shared), part("b", shared), part("c", null)));

        assertSame(shared, thrown);
        assertEquals(List.of("a", "b", "c"), closed);
        assertEquals(0, thrown.getSuppressed().length);
    }

    @Test
    void cleaningUpAfterAFailureKeepsItAndAddsTheClosesFailures() {
        IllegalArgumentException cause = new IllegalArgumentException("bad shape");
        IllegalStateException closing = new IllegalStateException("closing failed");
        IllegalStateException later = new IllegalStateException("later");

        IllegalArgumentException returned = Closeables.closeAfter(cause, part("a", closing), part("b", later),
                part("c", null));

        assertSame(cause, returned);
        assertEquals(List.of("a", "b", "c"), closed);
        assertArrayEquals(new Throwable[] {closing}, cause.getSuppressed());
        assertArrayEquals(new Throwable[] {later}, closing.getSuppressed());
    }
}
