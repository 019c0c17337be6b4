package ai.dgnet.bench;

import java.util.Arrays;

/**
 * A runtime's run times in milliseconds, summarized the way {@code bench_torch.py} summarizes PyTorch's (median;
 * nearest-rank 90th percentile), so that the three runtimes' columns mean the same.
 */
record Latency(double medianMs, double p90Ms) {

    static Latency of(double[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no run times");
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double p90 = sorted[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
        return new Latency(median, p90);
    }

    /** Images per second at the median. */
    double imagesPerSecond(int batch) {
        return batch * 1000.0 / medianMs;
    }
}
