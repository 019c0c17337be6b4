package ai.dgnet.tests;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One model and one device shared by several threads, one session each, as documented. */
class ConcurrentSessionsTest {
    @Test
    void sessionsOnSeveralThreadsGiveTheSingleThreadedResults() throws Exception {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Shape shape = Shape.of(2, 3, 32, 32);
        int threads = 3;
        List<float[]> inputs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            inputs.add(DeterministicWeights.generate("input", shape.dims(), 10 + t));
        }
        try (DgModel model = DgModel.random(config, 3); CpuDevice device = CpuDevice.create(1)) {
            List<Result> expected = new ArrayList<>();
            try (Session session = model.session(device)) {
                for (float[] input : inputs) {
                    expected.add(session.run(input, shape));
                }
            }
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<List<Result>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    float[] input = inputs.get(t);
                    futures.add(pool.submit(() -> {
                        List<Result> results = new ArrayList<>();
                        try (Session session = model.session(device)) {
                            for (int run = 0; run < 5; run++) {
                                results.add(session.run(input, shape));
                            }
                        }
                        return results;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    for (Result r : futures.get(t).get()) {
                        Result want = expected.get(t);
                        for (int n = 0; n < shape.dim(0); n++) {
                            assertArrayEquals(want.logits()[n], r.logits()[n], 1e-5f, "thread " + t);
                            for (int s = 0; s < want.stages(); s++) {
                                assertArrayEquals(want.trace(s).adjacency()[n], r.trace(s).adjacency()[n],
                                        "thread " + t + " stage " + s);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void closedSessionIsIllegalState() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 1);
        try (DgModel model = DgModel.random(config, 1); CpuDevice device = CpuDevice.create(1)) {
            Session session = model.session(device);
            Shape shape = Shape.of(1, 1, 8, 8);
            assertEquals(10, session.run(new float[64], shape).logits()[0].length);
            session.close();
            assertThrows(IllegalStateException.class, () -> session.run(new float[64], shape));
            try (Session other = model.session(device)) {
                assertThrows(IllegalArgumentException.class, () -> other.run(new float[3 * 64], Shape.of(1, 3, 8, 8)));
            }
        }
    }
}
