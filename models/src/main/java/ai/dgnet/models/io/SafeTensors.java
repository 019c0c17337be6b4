package ai.dgnet.models.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoublePredicate;

/**
 * A safetensors file (spec section 5), memory-mapped read-only, or read whole from a stream ({@link #read}).
 *
 * <p>{@link #open} validates the whole header before it returns, so every later call can trust
 * it: each tensor has one of the format's dtypes, a sane shape, and a byte range that lies inside the
 * file, matches its shape and overlaps no other tensor. Anything wrong is a
 * {@link ModelFileException} whose message names the file and the tensor or field.
 *
 * <p>Tensor data is never copied unless asked for: {@link #data} is a slice of the mapping.
 * The mapping lives in a shared arena, so slices may be read from any thread; {@link #close}
 * unmaps the file, after which every slice handed out fails on access instead of reading
 * freed memory.
 *
 * <p>The format: an unsigned 64-bit little-endian header length {@code H}, {@code H} bytes of
 * UTF-8 JSON, then the data area. The JSON object maps each tensor name to
 * {@code {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}}, offsets relative to the
 * start of the data area, plus an optional {@code "__metadata__"} map of strings to strings.
 * Data is little-endian whatever the host's byte order.
 */
public final class SafeTensors implements AutoCloseable {

    /**
     * The format's element types of a whole byte or more. A file may hold any of them (PyTorch saves BatchNorm's
     * {@code num_batches_tracked} as I64), but only F32 and BF16 tensors can be read as values; a name outside the
     * list is rejected.
     */
    public enum DType {
        F32(4),
        BF16(2),
        F64(8),
        F16(2),
        F8_E5M2(1),
        F8_E4M3(1),
        I64(8),
        I32(4),
        I16(2),
        I8(1),
        U64(8),
        U32(4),
        U16(2),
        U8(1),
        BOOL(1);

        private final int byteSize;

        DType(int byteSize) {
            this.byteSize = byteSize;
        }

        public int byteSize() {
            return byteSize;
        }

        /** Whether this runtime reads its values: F32 and BF16. */
        public boolean readable() {
            return this == F32 || this == BF16;
        }
    }

    /** A tensor's header entry, validated. {@code byteSize} is the length of its data. */
    public record TensorInfo(String name, DType dtype, int[] shape, long byteSize) {
        public TensorInfo {
            shape = shape.clone();
        }

