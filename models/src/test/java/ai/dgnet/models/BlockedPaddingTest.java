package ai.dgnet.models;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.op.PointwiseDepthwise;
import ai.dgnet.runtime.op.PreparedOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel padding of blocked activations stays zero through whole networks: oneDNN reads a source's padding
 * lanes (a convolution sums them into its output), so a writer that left garbage there would spoil the next op's
 * values. Every op of the network is watched: before it runs, each of its sources' padding must be zero (this
 * covers what the Java kernels write between ops: the weighted sums that make a DG node's input and a stage's
 * output, squeeze-and-excitation's scaling in place), and after it, its destination's.
 */
class BlockedPaddingTest {

    /**
     * Channel counts that are not whole blocks: MobileNetV2's 24-channel stage and RegNetY's 104- and 440-wide ones
     * in {@code nChw16c} (a generic kernel where the CPU lacks AVX-512, still run), and an input of 3 or 20 channels,
     * which the network reorders into the blocked layout where its stem has no fast kernel reading NCHW. (The Winograd
     * convolution, the other Java writer, takes whole channel blocks only: its destinations have no padding.)
     */
    @ParameterizedTest
    @CsvSource({
        "MOBILENET_V2, NCHW16C, 3",
        "REGNET_Y_400MF, NCHW16C, 3",
        "RESNET20, NCHW8C, 20",
    })
    void everyPaddingLaneIsZeroBeforeAndAfterEveryOp(Arch arch, Layout layout, int inChannels) {
        Shape shape = Shape.of(2, inChannels, 32, 32);
        float[] input = DeterministicWeights.generate("input", shape.dims(), 7);
        List<String> padded = new ArrayList<>();
        try (DgModel model = DgModel.random(ModelConfig.of(arch, Mode.DYNAMIC).withClasses(10, inChannels), 3);
             CpuDevice cpu = CpuDevice.create(1);
             Session session = model.session(checking(cpu, layout, padded))) {
            for (int run = 0; run < 2; run++) {
                session.run(input, shape);
            }
        }
        assertTrue(!padded.isEmpty(), "some tensor has padding");
    }

    /**
     * {@code device} offering {@code layout} alone, throughout the network, with every op it makes checked as the
     * class comment says; each tensor checked that has padding is added to {@code padded}.
     */
    private static Device checking(Device device, Layout layout, List<String> padded) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "activationLayouts" -> List.of(layout);
            case "activationLayout" -> args[0];
            default -> {
                Object made = invoke(method, device, args);
                if (made instanceof Optional<?> optional && optional.isPresent()
                        && optional.get() instanceof PointwiseDepthwise op) {
                    yield Optional.of(watched(op, PointwiseDepthwise.class, padded));
                }
                yield made instanceof PreparedOp op ? watched(op, method.getReturnType(), padded) : made;
            }
        };
        return (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class}, handler);
    }

    /** {@code op} checking the padding of its run's tensors: the last one is the destination, the others sources. */
    private static PreparedOp watched(PreparedOp op, Class<?> kind, List<String> padded) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (!method.getName().equals("run")) {
                return invoke(method, op, args);
            }
            for (int i = 0; i < args.length - 1; i++) {
                checkPadding((Tensor) args[i], "source " + i + " of " + describe(kind, op) + " before it runs", padded);
            }
            Object result = invoke(method, op, args);
            checkPadding((Tensor) args[args.length - 1], "destination of " + describe(kind, op), padded);
            return result;
        };
        return (PreparedOp) Proxy.newProxyInstance(kind.getClassLoader(), new Class<?>[] {kind}, handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String describe(Class<?> kind, PreparedOp op) {
        return kind.getSimpleName() + " (" + op.implementation() + ")";
    }

    /** Fails unless every padding float of {@code t} (if blocked, and f32) is +0.0 bit for bit. */
    private static void checkPadding(Tensor t, String role, List<String> padded) {
        if (!t.layout().isBlocked()) {
            return;
        }
        assertEquals(DType.F32, t.dtype(), role);
        Shape shape = t.shape();
        int block = t.layout().channelBlock();
        int channels = shape.dim(1);
        int blocks = Math.ceilDiv(channels, block);
        long plane = (long) shape.dim(2) * shape.dim(3);
        int lanes = blocks * block - channels;
        if (lanes == 0) {
            return;
        }
        long wrong = 0;
        for (int n = 0; n < shape.dim(0); n++) {
            for (long p = 0; p < plane; p++) {
                for (int lane = block - lanes; lane < block; lane++) {
                    long at = (((long) n * blocks + blocks - 1) * plane + p) * block + lane;
                    if (Float.floatToRawIntBits(t.segment().getAtIndex(ValueLayout.JAVA_FLOAT, at)) != 0) {
                        wrong++;
                    }
                }
            }
        }
        assertEquals(0, wrong, "padding floats not zero in the " + role + ", " + t);
        padded.add(role);
    }
}
