package ai.dgnet.models.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A safetensors file's bytes as tests take them apart and put them together: the 8-byte little-endian length of the
 * JSON header, the header, then the data.
 *
 * @param header the header's JSON bytes
 * @param data   the bytes after the header
 */
public record SafeTensorsBytes(byte[] header, byte[] data) {
    /** Splits a file's bytes at the end of its header, as its length field gives it. */
    public static SafeTensorsBytes split(byte[] file) {
        int headerEnd = Math.toIntExact(Long.BYTES + ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong());
        return new SafeTensorsBytes(Arrays.copyOfRange(file, Long.BYTES, headerEnd),
                Arrays.copyOfRange(file, headerEnd, file.length));
    }

    /** The file: the header's length, written to fit it, the header, the data. */
    public byte[] file() {
        return ByteBuffer.allocate(Long.BYTES + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }
}
