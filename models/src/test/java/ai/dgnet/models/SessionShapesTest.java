package ai.dgnet.models;

import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.op.OpProfile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A session keeps networks for at most {@link SessionOptions#maxShapes} input shapes, the least recently run out. */
class SessionShapesTest {
    private static final ModelConfig CONFIG = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);

    @Test
    void aNewShapeBeyondTheLimitClosesTheNetworkRunLeastRecently() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        Shape c = Shape.of(2, 3, 16, 16);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults().withMaxShapes(2))) {
            float[][] first = session.run(input(a), a).logits();
            session.run(input(b), b);
            assertEquals(calls(session, a) + calls(session, b), calls(cpu), "two networks open");
            session.run(input(a), a);
            assertEquals(0, device.scratchReleases());
            session.run(input(c), c);

            assertEquals(List.of(), session.profile(b), "b ran least recently: its network is closed");
            assertFalse(session.profile(a).isEmpty());
            assertFalse(session.profile(c).isEmpty());
            assertEquals(calls(session, a) + calls(session, c), calls(cpu), "b's ops closed with its network");
            assertEquals(1, device.scratchReleases(), "the workspace b's ops grew is freed with them");

            float[][] again = session.run(input(a), a).logits();
            for (int n = 0; n < first.length; n++) {
                assertArrayEquals(first[n], again[n], "a kept its network: the same logits");
            }
            float[][] back = session.run(input(b), b).logits();
            assertEquals(1, back.length);
            assertEquals(List.of(), session.profile(c), "b prepared again in place of c, now the least recent");
            session.close();
            assertEquals(3, device.scratchReleases(), "once more for c, and once as the session closed");
            assertEquals(0, calls(cpu), "no op left open");
        }
    }

    @Test
    void aNetworkWhoseRunIsRefusedMemoryIsClosedAtOnce() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] first = session.run(input(a), a).logits();
            device.refuseRunsOn(b);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> session.run(input(b), b));
            assertEquals("cannot run the network for input [1, 3, 20, 20]: not enough memory for a buffer of 1.0 GiB: "
                    + "the process has 512 MiB available", e.getMessage());
            assertEquals(List.of(), session.profile(b), "b's network is closed");
            assertEquals(calls(session, a), calls(cpu), "b's ops closed with it");
            assertEquals(1, device.scratchReleases(), "and the scratch its run grew freed");

            device.refuseRunsOn(null);
            assertEquals(1, session.run(input(b), b).logits().length, "b prepared again once memory allows");
            assertArrayEquals(first[0], session.run(input(a), a).logits()[0], "a untouched");
        }
    }

    @Test
    void memoryRefusedToANewShapeClosesTheNetworksRunLeastRecentlyUntilItFits() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        Shape c = Shape.of(2, 3, 16, 16);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] expected;
            try (Session alone = model.session(device)) {
                expected = alone.run(input(c), c).logits();
            }
            session.run(input(a), a);
            int perNetwork = device.openConvolutions();
            session.run(input(b), b);
            device.memoryFor(perNetwork * 5 / 2, true);

            float[][] logits = session.run(input(c), c).logits();

            assertEquals(List.of(), session.profile(a), "a ran least recently: closed to make room");
            assertFalse(session.profile(b).isEmpty(), "one network closed was enough");
            assertEquals(2 * perNetwork, device.openConvolutions(), "b's and c's; the refused attempt closed");
            for (int n = 0; n < expected.length; n++) {
                assertArrayEquals(expected[n], logits[n], "c as prepared without the refusal");
            }
        }
    }

    @Test
    void memoryRefusedToARunClosesTheOtherNetworksAndTheRunGoesAgain() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] first = session.run(input(a), a).logits();
            int perNetwork = device.openConvolutions();
            session.run(input(b), b);
            device.memoryFor(perNetwork, true);

            float[][] again = session.run(input(a), a).logits();

            assertEquals(List.of(), session.profile(b), "b closed to make room for a's run");
            assertEquals(perNetwork, device.openConvolutions());
            for (int n = 0; n < first.length; n++) {
                assertArrayEquals(first[n], again[n], "the run that went again gives the same logits");
            }
        }
    }

    @Test
    void memoryThatFreeingCannotGiveCostsNoOtherNetworkAndMemoryStillShortAfterClosingAllIsRefused() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        Shape c = Shape.of(2, 3, 16, 16);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            session.run(input(a), a);
            int perNetwork = device.openConvolutions();
            session.run(input(b), b);

            device.memoryFor(2 * perNetwork, false);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> session.run(input(c), c));
            assertEquals("cannot prepare the network for input [2, 3, 16, 16]: not enough memory for a buffer of 1.0 "
                    + "GiB: the process has 512 MiB available", e.getMessage());
            assertFalse(session.profile(a).isEmpty(), "freeing could not help: a kept");
            assertFalse(session.profile(b).isEmpty(), "and b");
            assertEquals(2 * perNetwork, device.openConvolutions(), "nothing of c left open");

            device.memoryFor(perNetwork - 1, true);
            e = assertThrows(InsufficientMemoryException.class, () -> session.run(input(c), c));
            assertEquals("cannot prepare the network for input [2, 3, 16, 16]: not enough memory for a buffer of 1.0 "
                    + "GiB: the process has 512 MiB available", e.getMessage());
            assertEquals(0, device.openConvolutions(), "a and b closed in turn, and c did not fit even then");
            assertEquals(2, device.scratchReleases(), "the scratch freed with each");

            device.memoryFor(Integer.MAX_VALUE, true);
            assertEquals(2, session.run(input(c), c).logits().length, "c prepared once memory allows");
        }
    }

    @Test
    void aPreparationThatFailsCostsNoOtherShapeItsNetworkEvenAtTheLimit() {
        Shape a = Shape.of(1, 3, 16, 16);
        Shape b = Shape.of(1, 3, 20, 20);
        Shape c = Shape.of(2, 3, 16, 16);
        CpuDevice cpu = CpuDevice.create(1);
        try (DgModel model = DgModel.random(CONFIG, 3);
             CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults().withMaxShapes(2))) {
            session.run(input(a), a);
            int perNetwork = device.openConvolutions();
            session.run(input(b), b);
            device.memoryFor(2 * perNetwork + 1, false);

            assertThrows(InsufficientMemoryException.class, () -> session.run(input(c), c));

            assertFalse(session.profile(a).isEmpty(), "a kept: c never took its place");
            assertFalse(session.profile(b).isEmpty());
            assertEquals(2 * perNetwork, device.openConvolutions(), "a's and b's; nothing of c");
            assertEquals(0, device.scratchReleases());
        }
    }

    @Test
    void aSessionKeepsAtLeastOneShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionOptions.defaults().withMaxShapes(0));
        assertEquals("a session must keep at least 1 input shape, got 0", e.getMessage());
    }

    private static float[] input(Shape shape) {
        float[] values = new float[(int) shape.elements()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.37);
        }
        return values;
    }

    /** The runs of every op the device has open. */
    private static long calls(CpuDevice device) {
        return device.profile().stream().mapToLong(OpProfile::runs).sum();
    }

    /** The runs of the ops of the session's network for {@code shape}. */
    private static long calls(Session session, Shape shape) {
        return session.profile(shape).stream().mapToLong(layer -> layer.op().runs()).sum();
    }
}
