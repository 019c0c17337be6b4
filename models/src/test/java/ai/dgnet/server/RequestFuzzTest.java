package ai.dgnet.server;

import ai.dgnet.fuzz.ByteMutator;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged requests, as broken clients send them: valid JSON and binary inference requests and JPEG and PNG images to
 * classify are damaged in many seeded ways and sent to a real server. Each must be answered: 200, or a 4xx whose body
 * is one {@code {"error": ...}} line; a 5xx, a dropped connection or a crash fails the build, and the server must
 * still answer a valid request rightly at the end. {@code -Ddgnet.fuzz.cases=N} and {@code -Ddgnet.fuzz.seed=S} run
 * a longer or another campaign.
 */
class RequestFuzzTest {
    private static final int CASES = Integer.getInteger("dgnet.fuzz.cases", 2000);
    private static final long SEED = Long.getLong("dgnet.fuzz.seed", 20261129L);
    private static final String MODEL = "cifar";
    private static final Shape SHAPE = Shape.of(1, 3, 32, 32);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BINARY_HEADER = "Inference-Header-Content-Length";

    private record Kind(String path, String contentType, byte[] body, int structureBytes) {
    }

    @Test
    void aDamagedRequestIsAnsweredWithAOneLineErrorOrAResult() throws Exception {
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.2f, 10, 3, List.of(),
                InferenceServerTest.CIFAR_PREPROCESS);
        float[] values = new float[(int) SHAPE.elements()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.37);
        }
        String json = "{\"id\":\"case\",\"parameters\":{\"note\":[1,{\"a\":null}]},\"inputs\":[{\"name\":\"input\","
                + "\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":" + nested(values) + "}],\"outputs\":["
                + "{\"name\":\"logits\"},{\"name\":\"adjacency.1\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"router.2\"}]}";
        String binaryJson = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + values.length * Float.BYTES + "}}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}";
        ByteBuffer binary = ByteBuffer.allocate(binaryJson.length() + values.length * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).put(binaryJson.getBytes(StandardCharsets.US_ASCII));
        binary.asFloatBuffer().put(values);
        byte[] png = InferenceServerTest.image("png", 40, 30);
        byte[] jpeg = InferenceServerTest.image("jpeg", 40, 30);
        String classify = "/v2/models/" + MODEL + "/classify?top=3";
        List<Kind> kinds = List.of(
                new Kind("/v2/models/" + MODEL + "/infer", "application/json", json.getBytes(StandardCharsets.UTF_8),
                        json.indexOf("\"data\"") + 16),
                new Kind("/v2/models/" + MODEL + "/infer", null, binary.array(), binaryJson.length()),
                new Kind(classify, "image/png", png, Math.min(png.length, 100)),
                new Kind(classify + "&graph=1", "image/jpeg", jpeg, Math.min(jpeg.length, 700)));

        ServerConfig serverConfig = ServerConfig.defaults().withPort(0).withWarmupRuns(1)
                .withMaxRequestBytes(256 << 10);
        ByteMutator mutator = new ByteMutator(SEED);
        try (DgModel model = DgModel.random(config, 3);
             CpuDevice device = CpuDevice.create(1);
             Session reference = model.session(device);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             InferenceServer server = InferenceServer.start(serverConfig, Map.of(MODEL, model), device)) {
            assertTrue(server.awaitReady(Duration.ofSeconds(60)), "the server was not ready in time");
            int answered = 0;
            for (int i = 0; i < CASES; i++) {
                Kind kind = kinds.get(i % kinds.size());
                // Half the time where the request's structure is (a JSON header, an image's headers), else anywhere.
                ByteMutator.Mutation mutation = mutator.nextInt(2) == 0
                        ? mutator.mutate(kind.body(), 0, kind.structureBytes())
                        : mutator.mutate(kind.body(), 0, kind.body().length);
                HttpRequest.Builder request = InferenceServerTest.request(server, kind.path())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(mutation.bytes()));
                String what = "case " + i + " of seed " + SEED + ", " + kind.path() + " (" + mutation.description();
                if (kind.contentType() != null) {
                    request.header("Content-Type", kind.contentType());
                } else {
                    // The declared JSON length as the client meant it, or moved by what the damage added or took.
                    int length = kind.structureBytes() + (mutator.nextInt(2) == 0 ? 0
                            : mutation.bytes().length - kind.body().length);
                    request.header(BINARY_HEADER, Integer.toString(length));
                    what += ", " + BINARY_HEADER + " " + length;
                }
                what += ")";
                HttpResponse<byte[]> response;
                try {
                    response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException e) {
                    throw new AssertionFailedError(what + ": no answer: " + e, e);
                }
                int status = response.statusCode();
                if (status == 200) {
                    answered++;
                } else {
                    assertTrue(status >= 400 && status < 500, what + ": status " + status + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                    assertOneLineError(response, what);
                }
            }
            assertTrue(answered > 0 && answered < CASES, answered + " of " + CASES + " answered 200");

            HttpResponse<String> valid = client.send(InferenceServerTest.request(server, kinds.getFirst().path())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, valid.statusCode(), valid.body());
            JsonNode logits = JSON.readTree(valid.body()).get("outputs").get(0).get("data");
            float[] served = new float[logits.size()];
            for (int i = 0; i < served.length; i++) {
                served[i] = logits.get(i).floatValue();
            }
            assertArrayEquals(reference.run(values, SHAPE).logits()[0], served);
        }
    }

    /** The response's body is one {@code {"error": ...}} line. */
    static void assertOneLineError(HttpResponse<byte[]> response, String what) throws IOException {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        JsonNode error = JSON.readTree(body).get("error");
        assertTrue(error != null && error.isTextual() && !error.asText().isBlank(), what + ": " + body);
        assertFalse(error.asText().contains("\n"), what + ": " + body);
    }

    /** The values nested as their shape, [1][3][32][32], so that damage meets the nesting's checks too. */
    private static String nested(float[] values) {
        StringBuilder out = new StringBuilder("[[");
        int plane = SHAPE.dim(2) * SHAPE.dim(3);
        for (int c = 0; c < SHAPE.dim(1); c++) {
            out.append(c == 0 ? "[" : ",[");
            for (int y = 0; y < SHAPE.dim(2); y++) {
                out.append(y == 0 ? "[" : ",[");
                for (int x = 0; x < SHAPE.dim(3); x++) {
                    out.append(x == 0 ? "" : ",").append(values[c * plane + y * SHAPE.dim(3) + x]);
                }
                out.append(']');
            }
            out.append(']');
        }
        return out.append("]]").toString();
    }
}
