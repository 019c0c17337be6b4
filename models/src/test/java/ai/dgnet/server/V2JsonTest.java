package ai.dgnet.server;

import ai.dgnet.models.Arch;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON request the server writes for its own warm-up: a plain v2 request of its values, read back exactly. */
class V2JsonTest {
    @Test
    void theWarmUpRequestIsAPlainRequestOfItsValues() throws IOException {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Shape shape = Shape.of(1, 3, 2, 3);
        float[] values = {0.1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0.0f, 1f / 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                18};
        byte[] body = V2Json.inferRequest(shape, values);

        JsonNode input = new JsonMapper().readTree(body).path("inputs").path(0);
        assertEquals("input", input.path("name").asText());
        assertEquals("FP32", input.path("datatype").asText());
        assertEquals("[1,3,2,3]", input.path("shape").toString());
        assertEquals(values.length, input.path("data").size());
        assertEquals(-2.5, input.path("data").path(1).asDouble());

        List<OutputTensor> outputs = OutputTensor.of(config);
        HeapBudget heap = new HeapBudget(1 << 20);
        V2Json.InferRequest request = V2Json.readInfer(whole(body), -1, config, outputs, heap.claim());
        assertEquals(shape, request.shape());
        assertArrayEquals(values, request.values());
        assertEquals(values.length * Float.BYTES, heap.held(), "the values kept, the arrays grown through given back");
        assertEquals(outputs.stream().map(OutputTensor::name).toList(),
                request.outputs().stream().map(o -> o.tensor().name()).toList(),
                "no outputs named: every output, as the protocol gives a client that names none");
    }

    /** An empty {@code outputs} names no output, as a request without it does: every output, not the logits alone. */
    @Test
    void anEmptyOutputsArrayAsksForEveryOutput() throws IOException {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        byte[] body = ("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3, 1, 1], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3]}], \"outputs\": []}").getBytes(StandardCharsets.UTF_8);
        V2Json.InferRequest request = V2Json.readInfer(whole(body), -1, config, OutputTensor.of(config),
                new HeapBudget(1 << 20).claim());
        assertEquals(List.of("logits", "adjacency.0", "router.0", "adjacency.1", "router.1", "adjacency.2", "router.2"),
                request.outputs().stream().map(o -> o.tensor().name()).toList());
    }

    @Test
    void theBinaryWarmUpRequestHasItsValuesAfterTheJsonInLittleEndianOrder() throws IOException {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Shape shape = Shape.of(1, 3, 1, 2);
        float[] values = {0.1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0.0f, 1f / 3};
        V2Json.BinaryRequest binary = V2Json.binaryInferRequest(shape, values);

        byte[] body = binary.body();
        JsonNode input = new JsonMapper().readTree(Arrays.copyOf(body, binary.jsonBytes())).path("inputs").path(0);
        assertEquals(24, input.path("parameters").path("binary_data_size").asInt());
        assertEquals(binary.jsonBytes() + 24, body.length);
        // 1.0f / 3 is 0x3EAAAAAB: its lowest byte first.
        assertEquals((byte) 0xAB, body[body.length - 4]);
        assertEquals((byte) 0x3E, body[body.length - 1]);

        HeapBudget heap = new HeapBudget(1 << 20);
        V2Json.InferRequest request = V2Json.readInfer(whole(body), binary.jsonBytes(), config,
                OutputTensor.of(config), heap.claim());
        assertEquals(shape, request.shape());
        assertArrayEquals(values, request.values());
        assertEquals(binary.jsonBytes() + 24, heap.held(), "the JSON's bytes and the values kept");
    }

