package ai.dgnet.server;

import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Prediction;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.dg.StageTrace;
import ai.dgnet.viz.ConnectivityPicture;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static ai.dgnet.server.RequestException.shown;

/**
 * The JSON of the Open Inference Protocol (KServe v2) REST API for DG-Net models: one input {@code input}, FP32
 * {@code [N, C, H, W]}, given flat or nested in row-major order; the outputs of {@link OutputTensor}. A request is
 * read as a stream, so that a large tensor never exists as a tree of JSON nodes. With the binary tensor data
 * extension the input's values, and any output's, travel after the JSON as little-endian FP32 instead.
 */
final class V2Json {
    /**
     * The longest string or field name a request's JSON may hold. A request's strings (names, datatypes, its id) are
     * short and its values numbers; Jackson's own limit, 20 M characters, would let each queued request hold tens of
     * megabytes that the heap budget does not see.
     */
    private static final int MAX_STRING = 64 * 1024;
    /** The most characters of a number: Jackson's own limit, far past the 50 or so that any FP32 value needs. */
    private static final int MAX_NUMBER = 1000;
    /** Binary tensor data is read through a buffer of this many bytes, a whole number of FP32 values. */
    private static final int BINARY_CHUNK_BYTES = 64 * 1024;
    /**
     * Jackson's fast number parser: an image is hundreds of thousands of numbers, and the JDK's parser made reading
     * them a large share of a request's time.
     */
    static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(MAX_STRING)
                            .maxNameLength(MAX_STRING)
                            .maxNumberLength(MAX_NUMBER)
                            .build())
                    .build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            // A field given twice would otherwise count as its last value, silently: an input named twice, a second
            // 'inputs' that empties the first.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final String INPUT = "input";
    static final String FP32 = "FP32";
    /** Models have one version; the protocol's versioned paths accept it. */
    static final String VERSION = "1";

    /** The most bytes an FP32 value takes in JSON: the longest Float.toString ("-1.17549435E-38") and a comma. */
    private static final int JSON_VALUE_BYTES = 16;
    /** The most bytes of an answer's JSON outside its outputs, less the model's name and the request's id. */
    private static final int ANSWER_OVERHEAD = 64;
    /** The most bytes of an output's JSON but for its values: name, datatype, shape, binary data size. */
    private static final int OUTPUT_OVERHEAD = 192;
    /** The heap a result's row (one instance of one output) takes beyond its values: a reference and array header. */
    private static final int ROW_OVERHEAD = 24;

    /** The binary tensor data extension's parameter giving a tensor's size in bytes after the JSON. */
    static final String BINARY_DATA_SIZE = "binary_data_size";

    /**
     * A checked inference request.
     *
     * @param id      the client's id, echoed in the response; null when it gave none
     * @param outputs the outputs asked for, in the order asked; every output, {@code logits} first, when it asked
     *                for none
     */
    record InferRequest(String id, Shape shape, float[] values, List<RequestedOutput> outputs) {
    }

    /** An output asked for, and whether it goes back as binary data after the JSON rather than in it. */
    record RequestedOutput(OutputTensor tensor, boolean binary) {
    }

    /**
     * A response body: the JSON, then the binary outputs' data when there are any.
     *
     * @param jsonBytes the JSON's length: the {@code Inference-Header-Content-Length} of a body with binary data
     */
    record Response(byte[] bytes, int jsonBytes) {
        boolean binary() {
            return jsonBytes < bytes.length;
        }
    }

    private V2Json() {
    }

    /**
     * Reads an inference request for a model of {@code config}; a 400 names what is wrong with it. With
     * {@code jsonBytes} of 0 or more (the request's {@code Inference-Header-Content-Length}) the JSON is that many
     * bytes of the body and binary tensor data follows it; -1 means the body is JSON alone. What the request holds on
     * the heap is taken from {@code heap} before it is allocated.
     */
    static InferRequest readInfer(CappedInputStream body, long jsonBytes, ModelConfig config,
                                  List<OutputTensor> available, HeapBudget.Claim heap) throws IOException {
        String declared = "the JSON that Inference-Header-Content-Length declares";
        Request request = jsonBytes < 0 ? parse(body, "", available, heap)
                : parse(new ByteArrayInputStream(exactly(body, jsonBytes, declared, heap)),
                        ", within the " + jsonBytes + " bytes of " + declared, available, heap);
        Shape shape = request.input.check(config, jsonBytes >= 0);
        float[] values = request.input.binarySize >= 0 ? binary(body, request.input.binarySize, heap)
                : request.input.data.toArray();
        if (jsonBytes >= 0 && body.read() != -1) {
            throw bad("the body has more bytes after the JSON than the binary data its inputs declare");
        }
        List<RequestedOutput> outputs = request.outputs.stream().map(o -> new RequestedOutput(o.tensor,
                o.binary != null ? o.binary : request.binaryOutputs)).toList();
        return new InferRequest(request.id, shape, values, outputs);
    }

    /**
     * The next {@code size} bytes of {@code body}, which holds them as {@code what}; a 400 where it ends first, told
     * by its declared length before any heap is taken for bytes that cannot come. Reading them takes twice their size
     * from {@code heap} (the stream's chunks, then the array they are copied into), and the array keeps it once.
     */
    private static byte[] exactly(CappedInputStream body, long size, String what, HeapBudget.Claim heap)
            throws IOException {
        if (size > body.remaining()) {
            throw bad(what + " has " + size + " bytes, more than the " + body.remaining() + " left in the body");
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw bad(what + " has " + size + " bytes, more than a request may have");
        }
        heap.take(2 * size, what);
        byte[] bytes = body.readNBytes((int) size);
        if (bytes.length < size) {
            throw bad("the body ends " + bytes.length + " bytes into " + what + ", of " + size + " bytes");
        }
        heap.give(size);
        return bytes;
    }

    /**
     * {@code size} bytes of little-endian FP32 from {@code body}; finite values only, as in JSON. Read straight into
     * the values, a chunk at a time, once the body is known to hold that many bytes: the heap holds them once.
     */
    private static float[] binary(CappedInputStream body, long size, HeapBudget.Claim heap) throws IOException {
        String what = "input '" + INPUT + "''s binary data";
        if (size > body.remaining()) {
            throw bad(what + " has " + size + " bytes, more than the " + body.remaining() + " left in the body");
        }
        if (size / Float.BYTES > Integer.MAX_VALUE - 8) {
            throw bad(what + " has " + size + " bytes, more than a request may have");
        }
        heap.take(size, what);
        float[] values = new float[(int) (size / Float.BYTES)];
        byte[] chunk = new byte[BINARY_CHUNK_BYTES];
        FloatBuffer chunkValues = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int at = 0; at < values.length; ) {
            int count = Math.min(chunkValues.capacity(), values.length - at);
            int read = body.readNBytes(chunk, 0, count * Float.BYTES);
            if (read < count * Float.BYTES) {
                throw bad("the body ends " + ((long) at * Float.BYTES + read) + " bytes into " + what + ", of "
                        + size + " bytes");
            }
            chunkValues.get(0, values, at, count);
            at += count;
        }
        // Refused here, as a NaN in JSON data is (see data()), so that it fails this request alone.
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw bad("input '" + INPUT + "' value " + values[i] + " (index " + i + ") is not a finite FP32 "
                        + "number");
            }
        }
        return values;
    }

    /** A request's JSON as given, its input not yet checked against the model. */
    private static final class Request {
        String id;
        boolean binaryOutputs;
        Input input;
        List<Output> outputs;
    }

    /** An output as asked for; {@code binary} is null where its parameters do not say. */
    private record Output(OutputTensor tensor, Boolean binary) {
    }

    /** Parses the request's JSON: {@code json}'s bytes, which {@code extent} says where they end for a message. */
    private static Request parse(InputStream json, String extent, List<OutputTensor> available,
                                 HeapBudget.Claim heap) throws IOException {
        JsonParser p = JSON.createParser(json);
        try {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("the request body must be a JSON object");
            }
            Request request = new Request();
            // The protocol's default: a request that names no outputs (no 'outputs', or an empty one) gets every
            // output the model has.
            request.outputs = available.stream().map(tensor -> new Output(tensor, null)).toList();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> request.id = string(p, value, "'id'");
                    case "parameters" -> request.binaryOutputs = Boolean.TRUE.equals(flag(
                            parameters(p, "'parameters'"), "binary_data_output", "the request's"));
                    case "inputs" -> request.input = inputs(p, value, heap);
                    case "outputs" -> {
                        List<Output> named = outputs(p, value, available);
                        if (!named.isEmpty()) {
                            request.outputs = named;
                        }
                    }
                    default -> throw bad("unknown field '" + shown(field)
                            + "': an inference request has 'id', 'parameters', 'inputs' and 'outputs'");
                }
            }
            if (hasMore(p)) {
                throw bad("unexpected content after the request's JSON object" + extent);
            }
            if (request.input == null) {
                throw bad("the request has no 'inputs'");
            }
            return request;
        } catch (JacksonException e) {
            throw unreadable(e, p);
        } finally {
            // After the catch, where unreadable() reads the token that closing forgets.
            p.close();
        }
    }

    /**
     * Whether anything but white space follows the JSON value {@code p} has read: a token, or bytes that start none
     * (binary data, where Inference-Header-Content-Length counts some of it as JSON).
     */
    private static boolean hasMore(JsonParser p) throws IOException {
        try {
            return p.nextToken() != null;
        } catch (JacksonException e) {
            return true;
        }
    }

    /** The 400 for JSON that {@code p} could not read: past one of its limits, or malformed. */
    private static RequestException unreadable(JacksonException e, JsonParser p) {
        String first = e.getOriginalMessage().lines().findFirst().orElse("");
        if (e instanceof StreamConstraintsException) {
            // A number's characters count against the limit on strings as it is read, so that one long enough is
            // refused as a long string. Jackson reads a number as its token is asked for, the token before it still
            // current, and a string's text after, its token current (a number just after a string in an array is
            // taken for that string).
            if (first.startsWith("Number value length") || first.startsWith("String value length")
                    && p.currentToken() != JsonToken.VALUE_STRING) {
                return bad("a number in the request is too long: a number may have at most " + MAX_NUMBER
                        + " characters");
            }
            // As "String value length (65537) exceeds the maximum allowed (65536, from `StreamReadConstraints...`)".
            return bad("the request's JSON is past a limit: " + first.replaceAll(", from `[^`]*`", ""));
        }
        // Jackson's message may end in where a bracket opened, as "(start marker at [Source: ...])", or in advice to
        // the server's author, as ": enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow" after a NaN, which
        // its client cannot take; it quotes an unrecognized token as sent, control characters and all.
        String message = ModelFileException.printable(first.split(" \\(start marker at ", 2)[0]
                .replaceAll(": enable `[^`]*` to allow| \\(not recognized as one since Feature '[^']*' not enabled "
                        + "for parser\\)", ""));
        JsonLocation at = e.getLocation();
        return bad("malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                + at.getColumnNr()) + ": " + message);
    }

    /**
     * Checks a model repository load or unload request: an empty body or a JSON object. Its parameters may name no
     * model configuration ({@code config}) nor files ({@code file:PATH}), which Triton's load takes: this server loads
     * only the models it was started with and its model repository's files. Other parameters (unload's
     * {@code unload_dependents}) change nothing here.
     */
    static void readRepositoryRequest(InputStream body) throws IOException {
        JsonParser p = JSON.createParser(body);
        try {
            JsonToken first = p.nextToken();
            if (first == null) {
                return;
            }
            if (first != JsonToken.START_OBJECT) {
                throw bad("a load or unload request must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("parameters")) {
                    if (value != JsonToken.START_OBJECT) {
                        throw bad("a load or unload request's 'parameters' must be a JSON object, found "
                                + describe(p, value));
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String parameter = p.currentName();
                        if (parameter.equals("config") || parameter.startsWith("file:")) {
                            throw bad("the load parameter '" + RequestException.shown(parameter) + "' is not taken: "
                                    + "this server loads models from their own files alone (those it was started "
                                    + "with, and its model repository's)");
                        }
                        p.nextToken();
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (hasMore(p)) {
                throw bad("unexpected content after the request's JSON object");
            }
        } catch (JacksonException e) {
            throw unreadable(e, p);
        } finally {
            p.close();
        }
    }

    /**
     * Whether a model repository index request asks for the models ready for inferencing alone,
     * {@code {"ready": true}}; an empty body asks for every model, as {@code {}} does.
     */
    static boolean readIndexRequest(InputStream body) throws IOException {
        JsonParser p = JSON.createParser(body);
        try {
            JsonToken first = p.nextToken();
            if (first == null) {
                return false;
            }
            if (first != JsonToken.START_OBJECT) {
                throw bad("an index request must be a JSON object");
            }
            boolean ready = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("ready")) {
                    if (!value.isBoolean()) {
                        throw bad("the index request's 'ready' must be true or false, got " + describe(p, value));
                    }
                    ready = value == JsonToken.VALUE_TRUE;
                } else {
                    // Other clients' fields (the gRPC request's 'repository_name') choose nothing here.
                    p.skipChildren();
                }
            }
            if (hasMore(p)) {
                throw bad("unexpected content after the index request's JSON object");
            }
            return ready;
        } catch (JacksonException e) {
            throw unreadable(e, p);
        } finally {
            p.close();
        }
    }

    /** An input as given, checked once it is all read (its fields may come in any order). */
    private static final class Input {
        String name;
        String datatype;
        long[] shape;
        Floats data;
        Nesting nesting;
        /** The bytes of its binary data after the JSON; -1 when it has none. */
        long binarySize = -1;

        /** Checks the input against the model; {@code binaryBody}: the body has binary data after its JSON. */
        Shape check(ModelConfig config, boolean binaryBody) {
            if (name == null) {
                throw bad("the input has no 'name': the model takes one input, '" + INPUT + "'");
            }
            if (!INPUT.equals(name)) {
                throw bad("unknown input '" + shown(name) + "': the model takes one input, '" + INPUT + "'");
            }
            if (data != null && binarySize >= 0) {
                throw bad("input '" + INPUT + "' has both 'data' and a '" + BINARY_DATA_SIZE + "' parameter: give "
                        + "its values one way");
            }
            if (binarySize >= 0 && !binaryBody) {
                throw bad("input '" + INPUT + "' has binary data ('" + BINARY_DATA_SIZE + "'), but the request has "
                        + "no Inference-Header-Content-Length header saying where its JSON ends");
            }
            if (datatype == null || shape == null || (data == null && binarySize < 0)) {
                throw bad("input '" + INPUT + "' needs 'datatype', 'shape' and 'data' (or the '" + BINARY_DATA_SIZE
                        + "' parameter)");
            }
            if (!FP32.equals(datatype)) {
                throw bad("input '" + INPUT + "' has datatype '" + shown(datatype) + "': the model takes " + FP32);
            }
            int channels = config.inChannels();
            if (shape.length != 4 || shape[1] != channels
                    || Arrays.stream(shape).anyMatch(d -> d < 1 || d > Integer.MAX_VALUE)) {
                throw bad("input '" + INPUT + "' must have shape [N, " + channels + ", H, W] with every dimension "
                        + ">= 1, got " + Arrays.toString(shape));
            }
            if (data != null) {
                nesting.check(shape);
            }
            String holds;
            try {
                holds = Long.toString(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            } catch (ArithmeticException e) {
                holds = "more than " + Long.MAX_VALUE;
            }
            long given = binarySize >= 0 ? binarySize / Float.BYTES : data.size;
            if ((binarySize >= 0 && binarySize % Float.BYTES != 0) || !holds.equals(Long.toString(given))) {
                throw bad("input '" + INPUT + "' has " + (binarySize >= 0 ? binarySize + " bytes of binary data"
                        : data.size + " values") + ", but its shape " + Arrays.toString(shape) + " holds " + holds
                        + (binarySize >= 0 ? " FP32 values of 4 bytes" : ""));
            }
            return Shape.of(Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
        }
    }

    private static Input inputs(JsonParser p, JsonToken value, HeapBudget.Claim heap) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("'inputs' must be an array of input tensors");
        }
        List<Input> inputs = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            inputs.add(input(p, heap));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad("'inputs' must be an array of input tensors, found " + describe(p, p.currentToken()));
        }
        if (inputs.size() != 1) {
            throw bad("the model takes one input, '" + INPUT + "'; the request has " + inputs.size()
                    + (inputs.isEmpty() ? "" : ": " + inputs.stream().map(i -> "'" + shown(i.name) + "'")
                    .collect(Collectors.joining(", "))));
        }
        return inputs.getFirst();
    }

    private static Input input(JsonParser p, HeapBudget.Claim heap) throws IOException {
        Input input = new Input();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> input.name = string(p, value, "an input's 'name'");
                case "datatype" -> input.datatype = string(p, value, "an input's 'datatype'");
                case "shape" -> input.shape = shape(p, value);
                case "data" -> {
                    input.nesting = new Nesting(input.shape);
                    input.data = data(p, value, input.nesting, heap);
                }
                case "parameters" -> input.binarySize = binarySize(parameters(p, "an input's 'parameters'"));
                default -> throw bad("unknown field '" + shown(field)
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
     * refused rather than turned into one: an infinite input makes the routers' means infinite or NaN, which keep no
     * edge, so its instance would get a cut-off path's constant answer without a word. A session refuses such input
     * too, but here it fails its own request alone, not every request of the batch it would have joined.
     */
    private static Floats data(JsonParser p, JsonToken value, Nesting nesting, HeapBudget.Claim heap)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("an input's 'data' must be an array of numbers");
        }
        Floats data = new Floats(heap);
        while (nesting.open()) {
            JsonToken token = p.nextToken();
            switch (token) {
                case START_ARRAY -> nesting.item(true);
                case END_ARRAY -> nesting.endArray();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    nesting.item(false);
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

    /**
     * Checks, as the data streams by, that its arrays nest as the protocol has nested data nest, as its shape: the
     * arrays of each level have one length and its numbers are all at one level. Those lengths and that level are the
     * shape's where the input gave its shape before its data; else those of its first arrays ({@code data[0]},
     * {@code data[0][0]}, ...), which each later array must match and which are checked against the shape once it is
     * read. Flat data is data whose numbers are at level 1. Only the index path being read is kept, not the data's
     * structure.
     */
    private static final class Nesting {
        /** The shape the data is checked against as it is read; null where it is checked against its first arrays. */
        private long[] shape;
        private boolean nested;
        /** The length of each level's arrays, -1 until its first array ends (where they are the first arrays'). */
        private long[] lengths = {-1};
        /** How many items each open array has had so far, outermost first. */
        private long[] counts = {0};
        private int open = 1;
        /** How many levels have had an array: the levels of {@link #lengths} that are known or being learned. */
        private int levels = 1;
        /** The level of the numbers (the length of their index paths), -1 until the first number. */
        private int numbers = -1;

        Nesting(long[] shape) {
            this.shape = shape;
        }

        boolean open() {
            return open > 0;
        }

        /** An array (or a number) starts as the next item of the innermost open array. */
        void item(boolean array) {
            int level = open;
            if (level == 1 && counts[0] == 0) {
                nested = array;
                if (nested && shape != null) {
                    lengths = shape.clone();
                    numbers = shape.length;
                } else {
                    shape = null;
                }
            }
            if (array && numbers >= 0 && level >= numbers) {
                throw uneven(itemPath() + " is an array" + (shape != null ? ", not a number"
                        : " where " + firstPath(numbers) + " is a number"));
            }
            if (!array && (numbers >= 0 ? level != numbers : level < levels)) {
                throw uneven(itemPath() + " is a number" + (shape != null ? ", not an array of " + lengths[level]
                        : " where " + firstPath(level) + " is an array"));
            }
            if (!array && numbers < 0) {
                numbers = level;
            }
            long length = lengths[level - 1];
            if (length >= 0 && counts[level - 1] == length) {
                throw uneven(arrayPath(level - 1) + " has more than " + (shape != null ? items(length)
                        : "the " + items(length) + " of " + firstPath(level - 1)));
            }
            counts[level - 1]++;
            if (array) {
                if (open == counts.length) {
                    counts = Arrays.copyOf(counts, 2 * open);
                }
                if (open == lengths.length) {
                    lengths = Arrays.copyOf(lengths, 2 * open);
                    Arrays.fill(lengths, open, lengths.length, -1);
                }
                counts[open++] = 0;
                levels = Math.max(levels, open);
            }
        }

        void endArray() {
            int level = open - 1;
            long count = counts[level];
            if (lengths[level] < 0) {
                lengths[level] = count;
            } else if (count != lengths[level]) {
                throw uneven(arrayPath(level) + " has " + items(count) + ", not " + (shape != null
                        ? lengths[level] : "the " + lengths[level] + " of " + firstPath(level)));
            }
            open--;
        }

        /** Checks nested data, read before its shape, against it; {@code shape} is an input's, all of it >= 1. */
        void check(long[] shape) {
            if (!nested || this.shape != null) {
                return;
            }
            this.shape = shape;
            for (int level = 0; level != numbers || level != shape.length; level++) {
                if (level == numbers) {
                    throw uneven(firstPath(level) + " is a number, not an array of " + shape[level]);
                }
                if (level == shape.length) {
                    throw uneven(firstPath(level) + " is an array, not a number");
                }
                if (lengths[level] != shape[level]) {
                    throw uneven(firstPath(level) + " has " + items(lengths[level]) + ", not " + shape[level]);
                }
            }
        }

        private RequestException uneven(String where) {
            return bad("input '" + INPUT + "''s 'data' is " + (shape != null ? "not nested as its shape "
                    + Arrays.toString(shape) : "nested unevenly") + ": " + where + " (give it flat, or nested as "
                    + "the shape)");
        }

        /** The index path of the item starting. */
        private String itemPath() {
            return arrayPath(open - 1) + "[" + counts[open - 1] + "]";
        }

        /** The index path of the open array at {@code level}. */
        private String arrayPath(int level) {
            StringBuilder path = new StringBuilder("data");
            for (int i = 0; i < level; i++) {
                path.append('[').append(counts[i] - 1).append(']');
            }
            return path.toString();
        }

        /** The index path of the first item at {@code level}, whose kind and length its level's others share. */
        private static String firstPath(int level) {
            return "data" + "[0]".repeat(level);
        }

        private static String items(long count) {
            return count + (count == 1 ? " item" : " items");
        }
    }

    /** The outputs {@code outputs} names, each once, in the order named; empty where it names none. */
    private static List<Output> outputs(JsonParser p, JsonToken value, List<OutputTensor> available)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw bad("'outputs' must be an array of {\"name\": ...} objects");
        }
        Map<OutputTensor, Output> asked = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            Boolean binary = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fieldValue = p.nextToken();
                switch (field) {
                    case "name" -> name = string(p, fieldValue, "an output's 'name'");
                    case "parameters" -> binary = flag(parameters(p, "an output's 'parameters'"), "binary_data",
                            "an output's");
                    default -> throw bad("unknown field '" + shown(field) + "' in an output: an output has 'name' and "
                            + "'parameters'");
                }
            }
            String wanted = name;
            OutputTensor tensor = available.stream().filter(o -> o.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> bad((wanted == null ? "an output has no 'name'"
                            : "unknown output '" + shown(wanted) + "'") + ": the model has "
                            + available.stream().map(OutputTensor::name).collect(Collectors.joining(", "))));
            // Which of two asks the client meant is a guess where they differ (one binary, one not), and a slip where
            // they do not.
            if (asked.putIfAbsent(tensor, new Output(tensor, binary)) != null) {
                throw bad("'outputs' names output '" + tensor.name() + "' twice: name each output once");
            }
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad("'outputs' must be an array of {\"name\": ...} objects");
        }
        return List.copyOf(asked.values());
    }

    /** An input's {@code binary_data_size}, -1 when its parameters have none. */
    private static long binarySize(JsonNode parameters) {
        JsonNode size = parameters.get(BINARY_DATA_SIZE);
        if (size == null) {
            return -1;
        }
        if (!size.canConvertToExactIntegral() || !size.canConvertToLong() || size.asLong() < 0) {
            throw bad("an input's '" + BINARY_DATA_SIZE + "' must be a byte count >= 0, got " + shown(size));
        }
        return size.asLong();
    }

    /** The boolean parameter {@code name} of {@code whose} parameters; null when they do not have it. */
    private static Boolean flag(JsonNode parameters, String name, String whose) {
        JsonNode flag = parameters.get(name);
        if (flag == null) {
            return null;
        }
        if (!flag.isBoolean()) {
            throw bad(whose + " '" + name + "' must be true or false, got " + shown(flag));
        }
        return flag.asBoolean();
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
            case VALUE_STRING -> "the string \"" + shown(p.getText()) + "\"";
            default -> shown(p.getText());
        };
    }

    private static RequestException bad(String message) {
        return RequestException.badRequest(message);
    }

    /** A request for the one input, {@code values} of {@code shape} as JSON data, as a client without options sends. */
    static byte[] inferRequest(Shape shape, float[] values) {
        return inferRequestJson(shape, values, false);
    }

    /**
     * A request for the one input with {@code values} of {@code shape} as binary tensor data after the JSON, and
     * the length of that JSON, for {@code Inference-Header-Content-Length}.
     */
    static BinaryRequest binaryInferRequest(Shape shape, float[] values) {
        byte[] json = inferRequestJson(shape, values, true);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(json);
        writeLittleEndian(body, values);
        return new BinaryRequest(body.toByteArray(), json.length);
    }

    /** A request's body, its first {@code jsonBytes} bytes JSON and the rest binary tensor data. */
    record BinaryRequest(byte[] body, int jsonBytes) {
    }

    private static byte[] inferRequestJson(Shape shape, float[] values, boolean binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(out, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("inputs");
            g.writeStartObject();
            g.writeStringField("name", INPUT);
            g.writeArrayFieldStart("shape");
            for (int d : shape.dims()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeStringField("datatype", FP32);
            if (binary) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField(BINARY_DATA_SIZE, (long) values.length * Float.BYTES);
                g.writeEndObject();
            } else {
                g.writeArrayFieldStart("data");
                for (float v : values) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        });
        return out.toByteArray();
    }

    /**
     * The most Java heap the answer to {@code request} takes while it is made: its instances' rows of the batch's
     * result (of every output, asked for or not: a run makes them all) and three times the most bytes the answer may
     * have, as it is written into a buffer that doubles as it grows and then copied out whole. A 413 where the answer
     * could be longer than an array holds.
     */
    static long answerHeap(String model, InferRequest request, List<OutputTensor> available) {
        long instances = request.shape().dim(0);
        long rows = 0;
        for (OutputTensor output : available) {
            rows += instances * ((long) output.instanceElements() * Float.BYTES + ROW_OVERHEAD);
        }
        // Jackson escapes a control character of the id in six bytes, the most any character takes.
        long answer = ANSWER_OVERHEAD + model.length() + (request.id() == null ? 0 : 6L * request.id().length());
        for (RequestedOutput requested : request.outputs()) {
            answer += OUTPUT_OVERHEAD + instances * requested.tensor().instanceElements()
                    * (requested.binary() ? Float.BYTES : JSON_VALUE_BYTES);
        }
        if (answer > Integer.MAX_VALUE - 8) {
            throw RequestException.tooLarge("the answer could have " + answer + " bytes, more than the "
                    + (Integer.MAX_VALUE - 8) + " an array holds: ask for fewer instances or outputs at once, or for "
                    + "binary outputs");
        }
        return rows + 3 * answer;
    }

    /**
     * Writes the response to {@code request}: each output asked for, for the request's instances only, in the JSON
     * or, asked for as binary, after it.
     */
    static Response inferResponse(String model, InferRequest request, ModelWorker.Slice slice) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(out, g -> {
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", VERSION);
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            for (RequestedOutput requested : request.outputs()) {
                OutputTensor output = requested.tensor();
                g.writeStartObject();
                g.writeStringField("name", output.name());
                g.writeStringField("datatype", FP32);
                g.writeArrayFieldStart("shape");
                g.writeNumber(slice.count());
                for (int d : output.instanceDims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                if (requested.binary()) {
                    g.writeObjectFieldStart("parameters");
                    g.writeNumberField(BINARY_DATA_SIZE,
                            (long) slice.count() * output.instanceElements() * Float.BYTES);
                    g.writeEndObject();
                } else {
                    g.writeArrayFieldStart("data");
                    for (int n = slice.first(); n < slice.first() + slice.count(); n++) {
                        for (float v : output.instance(slice.result(), n)) {
                            g.writeNumber(v);
                        }
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        int jsonBytes = out.size();
        for (RequestedOutput requested : request.outputs()) {
            if (requested.binary()) {
                for (int n = slice.first(); n < slice.first() + slice.count(); n++) {
                    writeLittleEndian(out, requested.tensor().instance(slice.result(), n));
                }
            }
        }
        return new Response(out.toByteArray(), jsonBytes);
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        out.writeBytes(buffer.array());
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

    /** A model in the repository index: its state, and why it is unavailable (empty for no reason). */
    record IndexEntry(String name, String state, String reason) {
    }

    /**
     * The model repository extension's index: every model with its version and its state ({@code READY},
     * {@code LOADING} while it warms up, {@code UNLOADING} and {@code UNAVAILABLE} once unloaded or while the server
     * shuts down), and a reason where it has one, as Triton's index gives it, sorted by name.
     */
    static byte[] repositoryIndex(List<IndexEntry> entries) {
        ArrayNode index = JSON.createArrayNode();
        entries.stream().sorted(Comparator.comparing(IndexEntry::name)).forEach(entry -> {
            ObjectNode model = index.addObject().put("name", entry.name()).put("version", VERSION)
                    .put("state", entry.state());
            if (!entry.reason().isEmpty()) {
                model.put("reason", entry.reason());
            }
        });
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

    private static void writeTo(ByteArrayOutputStream out, Body body) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
    }

    /**
     * A growing float array: the tensor's length is known only once its data is read. Each array it allocates is
     * taken from the request's heap claim first, and the one it replaces given back once copied.
     */
    private static final class Floats {
        private static final String WHAT = "input '" + INPUT + "''s values";
        private final HeapBudget.Claim heap;
        float[] values;
        int size;

        Floats(HeapBudget.Claim heap) {
            this.heap = heap;
            this.values = resized(new float[0], 1024);
        }

        void add(float v) {
            if (size == values.length) {
                int grown = (int) Math.min(2L * size, Integer.MAX_VALUE - 8);
                if (grown == size) {
                    throw bad(WHAT + " are more than an array holds");
                }
                values = resized(values, grown);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return values.length == size ? values : resized(values, size);
        }

        private float[] resized(float[] old, int length) {
            heap.take((long) length * Float.BYTES, WHAT);
            float[] copy = Arrays.copyOf(old, length);
            heap.give((long) old.length * Float.BYTES);
            return copy;
        }
    }
}
