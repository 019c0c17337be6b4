package ai.dgnet.runtime.cpu;

import ai.dgnet.runtime.ConvWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.Linear;
import ai.dgnet.runtime.op.Pool2d;
import ai.dgnet.runtime.op.Reorder;
import ai.dgnet.runtime.op.Residual;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every mismatch is caught in Java with a message, before anything reaches oneDNN. */
class BadInputTest {
    private static final Shape IN = Shape.of(1, 8, 6, 6);
    @AutoClose
    private static final CpuDevice device = CpuDevice.create(1);
    private static final Conv2d conv = device.conv2d(Conv2d.Spec.of(IN, 4, 3, 1, 1),
            ConvWeights.withoutBias(new float[4 * 8 * 9]));

    @Test
    void wrongShapeIsIllegalArgument() {
        try (Tensor src = device.allocate(Shape.of(1, 8, 6, 7), DType.F32, Layout.NCHW);
             Tensor dst = device.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst));
            assertMentions(e, "convolution source", "[1, 8, 6, 6]", "[1, 8, 6, 7]");
        }
    }

    /**
     * oneDNN 3.13 has only its reference kernel for a bf16 7x7 stride-2 convolution from NCHW on AVX-512 CPUs with AMX,
     * and that kernel crashed the JVM within a few runs: the op is made, says it is not optimized, and refuses to run.
     */
    @Test
    void aBf16ConvolutionOnOneDnnsReferenceKernelIsRefusedBeforeItRuns() {
        assumeTrue(device.supports(DType.BF16), "no bf16 convolutions on this CPU");
        Shape image = Shape.of(1, 3, 224, 224);
        Conv2d.Spec spec = Conv2d.Spec.of(image, 64, 7, 2, 3).withLayouts(Layout.NCHW, Layout.NHWC)
                .withDType(DType.BF16);
        try (Conv2d stem = device.conv2d(spec, ConvWeights.withoutBias(new float[64 * 3 * 49]));
             Tensor src = device.allocate(image, DType.BF16, Layout.NCHW);
             Tensor dst = device.allocate(spec.output(), DType.BF16, Layout.NHWC)) {
            assumeFalse(stem.optimized(), "oneDNN has an optimized kernel for it here: " + stem.implementation());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> stem.run(src, dst));
            assertMentions(e, "reference kernel", spec.describe(), "f32");
        }
    }

    @Test
    void wrongDtypeIsIllegalArgument() {
        try (Tensor src = device.allocate(IN, DType.BF16, Layout.NCHW);
             Tensor dst = device.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst));
            assertMentions(e, "f32", "bf16");
        }
    }

    @Test
    void wrongLayoutIsIllegalArgument() {
        try (Tensor src = device.allocate(IN, DType.F32, Layout.NCHW);
             Tensor dst = device.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW16C)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.run(src, dst));
            assertMentions(e, "convolution destination", "NCHW16C");
        }
    }

    @Test
    void closedTensorIsIllegalState() {
        Tensor src = device.allocate(IN, DType.F32, Layout.NCHW);
        src.close();
        try (Tensor dst = device.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW)) {
            assertThrows(IllegalStateException.class, () -> conv.run(src, dst));
            assertThrows(IllegalStateException.class, src::toFloatArray);
            assertThrows(IllegalStateException.class, src::segment);
        }
    }

    /**
     * oneDNN reads a tensor by address, and a segment over a Java array has none: its "address" is an offset into the
     * array, 0 here, which an op took for "bound already" and ran the primitive on a null buffer (SIGSEGV in
     * oneDNN's reorder).
     */
    @Test
    void aViewOverJavaHeapMemoryIsIllegalArgument() {
        MemorySegment heap = MemorySegment.ofArray(new float[Math.toIntExact(IN.elements())]);
        try (Reorder reorder = device.reorder(new Reorder.Spec(IN, DType.F32, Layout.NCHW, DType.F32, Layout.NHWC));
             Tensor dst = device.allocate(IN, DType.F32, Layout.NHWC)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reorder.run(Tensor.view(IN, DType.F32, Layout.NCHW, heap), dst));
            assertMentions(e, "native memory", "float[]");
        }
    }

    /** Two views of one buffer are different tensors but one memory: no op may read one while writing the other. */
    @Test
    void aSourceAndDestinationSharingMemoryAreIllegalArgument() {
        Shape out = Shape.of(1, 8, 3, 3);
        Shape half = Shape.of(1, 8, 3, 6);
        try (Arena arena = Arena.ofConfined();
             Reorder reorder = device.reorder(new Reorder.Spec(IN, DType.F32, Layout.NCHW, DType.F32, Layout.NHWC));
             Pool2d pool = device.pool2d(Pool2d.Spec.of(IN, Pool2d.Kind.MAX, 2, 2, 0, Layout.NCHW));
             Conv2d rows = device.conv2d(Conv2d.Spec.of(IN, 8, 1, 1, 0), ConvWeights.withoutBias(new float[64]))) {
            MemorySegment memory = arena.allocate(Tensor.byteSize(IN, DType.F32, Layout.NCHW), 64);
            Tensor whole = Tensor.view(IN, DType.F32, Layout.NCHW, memory);
            Tensor tail = Tensor.view(out, DType.F32, Layout.NCHW,
                    memory.asSlice(Tensor.byteSize(half, DType.F32, Layout.NCHW)));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> reorder.run(whole,
                    Tensor.view(IN, DType.F32, Layout.NHWC, memory))), "share memory");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> pool.run(whole, tail)), "share memory");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> rows.run(whole,
                    Tensor.view(IN, DType.F32, Layout.NCHW, memory))), "share memory");
            try (Tensor apart = device.allocate(IN, DType.F32, Layout.NHWC)) {
                reorder.run(whole, apart);
            }
        }
    }

    @Test
    void closedOpAndClosedDeviceAreIllegalState() {
        CpuDevice other = CpuDevice.create(1);
        Conv2d op = other.conv2d(Conv2d.Spec.of(IN, 4, 1, 1, 0), ConvWeights.withoutBias(new float[32]));
        try (Tensor src = other.allocate(IN, DType.F32, Layout.NCHW);
             Tensor dst = other.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW)) {
            op.close();
            assertThrows(IllegalStateException.class, () -> op.run(src, dst));
            other.close();
            assertThrows(IllegalStateException.class, () -> other.allocate(IN, DType.F32, Layout.NCHW));
            assertThrows(IllegalStateException.class,
                    () -> other.conv2d(Conv2d.Spec.of(IN, 4, 1, 1, 0), ConvWeights.withoutBias(new float[32])));
            // The bf16 probe makes a primitive on the engine: not on a closed one.
            assertThrows(IllegalStateException.class, () -> other.supports(DType.BF16));
        }
    }

    @Test
    void deviceCloseClosesItsOps() {
        CpuDevice other = CpuDevice.create(1);
        Conv2d op = other.conv2d(Conv2d.Spec.of(IN, 4, 1, 1, 0), ConvWeights.withoutBias(new float[32]));
        other.close();
        try (Tensor src = Tensor.allocate(IN, DType.F32, Layout.NCHW);
             Tensor dst = Tensor.allocate(Shape.of(1, 4, 6, 6), DType.F32, Layout.NCHW)) {
            assertThrows(IllegalStateException.class, () -> op.run(src, dst));
        }
    }

    @Test
    void wrongWeightCountIsIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> device.conv2d(Conv2d.Spec.of(IN, 4, 3, 1, 1), ConvWeights.withoutBias(new float[10])));
        assertMentions(e, "288", "10");
        assertThrows(IllegalArgumentException.class,
                () -> device.conv2d(Conv2d.Spec.of(IN, 4, 3, 1, 1), new ConvWeights(new float[288], new float[3])));
        assertThrows(IllegalArgumentException.class,
                () -> device.linear(new Linear.Spec(1, 8, 4), ConvWeights.withoutBias(new float[31])));
    }

    @Test
    void impossibleSpecsAreIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(IN, 4, 3, 1, 1).withGroups(3));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(IN, 4, 9, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(IN, 0, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(IN, 4, 3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(Shape.of(8, 6), 4, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.Spec.of(IN, 4, 3, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> Pool2d.Spec.of(IN, Pool2d.Kind.MAX, 3, 2, 2, Layout.NCHW));
        assertThrows(IllegalArgumentException.class, () -> Pool2d.Spec.of(IN, Pool2d.Kind.MAX, 9, 1, 0, Layout.NCHW));
        assertThrows(IllegalArgumentException.class,
                () -> new Reorder.Spec(IN, DType.F32, Layout.NC, DType.F32, Layout.NCHW));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> CpuDevice.create(0));
        int cpus = Runtime.getRuntime().availableProcessors();
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> CpuDevice.create(4 * cpus + 1));
        assertEquals("threads must be in [1, " + 4 * cpus + "] (4 per CPU this process may use), got " + (4 * cpus + 1),
                threads.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuDevice.forFewRuns(100_000));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(IN, DType.F32, Layout.NC));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> Tensor.allocate(Shape.of(1, 3, Integer.MAX_VALUE, Integer.MAX_VALUE), DType.F32, Layout.NCHW));
        assertTrue(huge.getMessage().endsWith("tensor would take more bytes than a 64-bit count holds"),
                huge.getMessage());
    }

    /** Sizes past the largest int, as a huge dilation or padding makes them, are refused, not wrapped around. */
    @Test
    void sizesPastTheLargestIntAreIllegalArgument() {
        Conv2d.Spec dilated = Conv2d.Spec.of(IN, 4, 3, 1, 1);
        IllegalArgumentException wrapped = assertThrows(IllegalArgumentException.class,
                () -> dilated.withDilation(Integer.MAX_VALUE));
        assertMentions(wrapped, "smaller than the dilated kernel");
        IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.Spec.of(IN, 4, 1, 1, Integer.MAX_VALUE / 2 + 1));
        assertMentions(padded, "output of", "past the largest int");
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class,
                () -> Pool2d.Spec.of(IN, Pool2d.Kind.MAX, 3, 1, Integer.MAX_VALUE, Layout.NCHW));
        assertMentions(pool, "at most half the kernel");
    }

    @Test
    void residualMisuseIsIllegalArgument() {
        Conv2d.Spec spec = Conv2d.Spec.of(IN, 8, 1, 1, 0).withEpilogue(Activation.RELU, Residual.ADD);
        try (Conv2d add = device.conv2d(spec, ConvWeights.withoutBias(new float[64]));
             Tensor src = device.allocate(IN, DType.F32, Layout.NCHW);
             Tensor dst = device.allocate(IN, DType.F32, Layout.NCHW)) {
            assertThrows(IllegalArgumentException.class, () -> add.run(src, dst));
            assertThrows(IllegalArgumentException.class, () -> add.run(src, dst, dst));
            assertThrows(IllegalArgumentException.class, () -> conv.run(src, src, dst));
            assertThrows(IllegalArgumentException.class, () -> add.run(src, src, src));
        }
    }

    @Test
    void wrongValueCountIsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(IN, Layout.NCHW, new float[5]));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention " + part);
        }
    }
}
