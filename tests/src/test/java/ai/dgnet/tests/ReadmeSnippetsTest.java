package ai.dgnet.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@code java} block of README.md compiles against the public API and runs: each is put in a class that
 * declares the variables it uses (a {@link #DECLARATIONS scaffold} per block, with deterministic values), compiled
 * with the build's module flags against the test classpath, warnings as errors (a deprecated call in the README
 * fails), and run in a JVM of its own, with the build's flags, in a folder of its own: a block reads files by
 * relative paths as a user's program would. The model block runs DG-ResNet-50 at 224x224 as written, once (a few
 * seconds).
 */
class ReadmeSnippetsTest {
    /** README.md at the root of the repository: tests/target/test-classes -> tests/target -> tests -> root. */
    private static final Path README = testClasses().getParent().getParent().getParent().resolve("README.md");

    /**
     * What each block needs declared before it, by how its first line starts. The declarations may call
     * {@code values(count)}: deterministic floats in [0.5, 1.5], so that any of them may stand for a variance.
     */
    private static final Map<String, String> DECLARATIONS = Map.of(
            "try (DgModel model = DgModel.load(Path.of(\"resnet50.safetensors\"));", """
                    try (DgModel random = DgModel.random(Arch.RESNET50, Mode.DYNAMIC, 3)) {
                        random.save(Path.of("resnet50.safetensors"));
                    }
                    float[] pixels = values(3 * 224 * 224);
                    """,
            "try (CpuDevice device = CpuDevice.create(2)) {", """
                    float[] pixels = values(64 * 56 * 56);
                    float[] weights = values(64 * 64 * 3 * 3);
                    BatchNorm batchNorm = new BatchNorm(values(64), values(64), values(64), values(64),
                            BatchNorm.DEFAULT_EPS);
                    """);

    private static final String CLASS_NAME = "ReadmeSnippet";
    /** The class a block goes into: this (%s: the block's declarations), the block, then {@link #TAIL}. */
    private static final String HEAD = """
            import ai.dgnet.models.*;
            import ai.dgnet.runtime.*;
            import ai.dgnet.runtime.cpu.*;
            import ai.dgnet.runtime.dg.*;
            import ai.dgnet.runtime.op.*;
            import java.nio.file.*;

            public class ReadmeSnippet {
                public static void main(String[] args) throws Exception {
            %s""";
    private static final String TAIL = """
                }

                static float[] values(int count) {
                    float[] values = new float[count];
                    for (int i = 0; i < count; i++) {
                        values[i] = 1 + 0.5f * (float) Math.sin(i);
                    }
                    return values;
                }
            }
            """;

    /** A fenced block: the README's line its code starts on (1-based) and the code. */
    record Block(int line, String code) {
        String firstLine() {
            return code.lines().findFirst().orElse("").strip();
        }

        @Override
        public String toString() {
            return "README.md:" + line;
        }
    }

    static List<Block> javaBlocks() throws IOException {
        List<String> lines = Files.readAllLines(README);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```java")) {
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
                    end++;
                }
                blocks.add(new Block(start + 1, String.join("\n", lines.subList(start, end)) + "\n"));
                i = end;
            }
        }
        return blocks;
    }

    @Test
    void everyScaffoldBelongsToABlock() throws IOException {
        List<Block> blocks = javaBlocks();
        assertFalse(blocks.isEmpty(), "no ```java blocks found in " + README);
        for (String start : DECLARATIONS.keySet()) {
            assertTrue(blocks.stream().anyMatch(b -> b.firstLine().startsWith(start)),
                    "no java block of README.md starts with '" + start + "': remove or update its scaffold");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaBlocks")
    void compilesAndRuns(Block block, @TempDir Path dir) throws Exception {
        String declarations = DECLARATIONS.entrySet().stream()
                .filter(e -> block.firstLine().startsWith(e.getKey())).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError(block + ": no scaffold declares the variables of the java "
                        + "block starting '" + block.firstLine() + "'; add one to DECLARATIONS"));
        String head = HEAD.formatted(declarations);
        // The line of the generated source that holds the block's first line, for messages.
        long firstLine = head.lines().count() + 1;
        Path classes = Files.createDirectories(dir.resolve("classes"));
        compile(block, head, firstLine, classes);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + classes,
                CLASS_NAME));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        // Read before waiting: a child whose output fills the pipe would block forever.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(block + " did not finish in 120 s:\n" + output);
        }
        assertEquals(0, process.exitValue(), block + " failed (its first line is " + CLASS_NAME + ".java:" + firstLine
                + "):\n" + output);
    }

    /**
     * Compiles {@code head}, the block from line {@code firstLine} on, and the tail into {@code classes}; an error or
     * warning fails naming the README's line.
     */
    private static void compile(Block block, String head, long firstLine, Path classes) throws IOException {
        Path file = classes.resolve(CLASS_NAME + ".java");
        Files.writeString(file, head + block.code() + TAIL);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no Java compiler in " + System.getProperty("java.home") + ": the tests need a JDK");
        List<String> options = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "-Xlint:all,-incubating", "-Werror"));
        // The module flags the build compiles and runs with: they reach the test JVM through Surefire's argLine.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-modules") || arg.equals("--enable-preview")).forEach(options::add);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean compiled = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(file)).call();
            String report = diagnostics.getDiagnostics().stream()
                    .map(d -> at(block, d, firstLine) + ": " + d.getMessage(null))
                    .collect(Collectors.joining("\n"));
            assertTrue(compiled && diagnostics.getDiagnostics().isEmpty(), block + " does not compile:\n" + report);
        }
    }

    /** Where {@code d} points: the README's line where it is in the block, else the scaffold, or javac itself. */
    private static String at(Block block, Diagnostic<?> d, long firstLine) {
        long inBlock = d.getLineNumber() - firstLine;
        return d.getLineNumber() == Diagnostic.NOPOS ? "javac"
                : inBlock >= 0 && inBlock < block.code().lines().count() ? "README.md:" + (block.line() + inBlock)
                : "the scaffold";
    }

    private static Path testClasses() {
        try {
            return Path.of(ReadmeSnippetsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
