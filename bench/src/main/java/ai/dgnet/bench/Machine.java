package ai.dgnet.bench;

import ai.dgnet.dnnl.DnnlLibrary;
import ai.dgnet.runtime.CpuInfo;
import ai.dgnet.runtime.kernel.DgKernelsProvider;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What a report's numbers were measured on: the lines heading it. */
final class Machine {
    private Machine() {
    }

    /** Markdown list items describing this machine and the software under test, ONNX Runtime and PyTorch too. */
    static List<String> describe(int threads, String ortVersion, String torch) {
        List<String> lines = describe(threads);
        lines.add("- ONNX Runtime: " + ortVersion + " (Java API, CPU execution provider)");
        lines.add("- PyTorch: " + torch);
        lines.add("- every runtime runs on the same threads");
        return lines;
    }

    /** Markdown list items describing this machine and this runtime. */
    static List<String> describe(int threads) {
        CpuInfo cpuinfo = CpuInfo.read();
        Set<String> flags = Set.of(cpuinfo.field("flags", "").split("\\s+"));
        List<String> lines = new ArrayList<>();
        lines.add("- date: " + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm zzz")));
        lines.add("- CPU: " + cpuinfo.field("model name", "unknown") + "; " + cpuinfo.processors()
                + " logical CPUs in /proc/cpuinfo (" + cpuinfo.field("cpu cores", "?") + " cores per socket), "
                + Runtime.getRuntime().availableProcessors() + " available to the JVM");
        lines.add("- ISA: " + Arrays.stream(new String[] {"avx2", "avx512f", "avx512_bf16"})
                .map(f -> f + " " + (flags.contains(f) ? "yes" : "no")).collect(Collectors.joining(", "))
                + ", amx " + amx(flags));
        lines.add("- JDK: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        lines.add("- oneDNN: " + DnnlLibrary.version() + "; DG kernels: " + DgKernelsProvider.get().name());
        lines.add("- threads: " + threads);
        return lines;
    }

    /** AMX comes as several flags (tile, bf16, int8, ...): list the ones present. */
    private static String amx(Set<String> flags) {
        String present = flags.stream().filter(f -> f.startsWith("amx")).sorted().collect(Collectors.joining(" "));
        return present.isEmpty() ? "no" : "yes (" + present + ")";
    }
}
