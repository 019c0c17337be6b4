package ai.dgnet.models;

import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.op.OpProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session keeps networks for at most {@link SessionOptions#maxShapes} input shapes, the least recently run out. */
class SessionShapesTest {
    private static final ModelConfig CONFIG = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
    private static final Shape A = Shape.of(1, 3, 16, 16);
    private static final Shape B = Shape.of(1, 3, 20, 20);
    private static final Shape C = Shape.of(2, 3, 16, 16);
    private static DgModel model;

    @BeforeAll
    static void makeModel() {
        model = DgModel.random(CONFIG, 3);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void aNewShapeBeyondTheLimitClosesTheNetworkRunLeastRecently() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults().withMaxShapes(2))) {
            float[][] first = run(session, A);
            run(session, B);
            assertEquals(calls(session, A) + calls(session, B), calls(cpu), "two networks open");
            run(session, A);
            assertEquals(0, device.scratchReleases());
            run(session, C);

            assertEquals(List.of(), session.profile(B), "b ran least recently: its network is closed");
            assertFalse(session.profile(A).isEmpty());
            assertFalse(session.profile(C).isEmpty());
            assertEquals(calls(session, A) + calls(session, C), calls(cpu), "b's ops closed with its network");
            assertEquals(1, device.scratchReleases(), "the workspace b's ops grew is freed with them");

            float[][] again = run(session, A);
            assertArrayEquals(first, again, "a kept its network: the same logits");
            float[][] back = run(session, B);
            assertEquals(1, back.length);
            assertEquals(List.of(), session.profile(C), "b prepared again in place of c, now the least recent");
            session.close();
            assertEquals(3, device.scratchReleases(), "once more for c, and once as the session closed");
            assertEquals(0, calls(cpu), "no op left open");
        }
    }

    @Test
    void closingASessionClosesEveryOpEvenWhereSomeFailToClose() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null)) {
            Session session = model.session(device);
            run(session, A);
            run(session, B);
            device.failCloses(2);

            IllegalStateException e = assertThrows(IllegalStateException.class, session::close);

            assertEquals(0, device.openConvolutions(), "every other convolution of both networks closed");
            assertEquals("closing [1, 3, 16, 16] failed", e.getMessage(), "the first failure: a's stem");
            assertEquals(1, e.getSuppressed().length, "b's stem's failure kept with it");
            assertEquals(0, calls(cpu), "and every other op");
            assertEquals(1, device.scratchReleases(), "and the scratch freed");
        }
    }

    @Test
    void aNetworkWhoseRunIsRefusedMemoryIsClosedAtOnce() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] first = run(session, A);
            device.refuseRunsOn(B);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> run(session, B));
            assertEquals("cannot run the network for input [1, 3, 20, 20]: not enough memory for a buffer of 1.0 GiB: "
                    + "the process has 512 MiB available", e.getMessage());
            assertEquals(List.of(), session.profile(B), "b's network is closed");
            assertEquals(calls(session, A), calls(cpu), "b's ops closed with it");
            assertEquals(1, device.scratchReleases(), "and the scratch its run grew freed");

            device.refuseRunsOn(null);
            assertEquals(1, run(session, B).length, "b prepared again once memory allows");
            assertArrayEquals(first[0], run(session, A)[0], "a untouched");
        }
    }

    @Test
    void aRefusedRunWhoseNetworkFailsToCloseStillSaysMemoryWasRefused() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            run(session, A);
            device.refuseRunsOn(B);
            device.failCloses(1);

            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> run(session, B));

            assertEquals(1, e.getSuppressed().length, "the close's failure kept with the refusal");
            assertEquals("closing [1, 3, 20, 20] failed", e.getSuppressed()[0].getMessage());
            assertEquals(calls(session, A), calls(cpu), "b's other ops closed all the same");
            assertEquals(1, device.scratchReleases(), "and the scratch its run grew freed");
        }
    }

    @Test
    void memoryRefusedToANewShapeClosesTheNetworksRunLeastRecentlyUntilItFits() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] expected;
            try (Session alone = model.session(device)) {
                expected = run(alone, C);
            }
            run(session, A);
            int perNetwork = device.openConvolutions();
            run(session, B);
            device.memoryFor(perNetwork * 5 / 2, true);

            float[][] logits = run(session, C);

            assertEquals(List.of(), session.profile(A), "a ran least recently: closed to make room");
            assertFalse(session.profile(B).isEmpty(), "one network closed was enough");
            assertEquals(2 * perNetwork, device.openConvolutions(), "b's and c's; the refused attempt closed");
            assertArrayEquals(expected, logits, "c as prepared without the refusal");
        }
    }

    @Test
    void memoryRefusedToARunClosesTheOtherNetworksAndTheRunGoesAgain() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            float[][] first = run(session, A);
            int perNetwork = device.openConvolutions();
            run(session, B);
            device.memoryFor(perNetwork, true);

            float[][] again = run(session, A);

            assertEquals(List.of(), session.profile(B), "b closed to make room for a's run");
            assertEquals(perNetwork, device.openConvolutions());
            assertArrayEquals(first, again, "the run that went again gives the same logits");
        }
    }

    @Test
    void memoryThatFreeingCannotGiveCostsNoOtherNetworkAndMemoryStillShortAfterClosingAllIsRefused() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device)) {
            run(session, A);
            int perNetwork = device.openConvolutions();
            run(session, B);

            device.memoryFor(2 * perNetwork, false);
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> run(session, C));
            assertEquals("cannot prepare the network for input [2, 3, 16, 16]: not enough memory for a buffer of 1.0 "
                    + "GiB: the process has 512 MiB available", e.getMessage());
            assertFalse(session.profile(A).isEmpty(), "freeing could not help: a kept");
            assertFalse(session.profile(B).isEmpty(), "and b");
            assertEquals(2 * perNetwork, device.openConvolutions(), "nothing of c left open");

            device.memoryFor(perNetwork - 1, true);
            e = assertThrows(InsufficientMemoryException.class, () -> run(session, C));
            assertEquals("cannot prepare the network for input [2, 3, 16, 16]: not enough memory for a buffer of 1.0 "
                    + "GiB: the process has 512 MiB available", e.getMessage());
            assertEquals(0, device.openConvolutions(), "a and b closed in turn, and c did not fit even then");
            assertEquals(2, device.scratchReleases(), "the scratch freed with each");

            device.memoryFor(Integer.MAX_VALUE, true);
            assertEquals(2, run(session, C).length, "c prepared once memory allows");
        }
    }

    @Test
    void aPreparationThatFailsCostsNoOtherShapeItsNetworkEvenAtTheLimit() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults().withMaxShapes(2))) {
            run(session, A);
            int perNetwork = device.openConvolutions();
            run(session, B);
            device.memoryFor(2 * perNetwork + 1, false);

            assertThrows(InsufficientMemoryException.class, () -> run(session, C));

            assertFalse(session.profile(A).isEmpty(), "a kept: c never took its place");
            assertFalse(session.profile(B).isEmpty());
            assertEquals(2 * perNetwork, device.openConvolutions(), "a's and b's; nothing of c");
            assertEquals(0, device.scratchReleases());
        }
    }

    /**
     * An input of another type or layout was checked only once a network had been prepared for its shape: a session at
     * its limit closed the network of a shape that runs to make room for one that never could.
     */
    @Test
    void anInputOfTheWrongTypeOrLayoutIsRefusedBeforeANetworkIsPreparedForIt() {
        try (CpuDevice device = CpuDevice.create(1);
             Session session = model.session(device, SessionOptions.defaults().withMaxShapes(1))) {
            run(session, A);
            List<String> refusals = new ArrayList<>();
            for (Tensor wrong : List.of(Tensor.allocate(B, DType.BF16, Layout.NCHW),
                    Tensor.allocate(B, DType.F32, Layout.NHWC))) {
                try (wrong) {
                    refusals.add(assertThrows(IllegalArgumentException.class, () -> session.run(wrong)).getMessage());
                }
            }
            assertFalse(session.profile(A).isEmpty(), "a keeps its network");
            assertEquals(List.of(), session.profile(B), "none prepared for b");
            assertEquals(calls(session, A), calls(device), "and no op of b's is left open");
            assertEquals(List.of("input must be [N, 3, H, W] f32 NCHW, got [1, 3, 20, 20] bf16 NCHW",
                    "input must be [N, 3, H, W] f32 NCHW, got [1, 3, 20, 20] f32 NHWC"), refusals);
        }
    }

    /**
     * A NaN or an infinity in the input ran: the logits came out ordinary-looking, not NaN as PyTorch's, since the
     * routers keep no edge whose score is NaN. Every run now refuses one in one line naming the first such value and
     * where it is, before a network is prepared for its shape or the held one runs, and leaves a result given for
     * reuse as it was.
     */
    @Test
    void aNonFiniteInputValueIsRefusedByEveryRunBeforeAnythingRuns() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults())) {
            Result held = session.run(input(A), A);
            float[][] logits = held.logits();
            long ran = calls(session, A);
            int convolutions = device.openConvolutions();
            record Case(Shape shape, int index, float value, String where) {
            }
            for (Case c : List.of(new Case(A, 0, Float.NaN, "[0, 0, 0, 0]"),
                    new Case(A, 767, Float.NEGATIVE_INFINITY, "[0, 2, 15, 15]"),
                    new Case(B, 1199, Float.intBitsToFloat(0xFF80_0001), "[0, 2, 19, 19]"),
                    new Case(B, 421, Float.POSITIVE_INFINITY, "[0, 1, 1, 1]"),
                    new Case(C, 768 + 256 + 3 * 16 + 4, Float.NaN, "[1, 1, 3, 4]"))) {
                float[] values = input(c.shape());
                values[c.index()] = c.value();
                if (c.index() < values.length - 1) {
                    values[values.length - 1] = Float.NaN;
                }
                String expected = "input value " + c.value() + " at [n, c, h, w] = " + c.where()
                        + " is not a finite number";
                try (Tensor tensor = Tensor.of(c.shape(), Layout.NCHW, values)) {
                    for (Executable run : List.<Executable>of(() -> session.run(values, c.shape()),
                            () -> session.run(tensor), () -> session.run(tensor, held))) {
                        assertEquals(expected, assertThrows(IllegalArgumentException.class, run).getMessage());
                    }
                }
            }
            assertEquals(List.of(), session.profile(B), "no network prepared for b");
            assertEquals(List.of(), session.profile(C), "nor for c");
            assertEquals(convolutions, device.openConvolutions(), "no convolution made for it");
            assertEquals(ran, calls(session, A), "a's network did not run");
            assertArrayEquals(logits, held.logits(), "the result given for reuse is as it was");
        }
    }

    /**
     * A shape prepared ahead runs on the network prepared for it, making no convolution more; a shape no network can
     * take is refused in one line.
     */
    @Test
    void aPreparedShapeRunsOnItsNetwork() {
        CpuDevice cpu = CpuDevice.create(1);
        try (CountingDevice device = new CountingDevice(cpu, null);
             Session session = model.session(device, SessionOptions.defaults())) {
            session.prepare(A);
            int made = device.openConvolutions();
            assertTrue(made > 0, "a's convolutions made");
            float[][] logits = run(session, A);
            session.prepare(A);
            assertEquals(made, device.openConvolutions(), "a's network prepared once");
            assertArrayEquals(logits, run(session, A));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> session.prepare(Shape.of(1, 4, 16, 16)));
            assertEquals("input must be [N, 3, H, W], got [1, 4, 16, 16]", e.getMessage());
            assertEquals(made, device.openConvolutions(), "no network prepared for it");
        }
    }

    /**
     * A closed model's sessions keep the networks they hold; a shape they hold none for, new or pushed out, needs the
     * weights again. That was refused with the file's own message ("m.safetensors: closed, its tensors can no longer
     * be read"), which named neither the session's shape nor why a run reads the file; it now says both, and the
     * refusal costs no held shape its network.
     */
    @Test
    void aShapeToPrepareAfterTheModelClosedIsRefusedInOneLine(@TempDir Path dir) {
        Path file = dir.resolve("m.safetensors");
        model.save(file);
        try (CpuDevice device = CpuDevice.create(1)) {
            DgModel loaded = DgModel.load(file);
            try (Session session = loaded.session(device, SessionOptions.defaults().withMaxShapes(1))) {
                float[][] b = run(session, B);
                run(session, A);
                loaded.close();

                for (Shape shape : List.of(B, C)) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(session, shape));
                    assertEquals("cannot prepare the network for input " + shape + ": the model " + file
                            + " is closed, and a network is prepared from its weights (close a model after its "
                            + "sessions)", e.getMessage());
                }
                assertFalse(session.profile(A).isEmpty(), "a keeps its network");
                assertEquals(1, run(session, A).length);
                try (DgModel reopened = DgModel.load(file);
                     Session fresh = reopened.session(device)) {
                    assertArrayEquals(b, run(fresh, B), "the same weights as the model's");
                }
            }
        }
    }

    /**
     * The file cut short in place while the model is open: a shape to prepare is refused in one line naming the file,
     * rather than reading pages that are gone (an InternalError at some later point of the thread).
     */
    @Test
    void aShapeToPrepareAfterTheFileWasCutIsRefusedInOneLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        model.save(file);
        try (CpuDevice device = CpuDevice.create(1);
             DgModel loaded = DgModel.load(file);
             Session session = loaded.session(device)) {
            run(session, A);
            long size = Files.size(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(100);
            }
            ModelFileException e = assertThrows(ModelFileException.class, () -> run(session, B));
            assertTrue(e.getMessage().startsWith(file + ": tensor "), e.getMessage());
            assertTrue(e.getMessage().endsWith(": cannot be read: the file was cut to 100 bytes after it was opened ("
                    + size + " then)"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals(1, run(session, A).length, "a still runs");
        }
    }

    @Test
    void aSessionKeepsAtLeastOneShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionOptions.defaults().withMaxShapes(0));
        assertEquals("a session must keep at least 1 input shape, got 0", e.getMessage());
    }

    /** The logits of a run of {@code shape} on a deterministic input. */
    private static float[][] run(Session session, Shape shape) {
        return session.run(input(shape), shape).logits();
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
