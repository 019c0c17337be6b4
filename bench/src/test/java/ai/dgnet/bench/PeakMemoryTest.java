package ai.dgnet.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The peak-memory child JVMs run the runtime that the harness timed, and check what it computed. */
class PeakMemoryTest {

    /**
     * The child checks what it measured: ORT running a model that is not DG-ResNet-50's gives other logits than
     * ours, and the child says so and exits 1 (which fails the parent's section) instead of printing a peak.
     */
    @Test
    void aChildWhoseLogitsDifferFails(@TempDir Path dir) throws IOException {
        Path onnx = dir.resolve("onnx");
        WrongOnnx.writeAs(PeakMemory.CASE, onnx);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = Compare.commandLine().execute("--rss=ort", "--threads=1", "--onnx-dir=" + onnx,
                    "--python=" + dir.resolve("no-python"));
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, printed);
        assertFalse(printed.contains("peak_rss_kib="), printed);
        assertTrue(printed.strip().startsWith("logits differ from ONNX Runtime's at batch 8"), printed);
    }

    /**
     * Our own peak needs no ONNX file: where none is cached and none can be exported (no PyTorch), the child prints
     * it all the same and then, last, that its logits were not checked against another runtime and why, a last line
     * that the comparison, which takes only a checked peak, refuses.
     */
    @Test
    void oursIsMeasuredWithoutAnOnnxFile(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = Compare.commandLine().execute("--rss=ours", "--threads=1", "--onnx-dir=" + dir.resolve("onnx"),
                    "--python=" + dir.resolve("no-python"));
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        List<String> lines = printed.lines().toList();
        assertEquals(2, lines.size(), printed);
        assertTrue(lines.getFirst().matches("peak_rss_kib=[1-9][0-9]*"), printed);
        assertEquals("logits not checked against another runtime: ONNX Runtime has no ONNX file to run (cannot "
                + "export resnet50-dynamic to ONNX: " + dir.resolve("no-python") + " not found)", lines.getLast());
    }

    /**
     * Every option this JVM was started with reaches the child, as {@code DGNET_JAVA_OPTS}'s reach the harness: the
     * build starts this one with a thread stack size that the runtime's own flags do not hold.
     */
    @Test
    void theChildGetsThisJvmsOptions() {
        List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assumeFalse(JvmFlags.get().containsAll(options), "a test JVM started with the runtime's flags alone");
        List<String> command = PeakMemory.childCommand(Engine.Kind.ORT, 2, Path.of("onnx"));
        int main = command.indexOf(Compare.class.getName());
        assertTrue(command.subList(0, main).containsAll(options), command.toString());
        assertTrue(command.subList(0, main).containsAll(JvmFlags.get()), command.toString());
        assertTrue(command.subList(main, command.size()).containsAll(List.of("--rss", "ort", "--threads", "2")),
                command.toString());
    }
}
