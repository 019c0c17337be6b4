package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.runtime.dg.Mode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Peak resident memory of one runtime running DG-ResNet-50 dynamic at batch 1 and then 8. Each runtime runs alone
 * in a fresh JVM (the harness's {@code --rss} mode), because a process's peak ({@code VmHWM}) covers everything it
 * ever held: measured in the harness, the other runtime's memory would count too. Its last logits are then checked
 * against the other runtime's, opened once the peak is read, so that the memory is that of the computation compared.
 */
final class PeakMemory {
    static final Case CASE = new Case(Arch.RESNET50, Mode.DYNAMIC, false);
    private static final int[] BATCHES = {1, 8};
    private static final int RUNS = 3;
    /** What the child prints last, followed by kibibytes: the parent's only way to get the number. */
    private static final String RESULT = "peak_rss_kib=";

    private PeakMemory() {
    }

    /**
     * The child's side: runs {@code kind} as described, then prints its peak RSS and returns true; where its last
     * logits differ from the other runtime's, or cannot be compared, prints why instead and returns false. ORT runs
     * the ONNX file that {@code onnx} gives whichever {@code kind} is measured; ours, which needs it only for the
     * check, is measured without it where there is none (none cached and none can be exported): its peak is printed,
     * then that its logits were not checked against another runtime, and it returns true. No other runtime's logits
     * of DG-ResNet-50 at this size are at hand to check it against: PyTorch's, where it is installed, would have
     * exported the file.
     */
    static boolean measure(Engine.Kind kind, int threads, Supplier<Path> onnx, int size) throws IOException {
        Path file = kind == Engine.Kind.ORT ? onnx.get() : null;
        float[] logits = null;
        for (int batch : BATCHES) {
            try (Engine engine = kind.open(CASE, file, threads, batch, size)) {
                for (int i = 0; i < RUNS; i++) {
                    logits = engine.run();
                }
            }
        }
        long peak = vmHwmKib();
        if (file == null) {
            try {
                file = onnx.get();
            } catch (RuntimeException e) {
                // Last, after the peak: the comparison takes only a last line of peak_rss_kib=, a checked peak.
                System.out.println(RESULT + peak);
                System.out.println("logits not checked against another runtime: ONNX Runtime has no ONNX file to "
                        + "run (" + e.getMessage() + ")");
                return true;
            }
        }
        int batch = BATCHES[BATCHES.length - 1];
        Engine.Kind other = kind == Engine.Kind.OURS ? Engine.Kind.ORT : Engine.Kind.OURS;
        String differ;
        try (Engine check = other.open(CASE, file, threads, batch, size)) {
            float[] ours = kind == Engine.Kind.OURS ? logits : check.run();
            float[] ort = kind == Engine.Kind.ORT ? logits : check.run();
            double error = Compare.relativeL2(ours, ort, batch);
            differ = error <= Compare.TOLERANCE ? null : String.format(Locale.ROOT, "logits differ from ONNX "
                    + "Runtime's at batch %d: relative L2 error %.3g > %.0e", batch, error, Compare.TOLERANCE);
        } catch (RuntimeException e) {
            differ = "logits not checked: " + e.getMessage();
        }
        System.out.println(differ == null ? RESULT + peak : differ);
        return differ == null;
    }

    /**
     * The parent's side: runs {@link #measure} for {@code kind} in a child JVM with the runtime's flags and this
     * JVM's class path, and returns the child's peak RSS in KiB.
     */
    static long inChild(Engine.Kind kind, int threads, Path onnxDir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(childCommand(kind, threads, onnxDir))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                last = line;
            }
        }
        int status = process.waitFor();
        if (status != 0 || last == null || !last.startsWith(RESULT)) {
            throw new IllegalStateException("the " + kind + " child JVM gave no checked peak (exit status "
                    + status + ", last line: " + last + ")");
        }
        return Long.parseLong(last.substring(RESULT.length()));
    }

    /**
     * The child JVM's command line: the runtime's flags, then this JVM's own options, which hold whatever
     * {@code DGNET_JAVA_OPTS} added (a {@code -Ddgnet.*} setting, a heap limit), so that the memory is measured on the
     * runtime that was timed.
     */
    static List<String> childCommand(Engine.Kind kind, int threads, Path onnxDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.get());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Compare.class.getName(),
                "--rss", kind.name().toLowerCase(Locale.ROOT), "--threads", Integer.toString(threads),
                "--onnx-dir", onnxDir.toString()));
        return command;
    }

    /** {@code VmHWM} of /proc/self/status: the peak resident set size so far, in KiB. */
    private static long vmHwmKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").strip());
            }
        }
        throw new IllegalStateException("/proc/self/status has no VmHWM line");
    }
}
