package ai.dgnet.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The peak-memory child JVMs run the runtime that the harness timed. */
class PeakMemoryTest {

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