    @Test
    void binaryDataLongerThanTheBodyIsRefusedBeforeItIsRead() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Shape shape = Shape.of(1, 3, 1, 2);
        V2Json.BinaryRequest binary = V2Json.binaryInferRequest(shape, new float[6]);
        String json = new String(binary.body(), 0, binary.jsonBytes(), StandardCharsets.UTF_8)
                .replace("[1,3,1,2]", "[1,3,16384,16384]").replace("\"binary_data_size\":24",
                        "\"binary_data_size\":3221225472");
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(jsonBytes, jsonBytes.length + 24);
        HeapBudget heap = new HeapBudget(1L << 40);
        RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body),
                jsonBytes.length, config, OutputTensor.of(config), heap.claim()));
        assertEquals(400, e.status());
        assertEquals("input 'input''s binary data has 3221225472 bytes, more than the 24 left in the body",
                e.getMessage());
        assertEquals(jsonBytes.length, heap.held(), "nothing taken for the values");
    }

    /**
     * Jackson quotes an unrecognized token as the client sent it, control characters and all: the message escapes
     * them, as it does any text a client gave, so that it stays on one line.
     */
    @Test
    void aMalformedTokenIsQuotedWithItsControlCharactersEscaped() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        byte[] body = "{\"inputs\": [ab\u0085c\u0001d]}".getBytes(StandardCharsets.UTF_8);
        RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body), -1, config,
                OutputTensor.of(config), new HeapBudget(1 << 20).claim()));
        assertEquals(400, e.status());
        assertEquals("malformed JSON at line 1, column 13: Unrecognized token 'ab\\u0085c\\u0001d': was expecting "
                + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')", e.getMessage());
    }

    /**
     * An answer's heap: the rows of every output its instances have in the result, and its bytes thrice (a buffer
     * doubling as it grows, then copied out), at least four per value as binary data; an answer that could pass the
     * largest array, as the logits of 20 million instances as JSON could, is refused whatever the heap.
     */
    @Test
    void anAnswersHeapCountsEveryOutputsRowsAndItsBytesAndAnAnswerPastAnArrayIsRefused() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        List<OutputTensor> outputs = OutputTensor.of(config);
        Shape shape = Shape.of(20_000_000, 3, 1, 1);
        long instanceValues = outputs.stream().mapToLong(OutputTensor::instanceElements).sum();
        assertEquals(10 + 6 * 16, instanceValues);

        V2Json.InferRequest binary = new V2Json.InferRequest(null, shape, new float[0],
                List.of(new V2Json.RequestedOutput(outputs.getFirst(), true)));
        long heap = V2Json.answerHeap("cifar", binary, outputs);
        long leastRows = shape.dim(0) * instanceValues * Float.BYTES;
        long leastAnswer = shape.dim(0) * 10L * Float.BYTES;
        assertTrue(heap >= leastRows + 3 * leastAnswer, "heap " + heap);
        assertTrue(heap < 2 * (leastRows + 3 * leastAnswer), "heap " + heap);

        V2Json.InferRequest json = new V2Json.InferRequest(null, shape, new float[0],
                List.of(new V2Json.RequestedOutput(outputs.getFirst(), false)));
        RequestException e = assertThrows(RequestException.class, () -> V2Json.answerHeap("cifar", json, outputs));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().matches("the answer could have 3\\d{9} bytes, more than the 2147483639 an array "
                + "holds: ask for fewer instances or outputs at once, or for binary outputs"), e.getMessage());
    }

    /** A field given twice is refused, naming it, wherever it is: not read as its last value. */
    @Test
    void aFieldGivenTwiceIsRefused() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        String input = "{\"name\": \"input\", \"shape\": [1, 3, 1, 1], \"datatype\": \"FP32\", \"data\": [1, 2, 3]";
        Map<String, String> twice = Map.of(
                "inputs", "{\"inputs\": [" + input + "}], \"inputs\": []}",
                "name", "{\"inputs\": [" + input + ", \"name\": \"x\"}]}",
                "binary_data", "{\"inputs\": [" + input + "}], \"outputs\": [{\"name\": \"logits\", \"parameters\": "
                        + "{\"binary_data\": true, \"binary_data\": false}}]}");
        twice.forEach((field, json) -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body), -1, config,
                    OutputTensor.of(config), new HeapBudget(1 << 20).claim()), json);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().matches("malformed JSON at line 1, column \\d+: Duplicate field '" + field + "'"),
                    e.getMessage());
        });
    }

    /**
     * A number past Jackson's limit on numbers is refused as a number too long, naming the limit: not as a string
     * past the limit on strings, which a number long enough reached first. A long string stays refused as one.
     */
    @Test
    void aNumberTooLongIsRefusedAsOne() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        String digits = "1".repeat(85649);
        Map<String, String> inputs = Map.of(
                "an integer past 1000 characters", "\"data\": [1, 2, " + "1".repeat(1001) + "]",
                "a fraction past the string limit", "\"data\": [1, 0." + digits + ", 3]",
                "an exponent past the string limit", "\"data\": [1, 2, 3e-" + digits + "]",
                "a dimension past the string limit", "\"data\": [1, 2, 3], \"shape\": [1, 3, 1, 1." + digits + "]",
                "a parameter past the string limit", "\"data\": [1, 2, 3], \"parameters\": {\"x\": [1." + digits
                        + "]}");
        inputs.forEach((what, fields) -> {
            byte[] body = ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", " + fields + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body), -1, config,
                    OutputTensor.of(config), new HeapBudget(1 << 24).claim()), what);
            assertEquals(400, e.status());
            assertEquals("a number in the request is too long: a number may have at most 1000 characters",
                    e.getMessage(), what);
        });
        byte[] longId = ("{\"id\": \"" + digits + "\", \"inputs\": []}").getBytes(StandardCharsets.UTF_8);
        RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(longId), -1, config,
                OutputTensor.of(config), new HeapBudget(1 << 24).claim()));
        assertTrue(e.getMessage().matches("the request's JSON is past a limit: String value length \\(\\d+\\) exceeds "
                + "the maximum allowed \\(65536\\)"), e.getMessage());
    }

    /**
     * An output named twice in 'outputs' is refused, naming it, whether its two requests agree or not: which of two
     * that differ (as one binary and one not) the client meant is a guess.
     */
    @Test
    void anOutputNamedTwiceIsRefused() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        String input = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3, 1, 1], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2, 3]}], \"outputs\": [";
        for (String outputs : List.of("{\"name\": \"router.1\"}, {\"name\": \"logits\", \"parameters\": "
                        + "{\"binary_data\": true}}, {\"name\": \"logits\", \"parameters\": {\"binary_data\": false}}",
                "{\"name\": \"logits\"}, {\"name\": \"router.1\"}, {\"name\": \"logits\"}")) {
            byte[] body = (input + outputs + "]}").getBytes(StandardCharsets.UTF_8);
            RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body), -1, config,
                    OutputTensor.of(config), new HeapBudget(1 << 20).claim()), outputs);
            assertEquals(400, e.status());
            assertEquals("'outputs' names output 'logits' twice: name each output once", e.getMessage());
        }
    }

    /**
     * Jackson's advice to enable one of its features, as after a NaN, is for the server's author, not for a client:
     * the message names what is wrong alone.
     */
    @Test
    void aMalformedTokenIsRefusedWithoutAdviceOnTheParsersFeatures() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        Map<String, String> refusals = Map.of(
                "{\"inputs\": [NaN]}", "Non-standard token 'NaN'",
                "{\"inputs\": [+1]}", "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not "
                        + "allow numbers to have plus signs",
                "/* v2 */ {}", "Unexpected character ('/' (code 47)): maybe a (non-standard) comment?");
        refusals.forEach((json, message) -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(body), -1, config,
                    OutputTensor.of(config), new HeapBudget(1 << 20).claim()), json);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().matches("malformed JSON at line 1, column \\d+: .*"), e.getMessage());
            assertEquals(message, e.getMessage().split(": ", 2)[1]);
        });
    }

    /**
     * An Inference-Header-Content-Length that counts binary data as JSON (the whole body's length, say) is refused
     * as content after the JSON object, where that JSON ends: not as whatever the data's first bytes are as UTF-8.
     */
    @Test
    void binaryDataCountedAsJsonIsRefusedAsContentAfterTheJson() {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        float[] values = {0.1f, 0.2f, 0.3f};
        V2Json.BinaryRequest binary = V2Json.binaryInferRequest(Shape.of(1, 3, 1, 1), values);
        for (int jsonBytes : new int[] {binary.jsonBytes() + 5, binary.body().length}) {
            RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(whole(binary.body()),
                    jsonBytes, config, OutputTensor.of(config), new HeapBudget(1 << 20).claim()));
            assertEquals(400, e.status());
            assertEquals("unexpected content after the request's JSON object, within the " + jsonBytes + " bytes of "
                    + "the JSON that Inference-Header-Content-Length declares", e.getMessage());
        }
    }

    /** A load or unload request's parameters are an object, as the protocol has them: not skipped when they are not. */
    @Test
    void repositoryParametersThatAreNoObjectAreRefused() throws IOException {
        V2Json.readRepositoryRequest(new ByteArrayInputStream("{\"parameters\": {\"unload_dependents\": true}}"
                .getBytes(StandardCharsets.UTF_8)));
        Map<String, String> refusals = Map.of("[]", "an array", "null", "null", "\"config\"", "the string \"config\"");
        refusals.forEach((parameters, found) -> {
            byte[] body = ("{\"parameters\": " + parameters + "}").getBytes(StandardCharsets.UTF_8);
            RequestException e = assertThrows(RequestException.class,
                    () -> V2Json.readRepositoryRequest(new ByteArrayInputStream(body)), parameters);
            assertEquals(400, e.status());
            assertEquals("a load or unload request's 'parameters' must be a JSON object, found " + found,
                    e.getMessage());
        });
    }

    /**
     * Nested data follows its shape, as the protocol has it: data nested otherwise (too deep or too shallow, a row too
     * long or too short) is refused naming where, though it has as many values as the shape. Read before its shape,
     * its arrays are checked against its first ones, then those against the shape. Flat data stays taken.
     */
    @Test
    void nestedDataThatDoesNotFollowItsShapeIsRefusedNamingWhere() throws IOException {
        ModelConfig config = ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC).withClasses(10, 3);
        String shape = "\"shape\": [1, 3, 2, 2]";
        String asShape = "is not nested as its shape [1, 3, 2, 2]: ";
        String uneven = "is nested unevenly: ";
        // The data; where it is refused read after its shape; where read before it.
        List<List<String>> refusals = List.of(
                List.of("[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]]",
                        asShape + "data[0][0] is a number, not an array of 2",
                        uneven + "data[1] has more than the 5 items of data[0]"),
                List.of("[[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11]]], [[[12]]]]",
                        asShape + "data[0][2][1] has 1 item, not 2",
                        uneven + "data[0][2][1] has 1 item, not the 2 of data[0][0][0]"),
                List.of("[[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10, 11, 12]]]]",
                        asShape + "data[0][2][0] has more than 2 items",
                        uneven + "data[0][2][0] has more than the 2 items of data[0][0][0]"),
                List.of("[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]]",
                        asShape + "data[0][0][0] is a number, not an array of 2",
                        asShape + "data[0][0] has 4 items, not 2"),
                List.of("[[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, [12]]]]]",
                        asShape + "data[0][2][1][1] is an array, not a number",
                        uneven + "data[0][2][1][1] is an array where data[0][0][0][0] is a number"),
                List.of("[[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]], []]",
                        asShape + "data has more than 1 item",
                        uneven + "data[1] has 0 items, not the 3 of data[0]"),
                List.of("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, [11, 12]]",
                        uneven + "data[10] is an array where data[0] is a number",
                        uneven + "data[10] is an array where data[0] is a number"));
        for (List<String> refusal : refusals) {
            String data = "\"data\": " + refusal.get(0);
            for (String input : List.of(shape + ", " + data, data + ", " + shape)) {
                RequestException e = assertThrows(RequestException.class, () -> V2Json.readInfer(
                        whole(inferRequest(input)), -1, config, OutputTensor.of(config),
                        new HeapBudget(1 << 20).claim()), input);
                assertEquals(400, e.status());
                assertEquals("input 'input''s 'data' " + refusal.get(input.startsWith(shape) ? 1 : 2)
                        + " (give it flat, or nested as the shape)", e.getMessage(), input);
            }
        }
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        for (String data : List.of("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]",
                "[[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]]")) {
            for (String input : List.of(shape + ", \"data\": " + data, "\"data\": " + data + ", " + shape)) {
                V2Json.InferRequest request = V2Json.readInfer(whole(inferRequest(input)), -1, config,
                        OutputTensor.of(config), new HeapBudget(1 << 20).claim());
                assertArrayEquals(values, request.values(), input);
            }
        }
    }

    /** An inference request of one input with the fields {@code fields} besides its name and datatype. */
    private static byte[] inferRequest(String fields) {
        return ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", " + fields + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A body that declares its length, as the server reads one. */
    private static CappedInputStream whole(byte[] body) {
        return new CappedInputStream(new ByteArrayInputStream(body), body.length);
    }
}
