package ai.dgnet.server;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Session;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Well-formed inference requests with adversarial values, as a careless or hostile client writes them: shapes of any
 * rank with dimensions of 0, -1 or past what an int or a long holds, value counts that disagree with them, values past
 * FP32's range, other datatypes, unknown outputs or one named twice, binary data of the wrong size. Each request is
 * valid or not by construction, and the server must agree: a valid one is answered 200 with the logits of a session
 * run on the same values (batches are padded and run together, so within 1e-4 relative L2), an invalid one with a 4xx
 * whose body is one {@code {"error": ...}} line. {@code -Ddgnet.fuzz.cases=N} and {@code -Ddgnet.fuzz.seed=S} run a
 * longer or another campaign.
 */
class RequestValueFuzzTest {
    private static final int CASES = Integer.getInteger("dgnet.fuzz.cases", 300);
    private static final long SEED = Long.getLong("dgnet.fuzz.seed", 20261129L);
    private static final int CLASSES = 10;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long[] ODD_DIMS = {0, -1, 1, 3, Integer.MAX_VALUE, 1L << 31, 1L << 53, Long.MAX_VALUE,
            Long.MIN_VALUE};
    private static final int[] SIDES = {1, 2, 3, 7, 8, 31, 32, 33, 64};
    private static final int[] BATCHES = {1, 2, 3, 8, 9};
    /** Numbers a client may write, with whether FP32 holds them (a subnormal's underflow to 0 included). */
    private static final String[] IN_RANGE = {"-0", "7", "-0.0", "1e-46", "3.4e38", "-3.4e38",
            "123456789012345678901234567890", "0.1000000000000000055511151231257827"};
    private static final String[] OUT_OF_RANGE = {"3.5e38", "-1e39", "1e400"};

    /** A request as sent, and what the server must make of it. */
    private record Case(String description, byte[] body, Integer jsonBytes, boolean valid, Shape shape,
                        float[] values, boolean binaryLogits) {
    }

