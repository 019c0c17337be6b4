package ai.dgnet.cli;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.models.io.SafeTensorsWriter;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.StageTrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dgnet infer} (spec section 8): a model file on a tensor file, every result to a tensor file. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run MODEL on the tensor 'input' [N, C, H, W] of a safetensors file; write 'logits' and, "
                + "for every stage with two or more nodes, 'adjacency.{s}' and 'router.{s}' [N, m+1, m+1].")
final class InferCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "IN",
            description = "Tensor file holding 'input', or - for standard input (a file or a pipe, not a terminal; "
                    + "at most " + (StandardInput.MAX_BYTES >> 20) + " MiB).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT",
            description = "Tensor file to write, or - for standard output (a file or a pipe, not a terminal).")
    Path output;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--threshold", paramLabel = "T", description = "Edge threshold, overriding the model's.")
    Float threshold;

    @Override
    public Integer call() throws IOException {
        boolean fromStandardInput = StandardInput.isNamedBy(input);
        if (fromStandardInput) {
            StandardInput.refuseBinaryFromTerminal("--input", "binary tensor file");
        }
        if (StandardOutput.isNamedBy(output)) {
            StandardOutput.refuseBinaryOnTerminal("--output", "binary tensor file");
        } else {
            OptionChecks.creatable(output);
            OptionChecks.notAnInput("--output", output, fromStandardInput ? Map.of("the model file", model)
                    : Map.of("the model file", model, "the input file", input));
        }
        Result result;
        try (DgModel dg = DgModel.load(model);
             SafeTensors in = openInput()) {
            Shape shape = inputShape(in, dg.config().inChannels());
            try (CpuDevice device = threads.device(shape.dim(0));
                 Session session = threshold == null ? dg.session(device) : dg.session(device, threshold)) {
                result = session.run(in.floats("input"), shape);
            }
        }
        write(result);
        return 0;
    }

    private SafeTensors openInput() throws IOException {
        if (StandardInput.isNamedBy(input)) {
            return StandardInput.tensors();
        }
        try {
            return SafeTensors.open(input);
        } catch (java.nio.file.NoSuchFileException e) {
            throw ModelFileException.of(input, "no such file");
        }
    }

    private Shape inputShape(SafeTensors in, int channels) {
        if (!in.contains("input")) {
            throw ModelFileException.of(in.file(), "has no tensor 'input' (found " + in.names() + ")");
        }
        SafeTensors.TensorInfo info = in.info("input");
        int[] dims = info.shape();
        if (info.dtype() != SafeTensors.DType.F32) {
            throw ModelFileException.of(in.file(), "input", "must be F32, got " + info.dtype());
        }
        if (dims.length != 4 || dims[1] != channels || Arrays.stream(dims).anyMatch(d -> d < 1)) {
            throw ModelFileException.of(in.file(), "input", "must be [N, " + channels + ", H, W] with every "
                    + "dimension >= 1, got " + Arrays.toString(dims));
        }
        // A NaN or an infinity reaches the routers as means that keep no edge: the instance would get a cut-off
        // path's constant answer, not NaN logits, and the output would not show that anything was wrong.
        long bad = in.indexOf("input", v -> !Double.isFinite(v));
        if (bad >= 0) {
            throw ModelFileException.of(in.file(), "input", "value " + in.value("input", bad) + " at index " + bad
                    + " is not a finite number");
        }
        return Shape.of(dims);
    }

    private void write(Result result) throws IOException {
        int batch = result.batch();
        SafeTensorsWriter writer = new SafeTensorsWriter()
                .add("logits", new int[] {batch, result.logits()[0].length}, result.logitsRowMajor());
        for (int s = 0; s < result.stages(); s++) {
            StageTrace trace = result.trace(s);
            if (trace.nodes() < 2) {
                continue;
            }
            int size = trace.size();
            int[] shape = {batch, size, size};
            writer.add("adjacency." + s, shape, trace.adjacencyRowMajor());
            writer.add("router." + s, shape, trace.routerRowMajor());
        }
        if (StandardOutput.isNamedBy(output)) {
            StandardOutput.write(writer::writeTo);
        } else {
            writer.write(output);
        }
    }
}
