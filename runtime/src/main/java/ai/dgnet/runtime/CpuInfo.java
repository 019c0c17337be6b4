package ai.dgnet.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux's {@code /proc/cpuinfo} says of this machine's CPUs, for the reports that say what numbers were measured
 * on: the first CPU's fields and how many CPUs it lists. Where the file is missing (another OS) it says nothing.
 */
public final class CpuInfo {
    private final List<String> lines;

    CpuInfo(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    /** This machine's, read now. */
    public static CpuInfo read() {
        try {
            return new CpuInfo(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException e) {
            return new CpuInfo(List.of());
        }
    }

    /**
     * The value of the first {@code key : value} line, the first CPU's ({@code "model name"}, {@code "flags"},
     * {@code "cpu cores"}), or {@code fallback} where there is none.
     */
    public String field(String key, String fallback) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                return line.substring(colon + 1).strip();
            }
        }
        return fallback;
    }

    /** The logical CPUs listed, whether or not this process may use them. */
    public long processors() {
        return lines.stream().filter(line -> line.startsWith("processor")).count();
    }
}