        /** A copy: the record stays immutable. */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            return byteSize / dtype.byteSize();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape) && byteSize == t.byteSize;
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    /**
     * The largest header accepted, as in the reference implementation of the format: a corrupt
     * length field must not make us decode gigabytes of tensor data as JSON.
     */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** What {@link #read} reads from its stream at a time. */
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private static final String METADATA = "__metadata__";
    private static final List<String> FIELDS = List.of("dtype", "shape", "data_offsets");

    private static final ValueLayout.OfLong HEADER_LENGTH =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    // Unaligned: the data area starts right after a header of any length, and a writer need
    // not pad it; x86 and AArch64 load unaligned floats at full speed anyway.
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BF16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_NATIVE = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * Strict JSON: a duplicated tensor name is an error rather than "last one wins", and
     * nothing but whitespace (the format's padding) may follow the header object.
     */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private record Slot(TensorInfo info, long begin, long end) {}

    private final Path file;
    /**
     * Open as long as the mapping, to see the file's size now: the same file, even where its name is reused. Null
     * where the bytes were read from a stream into memory of their own, which nothing else writes.
     */
    private final FileChannel channel;
    private final long mappedSize;
    /**
     * The identity and modification time of what the name gave just before the file was opened, to see it rewritten
     * in place; null if unknown.
     */
    private final BasicFileAttributes opened;
    private final Arena arena;
    private final MemorySegment dataArea;
    private final Map<String, String> metadata;
    private final TreeMap<String, Slot> tensors;

    private SafeTensors(Path file, FileChannel channel, long mappedSize, BasicFileAttributes opened, Arena arena,
                        MemorySegment dataArea, Map<String, String> metadata, TreeMap<String, Slot> tensors) {
        this.file = file;
        this.channel = channel;
        this.mappedSize = mappedSize;
        this.opened = opened;
        this.arena = arena;
        this.dataArea = dataArea;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws ModelFileException if the content is malformed, naming the file and the problem
     * @throws IOException        if the file cannot be opened or mapped
     */
    public static SafeTensors open(Path file) throws IOException {
        return open(file, () -> { });
    }

    /**
     * As {@link #open(Path)}, running {@code mapped} once the file is mapped and before its size is read again: a
     * test's way to replace or rewrite the file in that window.
     * <p>
     * Everything is read from one open channel, so a file deleted or renamed over after it was opened is no concern.
     * The name is read once, before: the file's identity and modification time, which {@link #requireUnchanged}
     * compares with the name's later on, can be read only through a name, not through a channel. Where another file
     * was renamed over the name in between, they describe a file the name no longer gives, which that comparison then
     * leaves alone; the channel's size still shows the file opened cut short or grown.
     */
    static SafeTensors open(Path file, Runnable mapped) throws IOException {
        // Opened, a folder maps as "No such device", which names neither the file nor the problem.
        if (Files.isDirectory(file)) {
            throw ModelFileException.of(file, "a folder, not a safetensors file");
        }
        // A pipe or a device reports no size, so it read as "truncated: 0 bytes", whatever it would have given.
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw ModelFileException.of(file, "not a regular file (a pipe or a device), which cannot be mapped: save "
                    + "it to a file first");
        }
        BasicFileAttributes opened = attributes(file);
        Arena arena = Arena.ofShared();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            long size = channel.size();
            requireLengthField(file, size);
            // The mapping lives as long as the arena.
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            mapped.run();
            // A file being written: its header, read now, need not match the data that follows, and a file cut short
            // would fault where its header is read.
            long now = channel.size();
            if (now != size) {
                throw ModelFileException.of(file, "changed size while being opened (" + size + " bytes, then " + now
                        + "): open it again once it is written");
            }
            return parse(file, channel, opened, arena, mapping);
        } catch (Throwable t) {
            arena.close();
            if (channel != null) {
                channel.close();
            }
            throw t;
        }
    }

    /**
     * Reads a whole safetensors file from {@code in}, a stream such as standard input, which cannot be mapped, into
     * memory of its own, and validates it as {@link #open} validates a file; {@code name} is what the messages and
     * {@link #file} call it. A stream longer than {@code limit} bytes is refused once that many are read: held whole
     * in memory, it could otherwise take all of it.
     *
     * @throws ModelFileException if the content is malformed or longer than {@code limit}, naming the problem
     * @throws IOException        if the stream cannot be read
     */
    public static SafeTensors read(Path name, InputStream in, long limit) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment bytes = readWhole(name, in, limit, arena);
            requireLengthField(name, bytes.byteSize());
            return parse(name, null, null, arena, bytes);
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /**
     * Everything {@code in} gives, in one segment of {@code arena}. The stream's length is known only at its end, so it
     * is read in chunks, then copied into a segment of its size; both off the Java heap, whose default size a stream
     * near the limit could pass.
     */
    private static MemorySegment readWhole(Path name, InputStream in, long limit, Arena arena) throws IOException {
        try (Arena chunks = Arena.ofConfined()) {
            List<MemorySegment> read = new ArrayList<>();
            byte[] buffer = new byte[READ_CHUNK_BYTES];
            long total = 0;
            for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw ModelFileException.of(name, "longer than " + limit + " bytes, the most read from a stream "
                            + "into memory: save it to a file and give its name instead");
                }
                read.add(chunks.allocate(n).copyFrom(MemorySegment.ofArray(buffer).asSlice(0, n)));
            }
            MemorySegment whole = arena.allocate(total);
            long at = 0;
            for (MemorySegment chunk : read) {
                MemorySegment.copy(chunk, 0, whole, at, chunk.byteSize());
                at += chunk.byteSize();
            }
            return whole;
        }
    }

    private static void requireLengthField(Path file, long size) {
        if (size < Long.BYTES) {
            throw ModelFileException.of(file, "truncated: " + size + " bytes, too short for the 8-byte header length");
        }
    }

    private static SafeTensors parse(Path file, FileChannel channel, BasicFileAttributes opened, Arena arena,
                                     MemorySegment mapping) {
        long available = mapping.byteSize() - Long.BYTES;
        long headerLength = mapping.get(HEADER_LENGTH, 0);
        // The field is unsigned: a negative long is a length of 2^63 or more.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw ModelFileException.of(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is absurd (limit " + MAX_HEADER_BYTES + " bytes)");
        }
        if (headerLength > available) {
            throw ModelFileException.of(file, "truncated: header length " + headerLength
                    + " exceeds the " + available + " bytes after the length field");
        }
        JsonNode header = parseJson(file, mapping.asSlice(Long.BYTES, headerLength));
        if (!header.isObject()) {
            throw ModelFileException.of(file, "header is not a JSON object");
        }
        MemorySegment dataArea = mapping.asSlice(Long.BYTES + headerLength);

        Map<String, String> metadata = Map.of();
        TreeMap<String, Slot> tensors = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals(METADATA)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                Slot slot = parseTensor(file, field.getKey(), field.getValue(), dataArea.byteSize());
                tensors.put(slot.info().name(), slot);
            }
        }
        requireDisjoint(file, tensors.values());
        return new SafeTensors(file, channel, mapping.byteSize(), opened, arena, dataArea, metadata, tensors);
    }

    private static JsonNode parseJson(Path file, MemorySegment bytes) {
        // Decoded up front so that bad UTF-8 gets its own message, not a JSON parser's guess.
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = bytes.asByteBuffer();
        String text;
        try {
            text = utf8.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw ModelFileException.of(file, "header is not valid UTF-8 (at byte "
                    + (Long.BYTES + in.position()) + " of the file)");
        }
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ModelFileException(file + ": header is not valid JSON" + where + ": "
                    + e.getOriginalMessage().replaceAll("\\s+", " "), e);
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        // null is what the reference implementation of the format writes for "no metadata".
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ModelFileException.of(file, METADATA + " is not a JSON object of strings");
        }
        TreeMap<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw ModelFileException.of(file, METADATA + " entry " + ModelFileException.quote(entry.getKey())
                        + " is not a string: " + entry.getValue());
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Slot parseTensor(Path file, String name, JsonNode entry, long dataBytes) {
        if (!entry.isObject()) {
            throw ModelFileException.of(file, name, "header entry is not a JSON object");
        }
        for (String field : FIELDS) {
            if (!entry.has(field)) {
                throw ModelFileException.of(file, name, "missing field '" + field + "'");
            }
        }
        for (Map.Entry<String, JsonNode> field : entry.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw ModelFileException.of(file, name, "unexpected field " + ModelFileException.quote(field.getKey()));
            }
        }

        DType dtype = parseDType(file, name, entry.get("dtype"));
        int[] shape = parseShape(file, name, entry.get("shape"));
        long[] offsets = parseOffsets(file, name, entry.get("data_offsets"), dataBytes);

        long needed;
        try {
            needed = dtype.byteSize();
            for (int d : shape) {
                needed = Math.multiplyExact(needed, d);
            }
        } catch (ArithmeticException e) {
            throw ModelFileException.of(file, name, "shape " + Arrays.toString(shape) + " is too large");
        }
        long held = offsets[1] - offsets[0];
        if (held != needed) {
            throw ModelFileException.of(file, name, "data_offsets " + Arrays.toString(offsets) + " hold " + held
                    + " bytes, shape " + Arrays.toString(shape) + " " + dtype + " needs " + needed);
        }
        return new Slot(new TensorInfo(name, dtype, shape, needed), offsets[0], offsets[1]);
    }

    private static DType parseDType(Path file, String name, JsonNode node) {
        if (!node.isTextual()) {
            throw ModelFileException.of(file, name, "dtype is not a string: " + node);
        }
        for (DType dtype : DType.values()) {
            if (dtype.name().equals(node.textValue())) {
                return dtype;
            }
        }
        throw ModelFileException.of(file, name, "unknown dtype " + ModelFileException.quote(node.textValue())
                + " (want one of " + Arrays.toString(DType.values()) + ")");
    }

    private static int[] parseShape(Path file, String name, JsonNode node) {
        if (!node.isArray()) {
            throw ModelFileException.of(file, name, "shape is not an array: " + node);
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber()) {
                throw ModelFileException.of(file, name, "shape " + node + " holds a non-integer " + d);
            }
            if (d.bigIntegerValue().signum() < 0) {
                throw ModelFileException.of(file, name, "shape " + node + " has a negative dimension");
            }
            if (!d.canConvertToInt()) {
                throw ModelFileException.of(file, name, "shape " + node + " has a dimension above "
                        + Integer.MAX_VALUE);
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    private static long[] parseOffsets(Path file, String name, JsonNode node, long dataBytes) {
        if (!node.isArray() || node.size() != 2 || !node.get(0).isIntegralNumber()
                || !node.get(1).isIntegralNumber()) {
            throw ModelFileException.of(file, name, "data_offsets " + node + " is not a pair of integers");
        }
        JsonNode b = node.get(0);
        JsonNode e = node.get(1);
        if (b.bigIntegerValue().signum() < 0 || e.bigIntegerValue().compareTo(b.bigIntegerValue()) < 0) {
            throw ModelFileException.of(file, name, "data_offsets " + node + " is not a range 0 <= begin <= end");
        }
        if (!e.canConvertToLong() || e.longValue() > dataBytes) {
            throw ModelFileException.of(file, name, "data_offsets " + node + " reach past the " + dataBytes
                    + " bytes of data (file truncated?)");
        }
        return new long[] {b.longValue(), e.longValue()};
    }

    /**
     * Overlap is the one layout error left once each range is known to lie in the data area.
     * Gaps between tensors are allowed: they waste bytes but mislead no reader, and the
     * PyTorch reference accepts them too.
     */
    private static void requireDisjoint(Path file, Iterable<Slot> slots) {
        List<Slot> byBegin = new ArrayList<>();
        for (Slot s : slots) {
            // An empty tensor occupies no bytes, so it cannot collide with anything.
            if (s.end() > s.begin()) {
                byBegin.add(s);
            }
        }
        byBegin.sort(Comparator.comparingLong(Slot::begin));
        for (int i = 1; i < byBegin.size(); i++) {
            Slot prev = byBegin.get(i - 1);
            Slot next = byBegin.get(i);
            if (next.begin() < prev.end()) {
                throw ModelFileException.of(file, "tensors " + ModelFileException.quote(prev.info().name())
                        + " data_offsets [" + prev.begin() + ", " + prev.end() + "] and "
                        + ModelFileException.quote(next.info().name())
                        + " data_offsets [" + next.begin() + ", " + next.end() + "] overlap");
            }
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code __metadata__} entries, sorted by key; empty if the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor names, sorted. */
    public NavigableSet<String> names() {
        return Collections.unmodifiableNavigableSet(tensors.navigableKeySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** @throws ModelFileException if the file has no tensor of that name */
    public TensorInfo info(String name) {
        return slot(name).info();
    }

    /**
     * Checks a tensor's shape, the check every loader makes for every weight.
     *
     * @throws ModelFileException naming the tensor if it is missing or has another shape
     */
    public TensorInfo requireShape(String name, int... expected) {
        TensorInfo info = info(name);
        if (!Arrays.equals(info.shape, expected)) {
            throw ModelFileException.of(file, name, "shape " + Arrays.toString(info.shape)
                    + ", expected " + Arrays.toString(expected));
        }
        return info;
    }

    /**
     * The tensor's bytes as stored: a read-only slice of the mapping, no copy. Elements are
     * little-endian and need not be aligned, so on a little-endian host an F32 slice can go to
     * native code as it is. Valid until {@link #close}.
     */
    public MemorySegment data(String name) {
        Slot s = slot(name);
        requireUnchanged(name);
        return dataArea.asSlice(s.begin(), s.end() - s.begin()).asReadOnly();
    }

    /** The tensor as a new float array: F32 copied, BF16 widened exactly. */
    public float[] floats(String name) {
        TensorInfo info = readable(name);
        if (info.elementCount() > Integer.MAX_VALUE - 8) {
            throw ModelFileException.of(file, name, info.elementCount() + " elements do not fit a Java array");
        }
        float[] out = new float[(int) info.elementCount()];
        copyFloats(name, MemorySegment.ofArray(out));
        return out;
    }

    /**
     * Copies the tensor as floats in the host's byte order into {@code dst}, which must hold
     * exactly its elements: for a loader that keeps weights off the Java heap, this is the one
     * copy between the mapping and the runtime's own memory.
     *
     * @throws IllegalArgumentException if {@code dst} has another size
     */
    public void copyFloats(String name, MemorySegment dst) {
        TensorInfo info = readable(name);
        long n = info.elementCount();
        if (dst.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("tensor " + ModelFileException.quote(name) + " has " + n
                    + " elements, destination holds " + dst.byteSize() + " bytes");
        }
        MemorySegment src = data(name);
        try {
            switch (info.dtype()) {
                case F32 -> MemorySegment.copy(src, F32_LE, 0, dst, F32_NATIVE, 0, n);
                case BF16 -> {
                    for (long i = 0; i < n; i++) {
                        dst.setAtIndex(F32_NATIVE, i, valueAt(src, DType.BF16, i));
                    }
                }
            }
        } catch (IllegalStateException e) {
            throw closedWhileReading(e);
        }
    }

    /**
     * The index of the tensor's first value (as a float) that {@code test} accepts, or -1 where none does: one pass
     * over the mapped bytes, without a copy.
     */
    public long indexOf(String name, DoublePredicate test) {
        TensorInfo info = readable(name);
        MemorySegment src = data(name);
        long n = info.elementCount();
        try {
            for (long i = 0; i < n; i++) {
                if (test.test(valueAt(src, info.dtype(), i))) {
                    return i;
                }
            }
        } catch (IllegalStateException e) {
            throw closedWhileReading(e);
        }
        return -1;
    }

    /** Value {@code index} of the tensor, as a float. */
    public float value(String name, long index) {
        TensorInfo info = readable(name);
        Objects.checkIndex(index, info.elementCount());
        MemorySegment src = data(name);
        try {
            return valueAt(src, info.dtype(), index);
        } catch (IllegalStateException e) {
            throw closedWhileReading(e);
        }
    }

    /**
     * What a read that {@link #close} from another thread cut short throws: the message of a read after close, naming
     * the file, rather than the mapping's own "Already closed", which names nothing. Any other failure as it is.
     */
    private IllegalStateException closedWhileReading(IllegalStateException e) {
        return arena.scope().isAlive() ? e : new IllegalStateException(closedMessage(), e);
    }

    private String closedMessage() {
        return file + ": closed, its tensors can no longer be read";
    }

    /** The tensor's header entry, where its values can be read as floats; else a one-line refusal naming it. */
    private TensorInfo readable(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().readable()) {
            throw ModelFileException.of(file, name, "dtype " + info.dtype() + ": only F32 and BF16 values are read");
        }
        return info;
    }

    private static float valueAt(MemorySegment src, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> src.getAtIndex(F32_LE, index);
            // BF16 is the top half of an IEEE float, so widening is exact: a 16-bit shift.
            case BF16 -> Float.intBitsToFloat((src.getAtIndex(BF16_LE, index) & 0xFFFF) << 16);
            default -> throw new IllegalStateException("no values are read from " + dtype);
        };
    }

    private Slot slot(String name) {
        Slot s = tensors.get(name);
        if (s == null) {
            throw ModelFileException.of(file, name, "missing");
        }
        return s;
    }

    /**
     * Refuses to read from a file cut short since it was mapped (a copy onto it, say): its pages past the new end are
     * gone, and the JVM would turn the fault into an InternalError at some later point of the reading thread. Refuses
     * too a file rewritten in place since (a checkpoint saved again under its name, as PyTorch's {@code save_file}
     * does): its new bytes would be read under the old header, into a network whose other weights are the old ones.
     * A file replaced by another under its name (a rename, as {@link SafeTensorsWriter} does) is no concern: the
     * mapping keeps the file it was made of.
     */
    private void requireUnchanged(String name) {
        if (channel == null) {
            // Read into memory of its own, which nothing else writes: only a close ends it.
            if (!arena.scope().isAlive()) {
                throw new IllegalStateException(closedMessage());
            }
            return;
        }
        if (!channel.isOpen()) {
            throw new IllegalStateException(closedMessage());
        }
        long now;
        try {
            now = channel.size();
        } catch (ClosedChannelException e) {
            // Closed by another thread since the check above.
            throw new IllegalStateException(closedMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read its size", e);
        }
        if (now < mappedSize) {
            throw ModelFileException.of(file, name, "cannot be read: the file was cut to " + now + " bytes after it "
                    + "was opened (" + mappedSize + " then)");
        }
        // The channel reads the file that was opened even where another has been renamed over its name.
        if (now > mappedSize) {
            throw rewritten(name, now + " bytes, " + mappedSize + " then");
        }
        BasicFileAttributes current = attributes(file);
        if (opened != null && current != null && opened.fileKey().equals(current.fileKey())
                && !opened.lastModifiedTime().equals(current.lastModifiedTime())) {
            throw rewritten(name, "modified " + current.lastModifiedTime() + ", " + opened.lastModifiedTime()
                    + " then");
        }
    }

    private ModelFileException rewritten(String name, String evidence) {
        return ModelFileException.of(file, name, "cannot be read: the file was rewritten after it was opened ("
                + evidence + "): open it again");
    }

    /**
     * What names {@code file} now and when it was modified; null where the file system gives no identity (no file
     * key) or the name is gone, in which case the mapping is all there is to read and nothing can be compared.
     */
    private static BasicFileAttributes attributes(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.fileKey() == null ? null : attributes;
        } catch (IOException e) {
            return null;
        }
    }

    /** Unmaps the file, or frees the memory it was read into. Idempotent, also when threads close it at once. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot close", e);
            }
        }
    }
}
