package ai.dgnet.bench;

import ai.dgnet.dnnl.DnnlException;
import ai.dgnet.dnnl.DnnlLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ai.dgnet.dnnl.c.dnnl_h.dnnl_sgemm;
import static ai.dgnet.dnnl.c.omp_h.omp_set_num_threads;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * The machine's attainable fp32 rate: oneDNN's {@code dnnl_sgemm} on square 2048 matrices, large enough to run at
 * its peak and the best-tuned kernel oneDNN has, so a network's GFLOP/s can be read as a fraction of it.
 */
final class SgemmCeiling {
    private static final int N = 2048;
    private static final int WARMUP = 2;
    private static final int RUNS = 5;

    private SgemmCeiling() {
    }

    /** GFLOP/s of the best of a few {@code C = A * B} on {@code threads} OpenMP threads. */
    static double gflops(int threads) {
        // Loads libdnnl (and its OpenMP) with a clear error before the first binding is touched.
        DnnlLibrary.lookup();
        // OpenMP keeps the thread count per calling thread; sgemm runs on this one.
        omp_set_num_threads(threads);
        try (Arena arena = Arena.ofConfined()) {
            long elements = (long) N * N;
            MemorySegment a = arena.allocate(JAVA_FLOAT, elements);
            MemorySegment b = arena.allocate(JAVA_FLOAT, elements);
            MemorySegment c = arena.allocate(JAVA_FLOAT, elements);
            // The values do not change sgemm's speed as long as no denormals appear; these cannot make any.
            for (long i = 0; i < elements; i++) {
                a.setAtIndex(JAVA_FLOAT, i, 1f + (i % 7) / 8f);
                b.setAtIndex(JAVA_FLOAT, i, 1f - (i % 5) / 8f);
            }
            long best = Long.MAX_VALUE;
            for (int i = 0; i < WARMUP + RUNS; i++) {
                long start = System.nanoTime();
                DnnlException.check(dnnl_sgemm((byte) 'N', (byte) 'N', N, N, N, 1f, a, N, b, N, 0f, c, N),
                        "dnnl_sgemm");
                long elapsed = System.nanoTime() - start;
                if (i >= WARMUP) {
                    best = Math.min(best, elapsed);
                }
            }
            return 2.0 * N * N * N / best;
        }
    }
}
