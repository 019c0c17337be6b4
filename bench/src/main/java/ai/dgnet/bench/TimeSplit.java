package ai.dgnet.bench;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.Activation;
import ai.dgnet.runtime.op.Conv2d;
import ai.dgnet.runtime.op.OpProfile;
import ai.dgnet.runtime.op.Residual;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

/**
 * Where one runtime's time went over some runs of a model, in parts both runtimes have: ours from the device's op
 * profile and its DG kernels' clocks, ONNX Runtime's from the JSON trace its own profiler writes. What neither
 * attributes to an op is "between ops": the runtime's bookkeeping, and for ours the Java work outside the DG kernels.
 *
 * @param runs         runs the split covers
 * @param nanos        time per part over those runs, every part present
 * @param byKind       time per kind of op over those runs (ours: {@link #kindOf} its description, plus the DG
 *                     kernels; ORT: its op types), the most first
 * @param convolutions calls and time per convolution shape over those runs ({@link #convolutionShape}, in the words
 *                     of our ops' descriptions, so that both runtimes' convolutions of one shape meet in one key)
 */
record TimeSplit(int runs, Map<Part, Long> nanos, Map<String, Long> byKind, Map<String, Calls> convolutions) {
    /** Calls of one kind of op and the time they took. */
    record Calls(long calls, long nanos) {
        Calls plus(Calls other) {
            return new Calls(calls + other.calls, nanos + other.nanos);
        }
    }

    /**
     * The share of a profile's runs left out, the slowest: on a shared machine a few runs meet a JIT compilation or
     * another process, and their time would weigh on every op's mean.
     */
    static final double SLOWEST_LEFT_OUT = 0.1;

    /** The parts of a run. */
    enum Part {
        CONVOLUTIONS("convolutions"),
        FULLY_CONNECTED("fully connected layers"),
        POOLING("pooling"),
        REORDERS("layout reorders"),
        OTHER_OPS("routing, aggregation, element-wise and other ops"),
        BETWEEN_OPS("between ops");

        private final String label;

