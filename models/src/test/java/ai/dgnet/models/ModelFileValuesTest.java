package ai.dgnet.models;

import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.models.io.SafeTensorsBytes;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The values in a model file, as hand-edited files and other tools write them. Its metadata's (spec section 5): each
 * value is valid or not by construction, a file with any invalid one must be refused with a one-line
 * {@link ModelFileException} naming the file, and a file of valid ones must load with exactly those values and give
 * the logits a session at its threshold gives for the unchanged file ({@code -Ddgnet.fuzz.cases=N} and
 * {@code -Ddgnet.fuzz.seed=S} run a longer or another campaign). Its tensors': NaN, infinities and negative
 * variances are refused at load, naming the tensor.
 */
class ModelFileValuesTest {
    private static final int CASES = Integer.getInteger("dgnet.fuzz.cases", 300);
    private static final long SEED = Long.getLong("dgnet.fuzz.seed", 20261129L);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    private static final ModelConfig CONFIG = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.2f, 10, 3, LABELS,
            new ModelConfig.Preprocess(36, 32, new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f}));
    private static final Shape INPUT = Shape.of(2, 3, 32, 32);

    @TempDir
    static Path dir;
    private static Path valid;
    private static ObjectNode header;
    private static byte[] data;
    private static CpuDevice device;
    private static DgModel original;
    private static float[] input;
    private static final Map<Float, float[]> expectedLogits = new HashMap<>();

    @BeforeAll
    static void saveTheValidFile() throws IOException {
        valid = dir.resolve("valid.safetensors");
        try (DgModel model = DgModel.random(CONFIG, 3)) {
            model.save(valid);
        }
        byte[] file = Files.readAllBytes(valid);
        SafeTensorsBytes parts = SafeTensorsBytes.split(file);
        header = (ObjectNode) JSON.readTree(parts.header());
        data = parts.data();
        device = CpuDevice.create(1);
        original = DgModel.load(valid);
        input = new float[(int) INPUT.elements()];
        Random random = new Random(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
    }

    @AfterAll
    static void close() {
        original.close();
        device.close();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            dgnet.threshold  | NaN                                       | expected a decimal number
            dgnet.threshold  | 0x1p-1                                    | expected a decimal number
            dgnet.threshold  | 0.5f                                      | expected a decimal number
            dgnet.threshold  | 1e-2147483649                             | expected a decimal number
            dgnet.threshold  | 1.5                                       | threshold must be in [0, 1]
            dgnet.labels     | ["a\\nb","b","c","d","e","f","g","h","i","j"] | a control character (U+000A)
            dgnet.labels     | ["a","b","c","d","e","f","g","h","i","j"]] | text after the JSON
            dgnet.preprocess | {"resize":36,"crop":32,"mean":[0.5,0.4,0.3],"std":[1,1,1]},"x":1} | text after the JSON
            dgnet.preprocess | {"resize":100000,"crop":100000,"mean":[0.5,0.4,0.3],"std":[1,1,1]} | resize <= 8192
            dgnet.preprocess | {"resize":36,"crop":31.7,"mean":[0.5,0.4,0.3],"std":[1,1,1]} | with whole numbers N
            dgnet.preprocess | {"resize":36,"crop":32,"mean":[1e300,0.4,0.3],"std":[1,1,1]} | finite means
            dgnet.preprocess | {"resize":36,"crop":32,"mean":[0.5,0.4,0.3],"std":[0,1,1]}   | stds > 0
            dgnet.preprocess | {"resize":36,"crop":32,"mean":[0.5],"std":[1]}               | 3 mean and std values
            """)
    void aBadValueIsRefusedAtLoadNamingTheFileAndTheProblem(String key, String value, String problem)
            throws IOException {
        Path file = withMetadata(Map.of(key, value), "bad");
        ModelFileException e = assertThrows(ModelFileException.class, () -> DgModel.load(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void wholeNumbersWrittenAsDecimalsAndThresholdsInExponentNotationAreTaken() throws IOException {
        Path file = withMetadata(Map.of("dgnet.threshold", "2.5e-1",
                "dgnet.preprocess", "{\"resize\":36.0,\"crop\":32,\"mean\":[0.5,0.4,0.3],\"std\":[1,1,1]}"), "good");
        try (DgModel model = DgModel.load(file)) {
            assertEquals(0.25f, model.config().threshold());
            assertEquals(36, model.config().preprocess().resize());
        }
    }

    @ParameterizedTest(name = "{0}[{1}] = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            conv1.weight             | 5 | NaN       | value 5 of 432 is NaN: weights must be finite
            fc.bias                  | 9 | Infinity  | value 9 of 10 is Infinity: weights must be finite
            router.0.1.weight        | 0 | -Infinity | value 0 of 32 is -Infinity: weights must be finite
            layer1.0.bn1.running_var | 3 | -0.5      | value 3 of 16 is -0.5: a variance must be finite and >= 0
            """)
    void aTensorWithAValueNoNetworkHoldsIsRefusedAtLoadNamingIt(String tensor, int index, float value,
                                                                String problem) throws IOException {
        Path file = withValue(tensor, index, value, "bad-" + tensor);
        ModelFileException e = assertThrows(ModelFileException.class, () -> DgModel.load(file).close());
        assertEquals(file + ": tensor '" + tensor + "': " + problem, e.getMessage());
    }

    @Test
    void extremeButFiniteValuesAndAZeroVarianceLoad() throws IOException {
        try (DgModel model = DgModel.load(withValue("conv1.weight", 0, Float.MAX_VALUE, "finite"))) {
            assertEquals(CONFIG.threshold(), model.config().threshold());
        }
        try (DgModel model = DgModel.load(withValue("bn1.running_var", 15, 0f, "zero-variance"))) {
            assertEquals(CONFIG.threshold(), model.config().threshold());
        }
    }

    /** One metadata key's values: each made valid or invalid on purpose. */
    private record Value(String text, boolean valid) {
    }

    @Test
    void valuesValidByConstructionLoadAndRunAndTheRestAreRefusedInOneLine() throws IOException {
        Random random = new Random(SEED);
        Map<String, Function<Random, Value>> keys = new LinkedHashMap<>();
        keys.put("dgnet.threshold", ModelFileValuesTest::threshold);
        keys.put("dgnet.num_classes", r -> pick(r, List.of(new Value("10", true), new Value("+10", true),
                new Value("11", false), new Value("0", false), new Value("-10", false), new Value("10.0", false),
                new Value("2147483648", false), new Value("", false))));
        keys.put("dgnet.in_channels", r -> pick(r, List.of(new Value("3", true), new Value("1", false),
                new Value("0", false), new Value("3e0", false), new Value("99999999999", false))));
        keys.put("dgnet.labels", ModelFileValuesTest::labels);
        keys.put("dgnet.preprocess", ModelFileValuesTest::preprocess);
        keys.put("dgnet.arch", r -> pick(r, List.of(new Value("resnet20", true), new Value("resnet56", false),
                new Value("ResNet20", false), new Value("", false))));
        keys.put("dgnet.mode", r -> pick(r, List.of(new Value("dynamic", true), new Value("Dynamic", false),
                new Value("sparse", false))));
        List<String> names = List.copyOf(keys.keySet());
        int loaded = 0;
        for (int i = 0; i < CASES; i++) {
            Map<String, String> changes = new LinkedHashMap<>();
            boolean validCase = true;
            List<String> drawn = new ArrayList<>(names);
            Collections.shuffle(drawn, random);
            for (String key : drawn.subList(0, 1 + random.nextInt(3))) {
                Value value = keys.get(key).apply(random);
                changes.put(key, value.text());
                validCase &= value.valid();
            }
            Path file = withMetadata(changes, "case-" + i);
            String what = "case " + i + " of seed " + SEED + " " + changes;
            try (DgModel model = DgModel.load(file); Session session = model.session(device)) {
                if (!validCase) {
                    throw new AssertionFailedError(what + ": loaded, but a value is invalid");
                }
                assertConfig(changes, model.config(), what);
                float tau = model.config().threshold();
                float[] expected = expectedLogits.computeIfAbsent(tau, t -> {
                    try (Session reference = original.session(device, t)) {
                        return reference.run(input, INPUT).logitsRowMajor();
                    }
                });
                assertArrayEquals(expected, session.run(input, INPUT).logitsRowMajor(), 1e-6f, what);
                loaded++;
            } catch (ModelFileException e) {
                if (validCase) {
                    throw new AssertionFailedError(what + ": refused, but every value is valid: " + e.getMessage(), e);
                }
                assertTrue(e.getMessage().startsWith(file + ": "), what + ": " + e.getMessage());
                assertFalse(e.getMessage().contains("\n"), what + ": " + e.getMessage());
            } catch (AssertionFailedError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                throw new AssertionFailedError(what + ": " + e, e);
            }
            Files.delete(file);
        }
        assertTrue(loaded > CASES / 10 && loaded < CASES - CASES / 10, loaded + " of " + CASES + " loaded");
    }

    private static void assertConfig(Map<String, String> changes, ModelConfig config, String what)
            throws IOException {
        String threshold = changes.get("dgnet.threshold");
        if (threshold != null) {
            assertEquals(new BigDecimal(threshold.strip()).floatValue(), config.threshold(), what);
        }
        String labels = changes.get("dgnet.labels");
        if (labels != null) {
            assertEquals(Arrays.asList(JSON.readValue(labels, String[].class)), config.labels(), what);
        }
        String preprocess = changes.get("dgnet.preprocess");
        if (preprocess != null) {
            Map<?, ?> p = JSON.readValue(preprocess, Map.class);
            assertEquals(((Number) p.get("resize")).intValue(), config.preprocess().resize(), what);
            assertEquals(((Number) p.get("crop")).intValue(), config.preprocess().crop(), what);
            assertArrayEquals(floats(p.get("mean")), config.preprocess().mean(), what);
            assertArrayEquals(floats(p.get("std")), config.preprocess().std(), what);
        }
    }

    private static float[] floats(Object list) {
        List<?> values = (List<?>) list;
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = ((Number) values.get(i)).floatValue();
        }
        return floats;
    }

    private static Value threshold(Random r) {
        double t = r.nextDouble();
        return switch (r.nextInt(12)) {
            case 0 -> new Value(Double.toString(t), true);
            case 1 -> new Value(String.format(Locale.ROOT, "%.3fe0", t), true);
            case 2 -> new Value(" " + String.format(Locale.ROOT, "%.2f", t) + " ", true);
            case 3 -> new Value(r.nextBoolean() ? "0" : "1", true);
            case 4 -> new Value(String.format(Locale.ROOT, "%.4fe1", t / 10), true);
            case 5 -> new Value("-" + String.format(Locale.ROOT, "%.2f", 0.01 + t), false);
            case 6 -> new Value(String.format(Locale.ROOT, "%.2f", 1.01 + t), false);
            case 7 -> new Value(r.nextBoolean() ? "NaN" : "Infinity", false);
            case 8 -> new Value(Double.toHexString(t), false);
            case 9 -> new Value(String.format(Locale.ROOT, "%.2f", t) + (r.nextBoolean() ? "f" : "d"), false);
            case 10 -> new Value(r.nextBoolean() ? "" : "half", false);
            default -> new Value("1e" + (r.nextBoolean() ? "-99999999999" : "99"), false);
        };
    }

    private static Value labels(Random r) {
        List<String> names = new ArrayList<>();
        int count = r.nextInt(4) == 0 ? 9 + 2 * r.nextInt(2) : 10;
        boolean control = r.nextInt(5) == 0;
        for (int i = 0; i < count; i++) {
            names.add(switch (r.nextInt(5)) {
                case 0 -> "class " + i;
                case 1 -> "Grüße \"" + i + "\" \\ 日本";
                case 2 -> "x".repeat(1 + r.nextInt(3000));
                case 3 -> "";
                default -> "emoji \uD83D\uDE00 " + i;
            });
        }
        if (control) {
            int at = r.nextInt(count);
            names.set(at, names.get(at) + (char) (r.nextBoolean() ? '\n' : r.nextInt(32)));
        }
        String json;
        try {
            json = JSON.writeValueAsString(names);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return switch (r.nextInt(8)) {
            case 0 -> new Value("[1,2,3,4,5,6,7,8,9,10]", false);
            case 1 -> new Value(json.substring(0, json.length() - 1), false);
            case 2 -> new Value("{\"labels\":" + json + "}", false);
            default -> new Value(json, count == 10 && !control);
        };
    }

    private static Value preprocess(Random r) {
        int crop = 1 + r.nextInt(64);
        int resize = crop + r.nextInt(200);
        String mean = "[0.485,0.456,0.406]";
        String std = "[0.229,0.224,0.225]";
        boolean valid = true;
        switch (r.nextInt(12)) {
            case 0 -> { crop = resize + 1 + r.nextInt(5); valid = false; }
            case 1 -> { crop = -r.nextInt(3); valid = false; }
            case 2 -> { resize = ModelConfig.Preprocess.MAX_RESIZE + 1 + r.nextInt(100_000); valid = false; }
            case 3 -> { mean = "[0.5,0.5]"; valid = false; }
            case 4 -> { std = "[0.2,0,0.2]"; valid = false; }
            case 5 -> { std = "[0.2,-1,0.2]"; valid = false; }
            case 6 -> { mean = "[1e39,0,0]"; valid = false; }
            case 7 -> { mean = "[\"0.5\",0.5,0.5]"; valid = false; }
            case 8 -> resize = ModelConfig.Preprocess.MAX_RESIZE;
            default -> { }
        }
        String text = "{\"resize\":" + resize + ",\"crop\":" + crop + ",\"mean\":" + mean + ",\"std\":" + std + "}";
        return switch (r.nextInt(10)) {
            case 0 -> new Value(text.replace("\"crop\":" + crop, "\"crop\":" + crop + ".5"), false);
            case 1 -> new Value(text.replace(",\"std\":" + std, ""), false);
            case 2 -> new Value(text.replace("\"resize\":" + resize, "\"resize\":\"" + resize + "\""), false);
            default -> new Value(text, valid);
        };
    }

    private static Value pick(Random r, List<Value> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** The valid file with value {@code index} of {@code tensor} set to {@code value}, under {@code name}. */
    private static Path withValue(String tensor, int index, float value, String name) throws IOException {
        byte[] changed = data.clone();
        int at = header.get(tensor).get("data_offsets").get(0).intValue() + index * Float.BYTES;
        ByteBuffer.wrap(changed).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, value);
        return write(header, changed, name);
    }

    /** The valid file with {@code changes} made to its metadata, under {@code name}. */
    private static Path withMetadata(Map<String, String> changes, String name) throws IOException {
        ObjectNode changed = header.deepCopy();
        ObjectNode metadata = (ObjectNode) changed.get("__metadata__");
        changes.forEach(metadata::put);
        return write(changed, data, name);
    }

    private static Path write(ObjectNode header, byte[] data, String name) throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        Files.write(file, new SafeTensorsBytes(JSON.writeValueAsBytes(header), data).file());
        return file;
    }
}
