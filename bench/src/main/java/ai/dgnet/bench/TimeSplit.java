package ai.dgnet.bench;

import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.op.OpProfile;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where one runtime's time went over some runs of a model, in parts both runtimes have: ours from the device's op
 * profile and its DG kernels' clocks, ONNX Runtime's from the JSON trace its own profiler writes. What neither
 * attributes to an op is "between ops": the runtime's bookkeeping, and for ours the Java work outside the DG kernels.
 *
 * @param runs   runs the split covers
 * @param nanos  time per part over those runs, every part present
 * @param byKind time per kind of op over those runs (ours: {@link #kindOf} its description, plus the DG kernels;
 *               ORT: its op types), the most first
 */
record TimeSplit(int runs, Map<Part, Long> nanos, Map<String, Long> byKind) {
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
        long attributed = 0;
        for (OpProfile op : ops) {
            String kind = kindOf(op.op());
            nanos.merge(ourPart(kind), op.nanos(), Long::sum);
            byKind.merge(kind, op.nanos(), Long::sum);
            attributed += op.nanos();
        }
        nanos.merge(Part.OTHER_OPS, routingNanos + aggregationNanos, Long::sum);
        byKind.merge("routing", routingNanos, Long::sum);
        byKind.merge("weighted sums", aggregationNanos, Long::sum);
        attributed += routingNanos + aggregationNanos;
        nanos.put(Part.BETWEEN_OPS, Math.max(0, wallNanos - attributed));
        return new TimeSplit(runs, nanos, byKind);
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
     * ONNX Runtime's profile ({@code OrtSession.endProfiling()}'s file), its first {@code skipRuns} runs left out:
     * each {@code model_run} event is one run, and a node event counts for the run whose interval holds its start.
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
        List<TraceEvent> kept = runs.subList(skipRuns, runs.size());
        Map<Part, Long> nanos = zeroed();
        Map<String, Long> byKind = new LinkedHashMap<>();
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
            inNodes += ns;
        }
        nanos.put(Part.BETWEEN_OPS, Math.max(0, inRuns - inNodes));
        return new TimeSplit(kept.size(), nanos, byKind);
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