        Part(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final Set<String> ORT_CONVOLUTIONS = Set.of("Conv", "FusedConv", "NhwcConv", "NhwcFusedConv");
    private static final Set<String> ORT_FULLY_CONNECTED = Set.of("Gemm", "FusedGemm", "MatMul", "FusedMatMul");
    private static final Set<String> ORT_POOLING = Set.of("GlobalAveragePool", "GlobalMaxPool", "AveragePool",
            "MaxPool");
    private static final Set<String> ORT_REORDERS = Set.of("ReorderInput", "ReorderOutput", "Transpose");

    TimeSplit {
        if (runs < 1 || !nanos.keySet().equals(Set.of(Part.values()))) {
            throw new IllegalArgumentException("a time split needs runs >= 1 and every part, got " + runs + " runs and "
                    + nanos.keySet());
        }
        nanos = Map.copyOf(nanos);
        byKind = sortedByTime(byKind);
        convolutions = Map.copyOf(convolutions);
    }

    /** All parts together, per run. */
    double totalMillisPerRun() {
        return nanos.values().stream().mapToLong(Long::longValue).sum() / 1e6 / runs;
    }

    double millisPerRun(Part part) {
        return nanos.get(part) / 1e6 / runs;
    }

    double share(Part part) {
        return nanos.get(part) / 1e6 / runs / totalMillisPerRun();
    }

    /**
     * Ours over {@code runs} runs that took {@code wallNanos} in all: {@code ops} is what the device profile says they
     * ran ({@link OpProfile#between}), {@code routingNanos} and {@code aggregationNanos} what its DG kernels' clocks
     * moved by ({@link CpuDevice#routingNanos()}, {@link CpuDevice#aggregationNanos()}).
     */
    static TimeSplit ofOurs(int runs, long wallNanos, List<OpProfile> ops, long routingNanos, long aggregationNanos) {
        Map<Part, Long> nanos = zeroed();
        Map<String, Long> byKind = new LinkedHashMap<>();
        Map<String, Calls> convolutions = new HashMap<>();
        long attributed = 0;
        for (OpProfile op : ops) {
            String kind = kindOf(op.op());
            nanos.merge(ourPart(kind), op.nanos(), Long::sum);
            byKind.merge(kind, op.nanos(), Long::sum);
            if (ourPart(kind) == Part.CONVOLUTIONS) {
                convolutions.merge(convolutionShape(op.op()), new Calls(op.runs(), op.nanos()), Calls::plus);
            }
            attributed += op.nanos();
        }
        nanos.merge(Part.OTHER_OPS, routingNanos + aggregationNanos, Long::sum);
        byKind.merge("routing", routingNanos, Long::sum);
        byKind.merge("weighted sums", aggregationNanos, Long::sum);
        attributed += routingNanos + aggregationNanos;
        nanos.put(Part.BETWEEN_OPS, Math.max(0, wallNanos - attributed));
        return new TimeSplit(runs, nanos, byKind, convolutions);
    }

    /**
     * A convolution's shape from one of our ops' descriptions: its words without the epilogue ({@code +relu},
     * {@code +residual}), so {@code conv 3x3 s2 64->128 56x56}; a fused pair keeps both, joined by {@code ", then "}.
     */
    static String convolutionShape(String description) {
        StringJoiner ops = new StringJoiner(", then ");
        for (String op : description.split(", then ")) {
            StringJoiner words = new StringJoiner(" ");
            for (String word : op.split(" ")) {
                if (!word.startsWith("+")) {
                    words.add(word);
                }
            }
            ops.add(words.toString());
        }
        return ops.toString();
    }

    /**
     * An ONNX Runtime convolution node's shape as {@link Conv2d.Spec#describe()} puts ours, through
     * {@link #convolutionShape}: from the logical shapes its trace gives (input {@code [N, C, H, W]}, weights
     * {@code [M, C/groups, kH, kW]}, output {@code [N, M, oH, oW]}; the stride is the ratio of input to output extent,
     * a dilation is not seen), or its op type and shapes as they are where they make no such convolution.
     */
    static String ortConvolutionShape(String opType, Map<String, Object> args) {
        List<List<Long>> in = shapes(args.get("input_type_shape"));
        List<List<Long>> out = shapes(args.get("output_type_shape"));
        String raw = opType + " " + in + " -> " + out;
        if (!Set.of("Conv", "FusedConv").contains(opType) || in.size() < 2 || out.isEmpty()
                || in.get(0).size() != 4 || in.get(1).size() != 4 || out.get(0).size() != 4) {
            return raw;
        }
        try {
            int[] x = ints(in.get(0));
            int[] w = ints(in.get(1));
            int[] y = ints(out.get(0));
            if (w[1] < 1 || x[1] % w[1] != 0) {
                return raw;
            }
            // Any padding that keeps the output at least one pixel: the description does not show it.
            Conv2d.Spec spec = new Conv2d.Spec(Shape.of(x), w[0], w[2], w[3], Math.ceilDiv(x[2], y[2]),
                    Math.ceilDiv(x[3], y[3]), w[2] / 2, w[3] / 2, 1, 1, x[1] / w[1], DType.F32, Layout.NCHW,
                    Layout.NCHW, Activation.NONE, Residual.NONE);
            return convolutionShape(spec.describe());
        } catch (ArithmeticException | IllegalArgumentException e) {
            return raw;
        }
    }

    private static int[] ints(List<Long> dims) {
        return dims.stream().mapToInt(Math::toIntExact).toArray();
    }

    /** The shapes of a trace's {@code input_type_shape} or {@code output_type_shape}: one {@code {type: dims}} each. */
    private static List<List<Long>> shapes(Object typeShapes) {
        List<List<Long>> shapes = new ArrayList<>();
        if (typeShapes instanceof List<?> list) {
            for (Object typeShape : list) {
                if (typeShape instanceof Map<?, ?> map && map.size() == 1
                        && map.values().iterator().next() instanceof List<?> dims) {
                    shapes.add(dims.stream().map(d -> d instanceof Number n ? n.longValue() : -1L).toList());
                }
            }
        }
        return shapes;
    }

    /** The part of one of our ops, from its {@link #kindOf kind}. */
    static Part ourPart(String kind) {
        return switch (kind) {
            case "conv", "dwconv" -> Part.CONVOLUTIONS;
            case "linear" -> Part.FULLY_CONNECTED;
            case "maxpool", "avgpool", "global avgpool" -> Part.POOLING;
            case "reorder" -> Part.REORDERS;
            default -> Part.OTHER_OPS;
        };
    }

    /** The part of an ONNX Runtime node, from its op type; whatever the DG export's graph adds is in OTHER_OPS. */
    static Part ortPart(String opType) {
        if (ORT_CONVOLUTIONS.contains(opType)) {
            return Part.CONVOLUTIONS;
        }
        if (ORT_FULLY_CONNECTED.contains(opType)) {
            return Part.FULLY_CONNECTED;
        }
        if (ORT_POOLING.contains(opType)) {
            return Part.POOLING;
        }
        return ORT_REORDERS.contains(opType) ? Part.REORDERS : Part.OTHER_OPS;
    }

    /**
     * ONNX Runtime's profile ({@code OrtSession.endProfiling()}'s file), its first {@code skipRuns} runs left out, and
     * the slowest of the others ({@link #withoutTheSlowest}): each {@code model_run} event is one run, and a node event
     * counts for the run whose interval holds its start.
     */
    static TimeSplit ofOrtProfile(Path json, int skipRuns) throws IOException {
        List<TraceEvent> runs = new ArrayList<>();
        List<TraceEvent> nodes = new ArrayList<>();
        try (MappingIterator<TraceEvent> events = new ObjectMapper().readerFor(TraceEvent.class).readValues(
                json.toFile())) {
            while (events.hasNext()) {
                TraceEvent event = events.next();
                if ("Session".equals(event.cat()) && "model_run".equals(event.name())) {
                    runs.add(event);
                } else if ("Node".equals(event.cat()) && event.name() != null
                        && event.name().endsWith("_kernel_time")) {
                    nodes.add(event);
                }
            }
        }
        runs.sort(Comparator.comparingLong(TraceEvent::ts));
        if (runs.size() <= skipRuns) {
            throw new IllegalArgumentException("ONNX Runtime's profile " + json + " has " + runs.size()
                    + " runs, expected more than the " + skipRuns + " to leave out");
        }
        List<TraceEvent> kept = withoutTheSlowest(runs.subList(skipRuns, runs.size()), TraceEvent::dur);
        Map<Part, Long> nanos = zeroed();
        Map<String, Long> byKind = new LinkedHashMap<>();
        Map<String, Calls> convolutions = new HashMap<>();
        long inRuns = 0;
        long inNodes = 0;
        for (TraceEvent run : kept) {
            inRuns += run.dur() * 1000;
        }
        for (TraceEvent node : nodes) {
            if (!inAny(kept, node.ts())) {
                continue;
            }
            String opType = node.args() != null && node.args().get("op_name") instanceof String name ? name : "?";
            long ns = node.dur() * 1000;
            nanos.merge(ortPart(opType), ns, Long::sum);
            byKind.merge(opType, ns, Long::sum);
            if (ortPart(opType) == Part.CONVOLUTIONS) {
                convolutions.merge(ortConvolutionShape(opType, node.args() == null ? Map.of() : node.args()),
                        new Calls(1, ns), Calls::plus);
            }
            inNodes += ns;
        }
        nanos.put(Part.BETWEEN_OPS, Math.max(0, inRuns - inNodes));
        return new TimeSplit(kept.size(), nanos, byKind, convolutions);
    }

    /** {@code runs} but the slowest {@link #SLOWEST_LEFT_OUT} of them (rounded down), in their order. */
    static <T> List<T> withoutTheSlowest(List<T> runs, ToLongFunction<T> time) {
        boolean[] slowest = new boolean[runs.size()];
        IntStream.range(0, runs.size()).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> time.applyAsLong(runs.get(i))).reversed())
                .limit((long) (runs.size() * SLOWEST_LEFT_OUT))
                .forEach(i -> slowest[i] = true);
        return IntStream.range(0, runs.size()).filter(i -> !slowest[i]).mapToObj(runs::get).toList();
    }

    /** One event of ORT's Chrome-trace profile; times in microseconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TraceEvent(String cat, String name, long ts, long dur, Map<String, Object> args) {
    }

    /** Whether {@code ts} falls in one of {@code runs}, which are sorted by start and do not overlap. */
    private static boolean inAny(List<TraceEvent> runs, long ts) {
        int low = 0;
        int high = runs.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            TraceEvent run = runs.get(mid);
            if (ts < run.ts()) {
                high = mid - 1;
            } else if (ts >= run.ts() + run.dur()) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static Map<Part, Long> zeroed() {
        Map<Part, Long> nanos = new EnumMap<>(Part.class);
        for (Part part : Part.values()) {
            nanos.put(part, 0L);
        }
        return nanos;
    }

    /** An op's kind: the words of its description before the first size ({@code global avgpool 2048 7x7}). */
    static String kindOf(String description) {
        StringJoiner kind = new StringJoiner(" ");
        for (String word : description.split(" ")) {
            if (word.isEmpty() || Character.isDigit(word.charAt(0))) {
                break;
            }
            kind.add(word);
        }
        return kind.toString();
    }

    private static Map<String, Long> sortedByTime(Map<String, Long> byKind) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        byKind.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return Collections.unmodifiableMap(sorted);
    }
}
