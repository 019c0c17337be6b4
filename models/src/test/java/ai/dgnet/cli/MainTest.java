package ai.dgnet.cli;

import ai.dgnet.runtime.InsufficientMemoryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one-line messages for memory that ran out: native buffers refused, or the Java heap. */
class MainTest {
    @Test
    void aRefusedBufferIsTheUsersOneLineError() {
        InsufficientMemoryException refused = new InsufficientMemoryException("cannot prepare the network for input "
                + "[2000, 3, 224, 224]", new InsufficientMemoryException("not enough memory for a buffer of 17.9 GiB",
                false));
        assertEquals("cannot prepare the network for input [2000, 3, 224, 224]: not enough memory for a buffer of "
                + "17.9 GiB", Main.describe(refused));
    }

    @Test
    void anExhaustedHeapSaysItsLimitAndHowToRaiseIt() {
        assertEquals("out of Java heap (Java heap space, at most 512 MiB): use fewer or smaller inputs, or raise the "
                + "limit, e.g. DGNET_JAVA_OPTS=-Xmx8g", Main.outOfHeap(new OutOfMemoryError("Java heap space"),
                512L << 20));
        assertEquals("out of Java heap (Java heap space, at most 7.5 GiB): use fewer or smaller inputs, or raise the "
                + "limit, e.g. DGNET_JAVA_OPTS=-Xmx8g", Main.outOfHeap(new OutOfMemoryError("Java heap space"),
                15L << 29));
    }
}
