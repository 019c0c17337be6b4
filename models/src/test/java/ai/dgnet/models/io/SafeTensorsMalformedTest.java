package ai.dgnet.models.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every way a file can be malformed is refused at {@link SafeTensors#open} with one line that
 * names the file and the tensor or field at fault, and the same bytes read from a stream
 * ({@link SafeTensors#read}) with the same line, naming the stream.
 */
class SafeTensorsMalformedTest {
    private static final String DTYPES = "[F32, BF16, F64, F16, F8_E5M2, F8_E4M3, I64, I32, I16, I8, U64, U32, U16, "
            + "U8, BOOL]";

    /** What the messages call a stream read by {@link SafeTensors#read}. */
    private static final Path STREAM = Path.of("standard input");

    @TempDir
    Path dir;

    /** A file of the given header, taken as is (no padding), then {@code data}. */
    static byte[] file(String header, byte[] data) {
        return new SafeTensorsBytes(header.getBytes(StandardCharsets.UTF_8), data).file();
    }

    /** Headers below are written with ' for " so that they stay readable. */
    private static byte[] file(String header, int dataBytes) {
        return file(header.replace('\'', '"'), new byte[dataBytes]);
    }

    private static byte[] headerLength(long length, int bytesAfter) {
        return ByteBuffer.allocate(8 + bytesAfter).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array();
    }

    private ModelFileException reject(byte[] content) throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, content);
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        ModelFileException streamed = assertThrows(ModelFileException.class,
                () -> SafeTensors.read(STREAM, new ByteArrayInputStream(content), content.length).close());
        assertEquals(STREAM + e.getMessage().substring(file.toString().length()), streamed.getMessage());
        return e;
    }

    private void assertRejected(byte[] content, String problem) throws IOException {
        assertEquals(dir.resolve("model.safetensors") + ": " + problem, reject(content).getMessage());
    }

    static Stream<Arguments> badHeaders() {
        String f32x4 = "'dtype':'F32','shape':[4],'data_offsets':[0,16]";
        return Stream.of(
                arguments("{'__metadata__':'x'}", 0, "__metadata__ is not a JSON object of strings"),
                arguments("{'__metadata__':['x']}", 0, "__metadata__ is not a JSON object of strings"),
                arguments("{'__metadata__':{'dgnet.num_classes':10}}", 0,
                        "__metadata__ entry 'dgnet.num_classes' is not a string: 10"),
                arguments("{'__metadata__':{'k':{'a':'b'}}}", 0, "__metadata__ entry 'k' is not a string: {\"a\":\"b\"}"),
                arguments("{'a':[0,16]}", 16, "tensor 'a': header entry is not a JSON object"),
                arguments("{'a\\nb':1}", 0, "tensor 'a\\u000ab': header entry is not a JSON object"),
                arguments("{'a':{'shape':[4],'data_offsets':[0,16]}}", 16, "tensor 'a': missing field 'dtype'"),
                arguments("{'a':{'dtype':'F32','data_offsets':[0,16]}}", 16, "tensor 'a': missing field 'shape'"),
                arguments("{'a':{'dtype':'F32','shape':[4]}}", 16, "tensor 'a': missing field 'data_offsets'"),
                arguments("{'a':{" + f32x4 + ",'layout':'nchw'}}", 16, "tensor 'a': unexpected field 'layout'"),
                arguments("{'a':{'dtype':'F4','shape':[4],'data_offsets':[0,2]}}", 2,
                        "tensor 'a': unknown dtype 'F4' (want one of " + DTYPES + ")"),
                arguments("{'a':{'dtype':'f32','shape':[4],'data_offsets':[0,16]}}", 16,
                        "tensor 'a': unknown dtype 'f32' (want one of " + DTYPES + ")"),
                arguments("{'a':{'dtype':'I64','shape':[4],'data_offsets':[0,16]}}", 16,
                        "tensor 'a': data_offsets [0, 16] hold 16 bytes, shape [4] I64 needs 32"),
                arguments("{'a':{'dtype':32,'shape':[4],'data_offsets':[0,16]}}", 16,
                        "tensor 'a': dtype is not a string: 32"),
                arguments("{'a':{'dtype':'F32','shape':[4,-1],'data_offsets':[0,0]}}", 0,
                        "tensor 'a': shape [4,-1] has a negative dimension"),
                arguments("{'a':{'dtype':'F32','shape':[4294967296,0],'data_offsets':[0,0]}}", 0,
                        "tensor 'a': shape [4294967296,0] has a dimension above 2147483647"),
                arguments("{'a':{'dtype':'F32','shape':[2147483647,2147483647,2147483647],'data_offsets':[0,0]}}", 0,
                        "tensor 'a': shape [2147483647, 2147483647, 2147483647] is too large"),
                arguments("{'a':{'dtype':'F32','shape':[4.0],'data_offsets':[0,16]}}", 16,
                        "tensor 'a': shape [4.0] holds a non-integer 4.0"),
                arguments("{'a':{'dtype':'F32','shape':'4','data_offsets':[0,16]}}", 16,
                        "tensor 'a': shape is not an array: \"4\""),
                arguments("{'layer1.0.conv1.weight':{'dtype':'F32','shape':[64,64,3,3],'data_offsets':[0,100]}}", 100,
                        "tensor 'layer1.0.conv1.weight': data_offsets [0, 100] hold 100 bytes, "
                                + "shape [64, 64, 3, 3] F32 needs 147456"),
                arguments("{'a':{'dtype':'BF16','shape':[4],'data_offsets':[0,16]}}", 16,
                        "tensor 'a': data_offsets [0, 16] hold 16 bytes, shape [4] BF16 needs 8"),
                arguments("{'a':{'dtype':'F32','shape':[],'data_offsets':[0,0]}}", 4,
                        "tensor 'a': data_offsets [0, 0] hold 0 bytes, shape [] F32 needs 4"),
                arguments("{'a':{" + f32x4 + "}}", 8,
                        "tensor 'a': data_offsets [0,16] reach past the 8 bytes of data (file truncated?)"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,100000000000000000000]}}", 4,
                        "tensor 'a': data_offsets [0,100000000000000000000] reach past the 4 bytes of data "
                                + "(file truncated?)"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':[8,4]}}", 8,
                        "tensor 'a': data_offsets [8,4] is not a range 0 <= begin <= end"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':[-4,0]}}", 8,
                        "tensor 'a': data_offsets [-4,0] is not a range 0 <= begin <= end"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4,8]}}", 8,
                        "tensor 'a': data_offsets [0,4,8] is not a pair of integers"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4.0]}}", 8,
                        "tensor 'a': data_offsets [0,4.0] is not a pair of integers"),
                arguments("{'a':{'dtype':'F32','shape':[1],'data_offsets':null}}", 8,
                        "tensor 'a': data_offsets null is not a pair of integers"),
                arguments("{'a':{" + f32x4 + "},'b':{'dtype':'F32','shape':[4],'data_offsets':[8,24]}}", 24,
                        "tensors 'a' data_offsets [0, 16] and 'b' data_offsets [8, 24] overlap"),
                arguments("{'b':{" + f32x4 + "},'a':{" + f32x4 + "}}", 16,
                        "tensors 'a' data_offsets [0, 16] and 'b' data_offsets [0, 16] overlap"),
                arguments("[]", 0, "header is not a JSON object"),
                arguments("", 0, "header is not a JSON object"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badHeaders")
    void rejectsBadHeader(String header, int dataBytes, String problem) throws IOException {
        assertRejected(file(header, dataBytes), problem);
    }

    @Test
    void rejectsFilesTooShortForTheHeaderLength() throws IOException {
        assertRejected(new byte[0], "truncated: 0 bytes, too short for the 8-byte header length");
        assertRejected(new byte[7], "truncated: 7 bytes, too short for the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        assertRejected(headerLength(100, 10), "truncated: header length 100 exceeds the 10 bytes after the length field");
    }

    @Test
    void rejectsAbsurdHeaderLengthBeforeLookingFurther() throws IOException {
        assertRejected(headerLength(-1, 0), "header length 18446744073709551615 is absurd (limit 100000000 bytes)");
        assertRejected(headerLength(100_000_001, 16), "header length 100000001 is absurd (limit 100000000 bytes)");
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() throws IOException {
        byte[] content = file("{\"a\":{}}", 0);
        content[8 + 2] = (byte) 0xFF;
        assertRejected(content, "header is not valid UTF-8 (at byte 10 of the file)");
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        String prefix = dir.resolve("model.safetensors") + ": header is not valid JSON at line 1, column ";
        for (String header : new String[] {"{'a':", "{'a':{}", "{'a':1,}", "{/* c */}", "{} {}", "{'a':NaN}"}) {
            String message = reject(file(header, 0)).getMessage();
            assertTrue(message.startsWith(prefix), message);
        }
    }

    @Test
    void rejectsDuplicateNamesInsteadOfKeepingTheLast() throws IOException {
        String entry = "{'dtype':'F32','shape':[1],'data_offsets':[0,4]}";
        String message = reject(file("{'a':" + entry + ",'a':" + entry + "}", 4)).getMessage();
        assertTrue(message.contains("Duplicate field 'a'"), message);
    }

    /**
     * A stream is held whole in memory, so one longer than the limit is refused once it has given one byte more, not
     * read to its end: here an endless one.
     */
    @Test
    void rejectsAStreamLongerThanTheLimit() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }
        };
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> SafeTensors.read(STREAM, endless, 3 << 20).close());
        assertEquals(STREAM + ": longer than 3145728 bytes, the most read from a stream into memory: save it to a "
                + "file and give its name instead", e.getMessage());
    }
}
