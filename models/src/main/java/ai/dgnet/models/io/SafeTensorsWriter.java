package ai.dgnet.models.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes F32 tensors and string metadata as a safetensors file (spec section 5) in one
 * canonical layout, byte for byte the PyTorch reference's where names and metadata are ASCII
 * (Python escapes other characters, Jackson writes them as UTF-8): compact JSON header with
 * {@code __metadata__} first (keys sorted), then the tensors sorted by name, their data packed
 * contiguously in that order; the header is padded with spaces to a multiple of 8 bytes so
 * that every F32 tensor starts 4-byte aligned in a mapping.
 *
 * <p>The builder keeps references, not copies: arrays and segments passed to {@code add} are
 * read during {@link #write} and must not change before it returns. Each tensor is streamed
 * to disk through a small buffer, so writing a model never holds a second copy of it.
 *
 * <p>The file appears under its name only once complete ({@link AtomicFile}).
 */
public final class SafeTensorsWriter {

    private static final int CHUNK_BYTES = 1 << 20;
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private record Pending(int[] shape, MemorySegment floats) {}

    private final TreeMap<String, String> metadata = new TreeMap<>();
    private final TreeMap<String, Pending> tensors = new TreeMap<>();

    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "metadata key"), Objects.requireNonNull(value, key));
        return this;
    }

    public SafeTensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    /** Adds an F32 tensor whose row-major values are {@code data}. */
    public SafeTensorsWriter add(String name, int[] shape, float[] data) {
        return add(name, shape, MemorySegment.ofArray(data));
    }

    /**
     * Adds an F32 tensor whose row-major values are the floats in {@code data}, in the host's
     * byte order (the layout of the runtime's own tensors); they are written little-endian.
     *
     * @throws IllegalArgumentException for a duplicate or reserved name, a negative dimension,
     *                                  or data of another size than the shape
     */
    public SafeTensorsWriter add(String name, int[] shape, MemorySegment data) {
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("'__metadata__' is reserved by the format, not a tensor name");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + " added twice");
        }
        long bytes = Float.BYTES;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + ModelFileException.quote(name)
                        + ": negative dimension in shape " + Arrays.toString(shape));
            }
            bytes = Math.multiplyExact(bytes, d);
        }
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + ": shape "
                    + Arrays.toString(shape) + " needs " + bytes + " bytes of F32, data has " + data.byteSize());
        }
        tensors.put(name, new Pending(shape.clone(), data));
        return this;
    }

    /** Writes the file, replacing any file of that name only once the new one is complete ({@link AtomicFile}). */
    public void write(Path file) throws IOException {
        AtomicFile.write(file, this::writeTo);
    }

    /** Writes the file's bytes to {@code out} (standard output, say), from the header on. */
    public void writeTo(WritableByteChannel out) throws IOException {
        writeAll(out, header());
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        MemorySegment staging = MemorySegment.ofBuffer(chunk);
        for (Pending t : tensors.values()) {
            writeFloats(out, t.floats(), chunk, staging);
        }
    }

    private ByteBuffer header() {
        ObjectNode json = SafeTensors.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = json.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            ObjectNode entry = json.putObject(e.getKey());
            entry.put("dtype", SafeTensors.DType.F32.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long end = offset + e.getValue().floats().byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) & ~7;
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES + padded).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(padded).put(text);
        while (header.hasRemaining()) {
            header.put((byte) ' ');
        }
        return header.flip();
    }

    private static void writeFloats(WritableByteChannel out, MemorySegment src, ByteBuffer chunk, MemorySegment staging)
            throws IOException {
        long count = src.byteSize() / Float.BYTES;
        long perChunk = CHUNK_BYTES / Float.BYTES;
        for (long done = 0; done < count; done += perChunk) {
            long n = Math.min(perChunk, count - done);
            // A plain copy on little-endian hosts, a byte swap on big-endian ones.
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, done * Float.BYTES, staging, F32_LE, 0, n);
            writeAll(out, chunk.clear().limit((int) (n * Float.BYTES)));
        }
    }

    private static void writeAll(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
