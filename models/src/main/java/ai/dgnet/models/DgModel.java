package ai.dgnet.models;

import ai.dgnet.models.arch.Architectures;
import ai.dgnet.models.arch.NetworkDef;
import ai.dgnet.models.arch.Param;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.models.io.SafeTensorsWriter;
import ai.dgnet.runtime.Closeables;
import ai.dgnet.runtime.Device;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A DG-Net model: its configuration and where its weights come from, a memory-mapped model file or the
 * deterministic generator. Sessions read the weights once per input shape, while they prepare its network; the model
 * itself holds no copy. Closing a loaded model unmaps its file: its sessions keep running the shapes whose networks
 * they hold, and refuse to prepare any other (a new shape, or one whose network {@link SessionOptions#maxShapes}
 * pushed out) with an {@link IllegalStateException}.
 */
public final class DgModel implements AutoCloseable {
    /** The extension of model files, by which a folder of them is told from other files. */
    public static final String FILE_EXTENSION = ".safetensors";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ModelConfig config;
    private final NetworkDef network;
    private final WeightSource weights;
    private final SafeTensors file;
    private volatile boolean closed;

    private DgModel(ModelConfig config, WeightSource weights, SafeTensors file) {
        this.config = config;
        this.network = Architectures.build(config.arch(), config.inChannels(), config.numClasses());
        this.weights = weights;
        this.file = file;
    }

    /** A model with the deterministic weights of spec section 6 for {@code seed}. */
    public static DgModel random(ModelConfig config, long seed) {
        return new DgModel(config, (name, shape) -> DeterministicWeights.generate(name, shape, seed), null);
    }

    /** A model of {@code arch} in {@code mode}, {@link ModelConfig#of}'s defaults, the weights for {@code seed}. */
    public static DgModel random(Arch arch, Mode mode, long seed) {
        return random(ModelConfig.of(arch, mode), seed);
    }

    /**
     * Opens a model file (spec section 5) and checks every tensor against the architecture its metadata names.
     *
     * @throws ModelFileException naming the file and the tensor or field at fault, or why it cannot be read
     */
    public static DgModel load(Path path) {
        SafeTensors st;
        try {
            st = SafeTensors.open(path);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelFileException(path + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ModelFileException(path + ": permission denied", e);
        } catch (IOException e) {
            throw new ModelFileException(path + ": cannot read: " + e, e);
        }
        try {
            ModelConfig config = configOf(path, st.metadata());
            DgModel model = new DgModel(config, (name, shape) -> st.floats(name), st);
            model.validate(path, st);
            return model;
        } catch (RuntimeException e) {
            throw Closeables.closeAfter(e, st);
        }
    }

    private static ModelConfig configOf(Path path, Map<String, String> meta) {
        Arch arch = parse(path, meta, "dgnet.arch", null, Arch::parse);
        Mode mode = parse(path, meta, "dgnet.mode", null, Mode::parse);
        // Decimal notation only: Float.parseFloat would also take "NaN", hexadecimal and a trailing "f".
        float threshold = parse(path, meta, "dgnet.threshold", "0.5", DgModel::decimal);
        int classes = parse(path, meta, "dgnet.num_classes", null, Integer::parseInt);
        int channels = parse(path, meta, "dgnet.in_channels", "3", Integer::parseInt);
        List<String> labels = parse(path, meta, "dgnet.labels", "[]", DgModel::labels);
        ModelConfig.Preprocess preprocess = parseOptional(path, meta, "dgnet.preprocess", DgModel::preprocess);
        try {
            return new ModelConfig(arch, mode, threshold, classes, channels, labels, preprocess);
        } catch (IllegalArgumentException e) {
            throw ModelFileException.of(path, "bad metadata: " + e.getMessage());
        }
    }

    private interface Parser<T> {
        T parse(String text) throws Exception;
    }

    /** The value of a required key, or of an optional one with a default. */
    private static <T> T parse(Path path, Map<String, String> meta, String key, String fallback, Parser<T> parser) {
        String text = meta.getOrDefault(key, fallback);
        if (text == null) {
            throw ModelFileException.of(path, "metadata '" + key + "' is missing");
        }
        try {
            return parser.parse(text.strip());
        } catch (Exception e) {
            throw ModelFileException.of(path, "metadata '" + key + "' = '" + text + "' is invalid: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                    .orElse("")));
        }
    }

    /** The value of an optional key without a default, or null when the file has none. */
    private static <T> T parseOptional(Path path, Map<String, String> meta, String key, Parser<T> parser) {
        return meta.containsKey(key) ? parse(path, meta, key, null, parser) : null;
    }

    /**
     * The one JSON value {@code text} holds. Anything after it is refused: readTree alone would drop it, and with it
     * what the writer meant (a second {@code "crop"} after a closed object).
     */
    private static JsonNode json(String text) throws IOException {
        try (JsonParser parser = JSON.createParser(text)) {
            JsonNode node = JSON.readTree(parser);
            int end = parser.currentLocation().getColumnNr();
            boolean more;
            try {
                more = parser.nextToken() != null;
            } catch (JacksonException e) {
                // What follows is not even a token ("]" closing nothing): the value still ended where it did.
                more = true;
            }
            if (more) {
                throw new IllegalArgumentException("text after the JSON value, from column " + end);
            }
            return node;
        }
    }

    private static List<String> labels(String text) throws IOException {
        JsonNode node = json(text);
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a JSON array of class names");
        }
        List<String> labels = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("expected strings, got " + item);
            }
            labels.add(item.asText());
        }
        return labels;
    }

    private static ModelConfig.Preprocess preprocess(String text) throws IOException {
        JsonNode node = json(text);
        if (!node.isObject() || !isInt(node.path("resize")) || !isInt(node.path("crop"))
                || !node.path("mean").isArray() || !node.path("std").isArray()) {
            throw new IllegalArgumentException("expected {\"resize\":N,\"crop\":N,\"mean\":[...],\"std\":[...]} with "
                    + "whole numbers N");
        }
        return new ModelConfig.Preprocess(node.get("resize").asInt(), node.get("crop").asInt(),
                floats(node.get("mean")), floats(node.get("std")));
    }

    private static float decimal(String text) {
        try {
            return new BigDecimal(text).floatValue();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a decimal number such as 0.5");
        }
    }

    /** A whole number in int's range, 32.0 included: {@code canConvertToInt} alone would take 31.7 as 31. */
    private static boolean isInt(JsonNode node) {
        return node.isNumber() && node.canConvertToInt() && node.doubleValue() == node.intValue();
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).isNumber()) {
                throw new IllegalArgumentException("expected numbers, got " + array.get(i));
            }
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    /**
     * Refuses a tensor with a NaN or infinite value, or a BatchNorm's running variance with a negative one: no trained
     * network holds them, and through the routers (an edge whose score is NaN is dropped) they would give answers
     * instead of NaN logits. Checked at load, so that a server refuses the file at start, not at every request.
     */
    private static void requireUsableValues(Path path, SafeTensors st, String name) {
        boolean variance = name.endsWith(".running_var");
        long at = st.indexOf(name, v -> !Double.isFinite(v) || variance && v < 0);
        if (at >= 0) {
            throw ModelFileException.of(path, name, "value " + at + " of " + st.info(name).elementCount() + " is "
                    + st.value(name, at)
                    + (variance ? ": a variance must be finite and >= 0" : ": weights must be finite"));
        }
    }

    /** Every tensor the architecture needs is present with its shape; nothing else is there. */
    private void validate(Path path, SafeTensors st) {
        Set<String> expected = new HashSet<>();
        Set<String> batchNorms = new HashSet<>();
        for (Param p : network.requiredParams(config.mode())) {
            if (!st.contains(p.name())) {
                throw ModelFileException.of(path, p.name(), "missing (the " + config.arch() + " "
                        + config.mode().label() + " model needs it, shape " + java.util.Arrays.toString(p.shape()) + ")");
            }
            st.requireShape(p.name(), p.shape());
            requireUsableValues(path, st, p.name());
            expected.add(p.name());
            if (p.name().endsWith(".running_mean")) {
                batchNorms.add(p.name().substring(0, p.name().length() - ".running_mean".length()));
            }
        }
        if (config.mode() == Mode.STATIC) {
            for (Param p : network.routerParams()) {
                if (st.contains(p.name())) {
                    st.requireShape(p.name(), p.shape());
                    expected.add(p.name());
                }
            }
        }
        for (String name : st.names()) {
            boolean counter = name.endsWith(".num_batches_tracked")
                    && batchNorms.contains(name.substring(0, name.length() - ".num_batches_tracked".length()));
            if (!expected.contains(name) && !counter) {
                throw ModelFileException.of(path, name, "unexpected: " + config.arch() + " has no such tensor");
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    NetworkDef network() {
        return network;
    }

    WeightSource weights() {
        return weights;
    }

    /**
     * Refuses, in one line, to prepare a network for {@code input} once a loaded model is closed: otherwise the first
     * read of its file would fail with the file's own message, which says nothing of the session or the shape.
     */
    void requireWeights(Shape input) {
        if (closed && file != null) {
            throw new IllegalStateException("cannot prepare the network for input " + input + ": the model "
                    + file.file() + " is closed, and a network is prepared from its weights (close a model after "
                    + "its sessions)");
        }
    }

    /** A session on {@code device} using the model's threshold, in f32. */
    public Session session(Device device) {
        return session(device, SessionOptions.defaults());
    }

    /**
     * A session on {@code device} routing with {@code threshold} instead of the model's.
     *
     * @throws IllegalArgumentException for a threshold outside [0, 1]
     */
    public Session session(Device device, float threshold) {
        return session(device, SessionOptions.defaults().withThreshold(threshold));
    }

    /**
     * A session on {@code device} with {@code options}.
     *
     * @throws IllegalArgumentException if the device cannot compute in their precision (bf16 where
     *                                  {@code device.supports(DType.BF16)} is false)
     */
    public Session session(Device device, SessionOptions options) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(options, "options");
        if (!device.supports(options.precision().activations())) {
            throw new IllegalArgumentException("precision " + options.precision() + " needs a device with "
                    + options.precision() + " convolutions; " + device.name() + " has none");
        }
        float tau = options.threshold() == null ? config.threshold() : options.threshold();
        return new Session(this, device, tau, options.precision(), options.maxShapes());
    }

    /**
     * Writes this model as a model file: every tensor its mode needs, and the metadata of spec section 5. A file of
     * that name is replaced only once the new one is complete.
     *
     * @throws UncheckedIOException {@code cannot write FILE: REASON}
     */
    public void save(Path path) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dgnet.arch", config.arch().id());
        meta.put("dgnet.mode", config.mode().label());
        meta.put("dgnet.threshold", Float.toString(config.threshold()));
        meta.put("dgnet.num_classes", Integer.toString(config.numClasses()));
        meta.put("dgnet.in_channels", Integer.toString(config.inChannels()));
        try {
            if (!config.labels().isEmpty()) {
                meta.put("dgnet.labels", JSON.writeValueAsString(config.labels()));
            }
            ModelConfig.Preprocess pre = config.preprocess();
            if (pre != null) {
                Map<String, Object> preprocess = new LinkedHashMap<>();
                preprocess.put("resize", pre.resize());
                preprocess.put("crop", pre.crop());
                preprocess.put("mean", pre.mean());
                preprocess.put("std", pre.std());
                meta.put("dgnet.preprocess", JSON.writeValueAsString(preprocess));
            }
            SafeTensorsWriter writer = new SafeTensorsWriter().metadata(meta);
            for (Param p : network.requiredParams(config.mode())) {
                writer.add(p.name(), p.shape(), weights.read(p.name(), p.shape()));
            }
            writer.write(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + reason(path, e), e);
        }
    }

    /**
     * Why writing {@code path} failed, in words that do not name it again: the message of an error about the file
     * itself is its name and then the reason, or (no such folder, permission denied) nothing but its name.
     */
    private static String reason(Path path, IOException e) {
        if (e instanceof FileSystemException f && path.toString().equals(f.getFile())) {
            return switch (f) {
                case AccessDeniedException a -> "permission denied";
                // The file is being created: what is missing is its folder.
                case NoSuchFileException n -> "no such folder";
                default -> Objects.requireNonNullElse(f.getReason(), f.getClass().getSimpleName());
            };
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        if (file != null) {
            file.close();
        }
    }
}
