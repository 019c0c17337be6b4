package ai.dgnet.cli;

import ai.dgnet.models.LayerProfile;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.OpProfile;

import java.util.Arrays;
import java.util.List;

/**
 * Timed runs of a session on one input, as {@code demo} and {@code bench} report them: each run's latency and the
 * shares of the whole spent inside the device's oneDNN primitives, in its DG kernels and in its Winograd transforms.
 *
 * @param sortedMillis  every run's latency in milliseconds, ascending
 * @param inPrimitives  the fraction of the runs' time spent in oneDNN primitives
 * @param inRouting     the fraction spent in the DG kernels' routing (channel means and routers)
 * @param inAggregation the fraction spent in the DG kernels' weighted sums
 * @param inTransforms  the fraction spent in the Winograd convolutions' transforms
 * @param ops           the device's ops that ran, with their runs and time during these runs, the most time first
 * @param layers        the layers of the session's network for the input that ran, likewise
 * @param last          the result of the last run
 * @param firstStart    {@link System#nanoTime} when the first run started
 * @param lastEnd       {@link System#nanoTime} when the last run ended
 */
record Timing(double[] sortedMillis, double inPrimitives, double inRouting, double inAggregation, double inTransforms,
              List<OpProfile> ops, List<LayerProfile> layers, Result last, long firstStart, long lastEnd) {
    /**
     * The most timed runs: each run's latency is kept for the percentiles, and ten million of them (80 MB, hours of
     * runs) are more than any measurement needs.
     */
    static final int MAX_RUNS = 10_000_000;

    /** {@code n} of {@code noun}, in words: "1 run", "3 runs". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Runs {@code session} on {@code input} {@code runs} times, writing into {@code result} (null for a new one). */
    static Timing measure(CpuDevice device, Session session, Tensor input, Result result, int runs) {
        Runs timed = new Runs(device, session, input, result, runs);
        for (int i = 0; i < runs; i++) {
            timed.next();
        }
        return timed.timing();
    }

    /**
     * The timed runs of one session, one {@link #next} at a time, so that several sessions can take turns: each on a
     * device of its own, whose counters then move only while this session runs, however the turns interleave.
     */
    static final class Runs {
        private final CpuDevice device;
        private final Session session;
        private final Tensor input;
        private Result result;
        private final double[] millis;
        private int done;
        private long firstStart;
        private long lastEnd;
        private final long nativeBefore;
        private final long routingBefore;
        private final long aggregationBefore;
        private final long transformsBefore;
        private final List<OpProfile> opsBefore;
        private final List<LayerProfile> layersBefore;

        /** Ready to run {@code session} on {@code input} {@code runs} times, writing into {@code result}. */
        Runs(CpuDevice device, Session session, Tensor input, Result result, int runs) {
            this.device = device;
            this.session = session;
            this.input = input;
            this.result = result;
            this.millis = new double[runs];
            this.nativeBefore = device.primitiveNanos();
            this.routingBefore = device.routingNanos();
            this.aggregationBefore = device.aggregationNanos();
            this.transformsBefore = device.transformNanos();
            this.opsBefore = device.profile();
            this.layersBefore = session.profile(input.shape());
        }

        /** Times the next run. */
        void next() {
            long start = System.nanoTime();
            result = session.run(input, result);
            long end = System.nanoTime();
            if (done == 0) {
                firstStart = start;
            }
            lastEnd = end;
            millis[done++] = (end - start) / 1e6;
        }

        /** The timing of the runs, once all have run. */
        Timing timing() {
            if (done < millis.length) {
                throw new IllegalStateException(done + " of " + millis.length + " runs done");
            }
            double total = Arrays.stream(millis).sum();
            double inPrimitives = (device.primitiveNanos() - nativeBefore) / 1e6 / total;
            double inRouting = (device.routingNanos() - routingBefore) / 1e6 / total;
            double inAggregation = (device.aggregationNanos() - aggregationBefore) / 1e6 / total;
            double inTransforms = (device.transformNanos() - transformsBefore) / 1e6 / total;
            List<OpProfile> ops = OpProfile.between(opsBefore, device.profile());
            List<LayerProfile> layers = LayerProfile.between(layersBefore, session.profile(input.shape()));
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return new Timing(sorted, inPrimitives, inRouting, inAggregation, inTransforms, ops, layers, result,
                    firstStart, lastEnd);
        }
    }

    double totalMillis() {
        return Arrays.stream(sortedMillis).sum();
    }

    double min() {
        return sortedMillis[0];
    }

    double max() {
        return sortedMillis[sortedMillis.length - 1];
    }

    /** The fraction spent outside oneDNN and outside the parts the device times apart. */
    double inRest() {
        return 1 - inPrimitives - inRouting - inAggregation - inTransforms;
    }

    /** The nearest-rank percentile {@code p} (the median at 50). */
    double percentile(int p) {
        int rank = (int) Math.ceil(p / 100.0 * sortedMillis.length);
        return sortedMillis[Math.max(rank, 1) - 1];
    }
}
