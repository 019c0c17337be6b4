package ai.dgnet.server;

import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Prediction;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.dg.StageTrace;
import ai.dgnet.viz.ConnectivityPicture;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON of the Open Inference Protocol (KServe v2) REST API for DG-Net models: one input {@code input}, FP32
 * {@code [N, C, H, W]}, given flat or nested in row-major order; the outputs of {@link OutputTensor}. A request is
 * read as a stream, so that a large tensor never exists as a tree of JSON nodes.
 */
final class V2Json {
    /**
     * Jackson's fast number parser: an image is hundreds of thousands of numbers, and the JDK's parser made reading
     * them a large share of a request's time.
     */
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
    static final String INPUT = "input";
    static final String FP32 = "FP32";
    /** Models have one version; the protocol's versioned paths accept it. */
    static final String VERSION = "1";

    /**
     * A checked inference request.
     *
     * @param id      the client's id, echoed in the response; null when it gave none
     * @param outputs the outputs asked for, in the order asked; {@code logits} alone when it asked for none
     */
    record InferRequest(String id, Shape shape, float[] values, List<OutputTensor> outputs) {
    }

    private V2Json() {
    }

    /** Reads an inference request for a model of {@code config}; a 400 names what is wrong with it. */
    static InferRequest readInfer(InputStream body, ModelConfig config, List<OutputTensor> available)
            throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("the request body must be a JSON object");
            }
            String id = null;
            List<OutputTensor> outputs = List.of(available.getFirst());
            Input input = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = string(p, value, "'id'");
                    case "parameters" -> parameters(p, "'parameters'");
                    case "inputs" -> input = inputs(p, value);
                    case "outputs" -> outputs = outputs(p, value, available);
                    default -> throw bad("unknown field '" + field
                            + "': an inference request has 'id', 'parameters', 'inputs' and 'outputs'");
                }
            }
            if (p.nextToken() != null) {
                throw bad("unexpected content after the request's JSON object");
            }
            if (input == null) {
                throw bad("the request has no 'inputs'");
            }
            return new InferRequest(id, input.check(config), input.data.toArray(), outputs);
        } catch (JacksonException e) {
            // Jackson's message may end in where a bracket opened, as "(start marker at [Source: ...])".
            String message = e.getOriginalMessage().lines().findFirst().orElse("").split(" \\(start marker at ", 2)[0];
            throw bad("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + message);
        }
    }

    /** An input as given, checked once it is all read (its fields may come in any order). */
    private static final class Input {
        String name;
        String datatype;
        long[] shape;
        Floats data;

        Shape check(ModelConfig config) {
            if (name == null) {
                throw bad("the input has no 'name': the model takes one input, '" + INPUT + "'");
            }
            if (!INPUT.equals(name)) {
                throw bad("unknown input '" + name + "': the model takes one input, '" + INPUT + "'");
            }
            if (datatype == null || shape == null || data == null) {
                throw bad("input '" + INPUT + "' needs 'datatype', 'shape' and 'data'");
            }
            if (!FP32.equals(datatype)) {
                throw bad("input '" + INPUT + "' has datatype '" + datatype + "': the model takes " + FP32);
            }
            int channels = config.inChannels();
            if (shape.length != 4 || shape[1] != channels
                    || Arrays.stream(shape).anyMatch(d -> d < 1 || d > Integer.MAX_VALUE)) {
                throw bad("input '" + INPUT + "' must have shape [N, " + channels + ", H, W] with every dimension "
                        + ">= 1, got " + Arrays.toString(shape));
            }
            String holds;
            try {
                holds = Long.toString(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            } catch (ArithmeticException e) {
                holds = "more than " + Long.MAX_VALUE;
            }
            if (!holds.equals(Integer.toString(data.size))) {
                throw bad("input '" + INPUT + "' has " + data.size + " values, but its shape "
                        + Arrays.toString(shape) + " holds " + holds);
            }
            return Shape.of(Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
        }
    }

    private static Input inputs(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("'inputs' must be an array of input tensors");
        }
        List<Input> inputs = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            inputs.add(input(p));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad("'inputs' must be an array of input tensors, found " + describe(p, p.currentToken()));
        }
        if (inputs.size() != 1) {
            throw bad("the model takes one input, '" + INPUT + "'; the request has " + inputs.size()
                    + (inputs.isEmpty() ? "" : ": " + inputs.stream().map(i -> "'" + i.name + "'")
                    .collect(Collectors.joining(", "))));
        }
        return inputs.getFirst();
    }

    private static Input input(JsonParser p) throws IOException {
        Input input = new Input();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> input.name = string(p, value, "an input's 'name'");
                case "datatype" -> input.datatype = string(p, value, "an input's 'datatype'");
                case "shape" -> input.shape = shape(p, value);
                case "data" -> input.data = data(p, value);
                case "parameters" -> {
                    if (parameters(p, "an input's 'parameters'").has("binary_data_size")) {
                        throw bad("binary tensor data is not supported: send 'data' as JSON numbers");
                    }
                }
                default -> throw bad("unknown field '" + field
                        + "' in an input: an input has 'name', 'shape', 'datatype', 'parameters' and 'data'");
            }
        }
        return input;
    }

    private static long[] shape(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("an input's 'shape' must be an array of integers");
        }
        List<Long> dims = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
            dims.add(p.getLongValue());
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad("an input's 'shape' must be an array of integers, found " + describe(p, p.currentToken()));
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Tensor data, flat or nested, as floats. JSON has no NaN or infinity, and a number too large for FP32 is
     * refused rather than turned into one: an infinite input would only make every output NaN.
     */
    private static Floats data(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("an input's 'data' must be an array of numbers");
        }
        Floats data = new Floats();
        int depth = 1;
        while (depth > 0) {
            JsonToken token = p.nextToken();
            switch (token) {
                case START_ARRAY -> depth++;
                case END_ARRAY -> depth--;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    float v = p.getFloatValue();
                    if (!Float.isFinite(v)) {
                        throw bad("input data value " + p.getText() + " (index " + data.size
                                + ") is out of the FP32 range");
                    }
                    data.add(v);
                }
                case null -> throw bad("the request body ends inside 'data'");
                default -> throw bad("an input's 'data' must hold numbers, found " + describe(p, token)
                        + " at index " + data.size);
            }
        }
        return data;
    }

    private static List<OutputTensor> outputs(JsonParser p, JsonToken value, List<OutputTensor> available)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("'outputs' must be an array of {\"name\": ...} objects");
        }
        Set<OutputTensor> asked = new LinkedHashSet<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fieldValue = p.nextToken();
                switch (field) {
                    case "name" -> name = string(p, fieldValue, "an output's 'name'");
                    case "parameters" -> parameters(p, "an output's 'parameters'");
                    default -> throw bad("unknown field '" + field + "' in an output: an output has 'name' and "
                            + "'parameters'");
                }
            }
            String wanted = name;
            asked.add(available.stream().filter(o -> o.name().equals(wanted)).findFirst().orElseThrow(() -> bad(
                    (wanted == null ? "an output has no 'name'" : "unknown output '" + wanted + "'")
                            + ": the model has " + available.stream().map(OutputTensor::name)
                            .collect(Collectors.joining(", ")))));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad("'outputs' must be an array of {\"name\": ...} objects");
        }
        return asked.isEmpty() ? List.of(available.getFirst()) : List.copyOf(asked);
    }

    /** Parameters are accepted and, but for the binary data extension's, ignored: none is defined yet. */
    private static JsonNode parameters(JsonParser p, String what) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(what + " must be a JSON object");
        }
        return p.readValueAsTree();
    }

    private static String string(JsonParser p, JsonToken value, String what) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw bad(what + " must be a string, found " + describe(p, value));
        }
        return p.getText();
    }

    private static String describe(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + p.getText() + "\"";
            default -> p.getText();
        };
    }

    private static RequestException bad(String message) {
        return RequestException.badRequest(message);
    }

    /** Writes the response to {@code request}: each output asked for, for the request's instances only. */
    static byte[] inferResponse(String model, InferRequest request, ModelWorker.Slice slice) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", VERSION);
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            for (OutputTensor output : request.outputs()) {
                g.writeStartObject();
                g.writeStringField("name", output.name());
                g.writeStringField("datatype", FP32);
                g.writeArrayFieldStart("shape");
                g.writeNumber(slice.count());
                for (int d : output.instanceDims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data");
                for (int n = slice.first(); n < slice.first() + slice.count(); n++) {
                    for (float v : output.instance(slice.result(), n)) {
                        g.writeNumber(v);
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * The answer of {@code classify}: the top {@code k} classes of the request's one instance and, with
     * {@code graph}, the SVG of the connectivity it took (as instance 0 of its own, whatever batch it ran in).
     */
    static byte[] classifyResponse(String model, List<String> labels, int k, boolean graph, ModelWorker.Slice slice) {
        int n = slice.first();
        List<Prediction> top = Prediction.top(slice.result().logits()[n], k, labels);
        ObjectNode root = JSON.createObjectNode();
        root.put("model_name", model);
        ArrayNode predictions = root.putArray("predictions");
        for (Prediction p : top) {
            predictions.addObject().put("class", p.classIndex()).put("label", p.label())
                    .put("probability", p.probability());
        }
        if (graph) {
            List<StageTrace> own = slice.result().traces().stream().map(t -> new StageTrace(t.nodes(),
                    new float[][] {t.adjacency()[n]}, new float[][] {t.router()[n]})).toList();
            root.put("graph_svg", ConnectivityPicture.ofInstance(own, 0, model + ": " + top.getFirst().label())
                    .toSvg());
        }
        return bytes(root);
    }

    static byte[] modelMetadata(String name, ModelConfig config, float threshold, List<OutputTensor> outputs) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.putArray("versions").add(VERSION);
        root.put("platform", "dgnet");
        tensor(root.putArray("inputs"), INPUT, new int[] {-1, config.inChannels(), -1, -1});
        ArrayNode outs = root.putArray("outputs");
        for (OutputTensor output : outputs) {
            int[] dims = new int[output.instanceDims().length + 1];
            dims[0] = -1;
            System.arraycopy(output.instanceDims(), 0, dims, 1, output.instanceDims().length);
            tensor(outs, output.name(), dims);
        }
        ObjectNode parameters = root.putObject("parameters");
        parameters.put("arch", config.arch().id());
        parameters.put("mode", config.mode().label());
        parameters.put("threshold", threshold);
        parameters.put("num_classes", config.numClasses());
        return bytes(root);
    }

    private static void tensor(ArrayNode array, String name, int[] dims) {
        ObjectNode tensor = array.addObject();
        tensor.put("name", name);
        tensor.put("datatype", FP32);
        ArrayNode shape = tensor.putArray("shape");
        Arrays.stream(dims).forEach(shape::add);
    }

    static byte[] serverMetadata(String version, List<String> extensions) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", "dgnet");
        root.put("version", version);
        extensions.forEach(root.putArray("extensions")::add);
        return bytes(root);
    }

    /**
     * The model repository extension's index: every model with its version and state ({@code READY}, or
     * {@code UNAVAILABLE} while the server shuts down), sorted by name.
     */
    static byte[] repositoryIndex(List<String> names, boolean ready) {
        ArrayNode index = JSON.createArrayNode();
        names.stream().sorted().forEach(name -> index.addObject().put("name", name).put("version", VERSION)
                .put("state", ready ? "READY" : "UNAVAILABLE"));
        return bytes(index);
    }

    static byte[] error(String message) {
        return bytes(JSON.createObjectNode().put("error", message));
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a JSON tree: " + e.getMessage(), e);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    /** A growing float array: the tensor's length is known only once its data is read. */
    private static final class Floats {
        float[] values = new float[1024];
        int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return values.length == size ? values : Arrays.copyOf(values, size);
        }
    }
}
