package ai.dgnet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PyTorch side, through the scripts in {@code tests/reference/}: {@code export_onnx.py} makes the ONNX files
 * ONNX Runtime runs, {@code bench_torch.py} times PyTorch itself. Both take the model options of
 * {@link Case#modelArguments()}, so all three runtimes run one model with one set of weights.
 */
final class PythonReference {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path python;
    private final Path scripts;
    private final Path onnxDir;
    /** Probed on first use (importing torch takes seconds): PyTorch's version, or null and why not. */
    private boolean probed;
    private String torchVersion;
    private String torchMissing;

    PythonReference(Path python, Path scripts, Path onnxDir) {
        this.python = python;
        this.scripts = scripts;
        this.onnxDir = onnxDir;
    }

    /** PyTorch's version, or empty when it is not installed. */
    Optional<String> torchVersion() {
        probe();
        return Optional.ofNullable(torchVersion);
    }

    /** Why {@link #torch} cannot run, or null when it can. */
    String torchUnavailable() {
        probe();
        if (torchMissing != null) {
            return torchMissing;
        }
        return Files.isRegularFile(script("bench_torch.py")) ? null : script("bench_torch.py") + " not found";
    }

    private void probe() {
        if (probed) {
            return;
        }
        probed = true;
        if (!Files.isExecutable(python)) {
            torchMissing = python + " not found";
            return;
        }
        try {
            torchVersion = run(List.of(python.toString(), "-c", "import torch; print(torch.__version__)"), false,
                    Redirect.DISCARD).getLast().strip();
        } catch (IllegalStateException e) {
            torchMissing = "no torch in " + python;
        }
    }

    /**
     * The ONNX file of {@code c} at {@code size}, exported on first use and cached in the ONNX folder under a name
     * holding everything that went into it. The export writes a temporary file that is renamed when complete, so an
     * interrupted export never leaves a truncated file to be reused.
     */
    Path onnx(Case c, int size) {
        Path file = onnxDir.resolve(c.name() + "_seed" + Workloads.WEIGHT_SEED + "_classes" + Workloads.NUM_CLASSES
                + "_" + size + ".onnx");
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (torchVersion().isEmpty()) {
            throw new IllegalStateException("cannot export " + c + " to ONNX: " + torchMissing);
        }
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.createDirectories(onnxDir);
            List<String> command = new ArrayList<>(List.of(python.toString(), script("export_onnx.py").toString()));
            command.addAll(c.modelArguments());
            command.addAll(List.of("--size", Integer.toString(size), "-o", partial.toString()));
            System.err.println("exporting " + c + " to " + file);
            run(command, true, Redirect.INHERIT);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /**
     * What {@code bench_torch.py} gives: PyTorch's latency, its last timed run's logits and its first run's (a
     * warm-up run's, where there was one), row-major.
     */
    record Torch(Latency latency, float[] logits, float[] firstLogits) {
    }

    /** PyTorch's latency for {@code c} and the logits of what was timed, measured by {@code bench_torch.py}. */
    Torch torch(Case c, int batch, int size, int threads, int warmup, int runs) {
        List<String> command = new ArrayList<>(List.of(python.toString(), script("bench_torch.py").toString()));
        command.addAll(c.modelArguments());
        command.addAll(List.of("--size", Integer.toString(size), "--batch", Integer.toString(batch),
                "--threads", Integer.toString(threads), "--warmup", Integer.toString(warmup),
                "--runs", Integer.toString(runs), "--logits"));
        String line = run(command, false, Redirect.INHERIT).getLast();
        try {
            JsonNode json = JSON.readTree(line);
            return new Torch(new Latency(json.required("median_ms").asDouble(), json.required("p90_ms").asDouble()),
                    floats(json.required("logits")), floats(json.required("first_logits")));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("bench_torch.py printed '" + abbreviated(line) + "', not its JSON line "
                    + "with logits and first_logits", e);
        }
    }

    private static float[] floats(JsonNode values) {
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            if (!values.get(i).isNumber()) {
                throw new IllegalArgumentException("a logit that is not a number");
            }
            floats[i] = values.get(i).floatValue();
        }
        return floats;
    }

    /** {@code line} cut short: a batch's logits fill hundreds of kilobytes. */
    private static String abbreviated(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    private Path script(String name) {
        return scripts.resolve(name);
    }

    /**
     * Runs {@code command} to completion and returns its standard output's lines, echoed to our standard error
     * when {@code echo} (progress: our standard output is the report). Its standard error goes to {@code errors}:
     * straight to ours where a failure should explain itself.
     */
    private static List<String> run(List<String> command, boolean echo, Redirect errors) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors);
        List<String> lines = new ArrayList<>();
        try {
            Process process = builder.start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    if (echo) {
                        System.err.println("  " + line);
                    }
                }
            }
            int status = process.waitFor();
            if (status != 0 || lines.isEmpty()) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit status " + status + ")");
            }
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }
}
