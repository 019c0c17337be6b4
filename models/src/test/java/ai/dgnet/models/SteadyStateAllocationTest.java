package ai.dgnet.models;

import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.runtime.kernel.KernelChecks;
import com.sun.management.ThreadMXBean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A session that reuses its previous result allocates nothing on the Java heap once the JIT has compiled its kernels:
 * the network, the stage executor, the blocks, every op's checks and the reorders between parts of different layouts
 * (at 64x64 the CPU device runs the stages of 4x4 maps in NHWC). Counted on the threads that take part in a run: the
 * calling thread and the OpenMP team's, which run the split kernels.
 */
class SteadyStateAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "mobilenet_v2", "regnet_y_400mf"})
    void aWarmRunAllocatesNothing(String arch) {
        ThreadMXBean threads = KernelChecks.allocationCounter();
        Shape shape = Shape.of(2, 3, 64, 64);
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.parse(arch), Mode.DYNAMIC).withClasses(10, 3), 3);
             CpuDevice device = CpuDevice.create(2);
             Session session = model.session(device);
             Tensor input = Tensor.of(shape, Layout.NCHW, DeterministicWeights.generate("input", shape.dims(), 7))) {
            Result[] result = {session.run(input)};
            long allocated = KernelChecks.allocatedOnceWarm(threads, () -> result[0] = session.run(input, result[0]),
                    100, 20);
            assertEquals(0, allocated, "bytes allocated by 20 runs of " + arch);
        }
    }
}