    @Test
    void aRequestIsAnsweredAsItsValuesDeserve() throws Exception {
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.3f, CLASSES, 3, List.of(),
                InferenceServerTest.CIFAR_PREPROCESS);
        ServerConfig serverConfig = ServerConfig.defaults().withPort(0).withWarmupRuns(1)
                .withJitWarmup(Duration.ZERO).withMaxRequestBytes(16 << 20);
        Random random = new Random(SEED);
        try (DgModel model = DgModel.random(config, 3);
             CpuDevice device = CpuDevice.create(1);
             Session reference = model.session(device);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             InferenceServer server = InferenceServer.start(serverConfig, Map.of("cifar", model), device)) {
            assertTrue(server.awaitReady(Duration.ofSeconds(60)), "the server was not ready in time");
            List<String> outputs = new ArrayList<>();
            JsonNode metadata = JSON.readTree(client.send(InferenceServerTest.request(server, "/v2/models/cifar")
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            metadata.get("outputs").forEach(output -> outputs.add(output.get("name").asText()));
            assertTrue(outputs.size() > 1, "outputs: " + outputs);
            int valid = 0;
            for (int i = 0; i < CASES; i++) {
                Case c = next(random, outputs);
                String what = "case " + i + " of seed " + SEED + " (" + c.description() + ")";
                HttpRequest.Builder request = InferenceServerTest.request(server, "/v2/models/cifar/infer")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
                if (c.jsonBytes() != null) {
                    request.header(ApiHandler.INFERENCE_HEADER_LENGTH, c.jsonBytes().toString());
                } else {
                    request.header("Content-Type", "application/json");
                }
                HttpResponse<byte[]> response;
                try {
                    response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException e) {
                    throw new AssertionFailedError(what + ": no answer: " + e, e);
                }
                if (c.valid()) {
                    valid++;
                    assertEquals(200, response.statusCode(), what + ": " + text(response.body()));
                    assertLogits(reference.run(c.values(), c.shape()).logits(), response, c.binaryLogits(), what);
                } else {
                    int status = response.statusCode();
                    assertTrue(status >= 400 && status < 500, what + ": status " + status + ": "
                            + text(response.body()));
                    RequestFuzzTest.assertOneLineError(response, what);
                }
            }
            assertTrue(valid > CASES / 5 && valid < CASES, valid + " of " + CASES + " requests valid");
        }
    }

    private static Case next(Random random, List<String> outputNames) {
        List<String> faults = new ArrayList<>();
        long[] dims;
        if (random.nextInt(4) > 0) {
            dims = new long[] {pick(random, BATCHES), 3, pick(random, SIDES), pick(random, SIDES)};
        } else {
            dims = new long[random.nextInt(7)];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = random.nextBoolean() ? ODD_DIMS[random.nextInt(ODD_DIMS.length)] : random.nextInt(5);
            }
        }
        boolean shapeValid = dims.length == 4 && dims[1] == 3;
        BigInteger product = BigInteger.ONE;
        for (long d : dims) {
            shapeValid &= d >= 1 && d <= Integer.MAX_VALUE;
            product = product.multiply(BigInteger.valueOf(d));
        }
        if (!shapeValid) {
            faults.add("shape");
        }
        // Most requests give as many values as the shape holds, where that is few enough to send.
        boolean sendable = product.signum() >= 0 && product.compareTo(BigInteger.valueOf(200_000)) <= 0;
        int count = sendable && random.nextInt(5) > 0 ? product.intValueExact()
                : random.nextInt(4) * 1000 + random.nextInt(3);
        if (!product.equals(BigInteger.valueOf(count))) {
            faults.add("count");
        }
        String[] numbers = new String[count];
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) Math.sin(k * 0.37 + count);
            numbers[k] = Float.toString(values[k]);
        }
        if (count > 0 && random.nextInt(3) == 0) {
            int at = random.nextInt(count);
            if (random.nextInt(3) == 0) {
                numbers[at] = OUT_OF_RANGE[random.nextInt(OUT_OF_RANGE.length)];
                faults.add("value " + numbers[at]);
            } else {
                numbers[at] = IN_RANGE[random.nextInt(IN_RANGE.length)];
            }
            // As binary data, the float the number rounds to: infinite where it is out of range.
            values[at] = Float.parseFloat(numbers[at]);
        }
        String datatype = "FP32";
        if (random.nextInt(10) == 0) {
            datatype = new String[] {"FP16", "INT64", "BYTES", "fp32", ""}[random.nextInt(5)];
            faults.add("datatype " + datatype);
        }
        boolean binaryInput = random.nextInt(3) == 0;
        boolean binaryLogits = random.nextInt(3) == 0;
        StringBuilder outputs = new StringBuilder();
        if (random.nextBoolean()) {
            String name = random.nextInt(8) == 0 ? "logit" : outputNames.get(random.nextInt(outputNames.size()));
            if (name.equals("logit")) {
                faults.add("output " + name);
            } else if (name.equals("logits")) {
                faults.add("output logits named twice");
            }
            outputs.append(",\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":").append(binaryLogits)
                    .append("}},{\"name\":\"").append(name).append("\"}]");
        } else {
            binaryLogits = false;
        }
        StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[");
        for (int d = 0; d < dims.length; d++) {
            json.append(d == 0 ? "" : ",").append(dims[d]);
        }
        json.append("],\"datatype\":\"").append(datatype).append('"');
        ByteBuffer binary = null;
        if (binaryInput) {
            long size = 4L * count;
            if (random.nextInt(8) == 0) {
                size += random.nextBoolean() ? 4 : 1;
                faults.add("binary size " + size);
            }
            binary = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
            binary.asFloatBuffer().put(values);
            json.append(",\"parameters\":{\"binary_data_size\":").append(size).append("}}]");
        } else {
            json.append(",\"data\":[").append(String.join(",", numbers)).append("]}]");
        }
        json.append(outputs).append('}');
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = head;
        if (binary != null) {
            body = ByteBuffer.allocate(head.length + binary.capacity()).put(head).put(binary.array()).array();
        }
        String description = (binaryInput ? "binary" : "JSON") + " shape " + Arrays.toString(dims) + ", "
                + count + " values" + (faults.isEmpty() ? "" : ", faults: " + String.join(", ", faults));
        Shape shape = faults.isEmpty() ? Shape.of(Arrays.stream(dims).mapToInt(Math::toIntExact).toArray())
                : null;
        return new Case(description, body, binary != null ? head.length : null, faults.isEmpty(), shape, values,
                binaryLogits);
    }

    /** The response's logits, from its JSON or from the binary data after it, against the reference's. */
    private static void assertLogits(float[][] expected, HttpResponse<byte[]> response, boolean binary, String what)
            throws IOException {
        byte[] body = response.body();
        int jsonBytes = response.headers().firstValue(ApiHandler.INFERENCE_HEADER_LENGTH).map(Integer::parseInt)
                .orElse(body.length);
        JsonNode logits = JSON.readTree(new String(body, 0, jsonBytes, StandardCharsets.UTF_8)).get("outputs").get(0);
        assertEquals("logits", logits.get("name").asText(), what);
        assertEquals(expected.length, logits.get("shape").get(0).asInt(), what);
        assertEquals(CLASSES, logits.get("shape").get(1).asInt(), what);
        ByteBuffer data = ByteBuffer.wrap(body, jsonBytes, body.length - jsonBytes).order(ByteOrder.LITTLE_ENDIAN);
        double error = 0;
        double norm = 0;
        for (int n = 0; n < expected.length; n++) {
            for (int k = 0; k < CLASSES; k++) {
                float served = binary ? data.getFloat() : logits.get("data").get(n * CLASSES + k).floatValue();
                error += Math.pow(served - expected[n][k], 2);
                norm += Math.pow(expected[n][k], 2);
            }
        }
        assertTrue(Math.sqrt(error) <= 1e-4 * Math.sqrt(norm), what + ": logits off by "
                + Math.sqrt(error / norm) + " relative L2");
    }

    private static long pick(Random random, int[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
