package ai.dgnet.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An ONNX model that ONNX Runtime runs but whose logits are not any case's: {@code input [N, 3, H, W]} to
 * {@code logits [N, classes]} as channel means times constant weights. Written as protobuf by hand, since the build
 * has no exporter: it is what a stale or broken export in the harness's ONNX cache looks like.
 */
final class WrongOnnx {
    private WrongOnnx() {
    }

    /** Writes the model to {@code file}, where the harness's cache would hold {@code c}'s export at 224. */
    static Path writeAs(Case c, Path onnxDir) throws IOException {
        Path file = onnxDir.resolve(c.name() + "_seed" + Workloads.WEIGHT_SEED + "_classes" + Workloads.NUM_CLASSES
                + "_224.onnx");
        Files.createDirectories(onnxDir);
        Files.write(file, model(Workloads.IN_CHANNELS, Workloads.NUM_CLASSES));
        return file;
    }

    private static byte[] model(int channels, int classes) {
        ByteBuffer weights = ByteBuffer.allocate(channels * classes * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < channels * classes; i++) {
            weights.putFloat(1 + i % 7);
        }
        Message w = new Message().varint(1, channels).varint(1, classes).varint(2, 1).string(8, "W")
                .bytes(9, weights.array());
        Message graph = new Message()
                .message(1, node("GlobalAveragePool", "pooled", "input"))
                .message(1, node("Flatten", "flat", "pooled"))
                .message(1, node("MatMul", "logits", "flat", "W"))
                .string(2, "wrong").message(5, w)
                .message(11, valueInfo("input", dim("N"), dim(channels), dim("H"), dim("W")))
                .message(12, valueInfo("logits"));
        return new Message().varint(1, 8).message(7, graph).message(8, new Message().varint(2, 13)).toBytes();
    }

    private static Message node(String op, String output, String... inputs) {
        Message node = new Message();
        for (String input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(4, op);
    }

    private static Message valueInfo(String name, Message... dims) {
        Message shape = new Message();
        for (Message d : dims) {
            shape.message(1, d);
        }
        Message tensor = new Message().varint(1, 1);
        if (dims.length > 0) {
            tensor.message(2, shape);
        }
        return new Message().string(1, name).message(2, new Message().message(1, tensor));
    }

    private static Message dim(int value) {
        return new Message().varint(1, value);
    }

    private static Message dim(String param) {
        return new Message().string(2, param);
    }

    /** A protobuf message: varint and length-delimited fields only, which is all an ONNX model needs here. */
    private static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Message varint(int field, long value) {
            raw(field << 3);
            raw(value);
            return this;
        }

        Message bytes(int field, byte[] value) {
            raw(field << 3 | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Message string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Message message(int field, Message value) {
            return bytes(field, value.toBytes());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }

        private void raw(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
