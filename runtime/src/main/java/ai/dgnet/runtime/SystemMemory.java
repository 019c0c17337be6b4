package ai.dgnet.runtime;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux says about memory, read when asked (at preparation, never per inference). Where the files are missing
 * (another OS) nothing is known, and nothing is refused for want of memory.
 */
final class SystemMemory {
    /** No limit known. */
    static final long UNKNOWN = Long.MAX_VALUE;

    private SystemMemory() {
    }

    /**
     * The bytes this process could still make resident: the kernel's estimate of memory available without swapping
     * ({@code MemAvailable}, which counts reclaimable page cache, unlike free memory), or, where a container limit
     * is lower than the machine's memory, that limit less the container's use (the JDK's reading of the cgroup
     * files), whichever is lower; {@link #UNKNOWN} where neither can be read.
     */
    static long available() {
        List<String> meminfo = lines(Path.of("/proc/meminfo"));
        long total = kibibytes(meminfo, "MemTotal:");
        long available = kibibytes(meminfo, "MemAvailable:");
        if (total == UNKNOWN || available == UNKNOWN) {
            return UNKNOWN;
        }
        OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
        if (os != null && os.getTotalMemorySize() < total) {
            available = Math.min(available, os.getFreeMemorySize());
        }
        return available;
    }

    /** The lines of {@code file}; none where it cannot be read, which then says nothing. */
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The bytes on the line that starts with {@code key}, given in kB; {@link #UNKNOWN} where there is none. */
    private static long kibibytes(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key) && line.endsWith(" kB")) {
                try {
                    return Long.parseLong(line.substring(key.length(), line.length() - " kB".length()).strip()) * 1024;
                } catch (NumberFormatException e) {
                    return UNKNOWN;
                }
            }
        }
        return UNKNOWN;
    }
}
