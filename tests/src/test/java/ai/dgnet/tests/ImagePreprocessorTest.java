package ai.dgnet.tests;

import ai.dgnet.models.Arch;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.image.ImagePreprocessor;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ImagePreprocessor} against torchvision's {@code Resize, CenterCrop, ToTensor, Normalize} on PIL images
 * (golden tensors written by {@code tests/reference/make_image_golden.py}): PNGs give exactly torchvision's floats.
 * And one-line errors for bad files.
 */
class ImagePreprocessorTest {
    /**
     * JPEG decoders (libjpeg-turbo in PIL, the JDK's own) may differ by a few 8-bit steps (on the golden JPEG they
     * agree exactly). PNGs are compared for equality: they decode to the same bytes in both, the resampling is PIL's
     * integer arithmetic, and the normalization is the same float32 operations as torch's.
     */
    private static final int JPEG_STEPS = 3;

    record Case(String tensor, Path image, int channels, int resize, int crop, float[] mean, float[] std) {
        @Override
        public String toString() {
            return tensor;
        }

        ImagePreprocessor preprocessor() {
            return ImagePreprocessor.of(new ModelConfig(Arch.RESNET20, Mode.STATIC, 0.5f, 10, channels, List.of(),
                    new ModelConfig.Preprocess(resize, crop, mean, std)));
        }
    }

    static Path folder() throws URISyntaxException {
        return Path.of(ImagePreprocessorTest.class.getResource("/images").toURI());
    }

    static List<Case> cases() throws IOException, URISyntaxException {
        try (SafeTensors golden = SafeTensors.open(folder().resolve("images.safetensors"))) {
            JsonNode cases = JsonMapper.builder().build().readTree(golden.metadata().get("cases"));
            List<Case> list = new ArrayList<>();
            for (JsonNode c : cases) {
                list.add(new Case(c.get("tensor").asText(), folder().resolve(c.get("image").asText()),
                        c.get("channels").asInt(), c.get("resize").asInt(), c.get("crop").asInt(),
                        floats(c.get("mean")), floats(c.get("std"))));
            }
            return list;
        }
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchvision(Case c) throws IOException, URISyntaxException {
        float[] expected;
        int[] shape;
        try (SafeTensors golden = SafeTensors.open(folder().resolve("images.safetensors"))) {
            expected = golden.floats(c.tensor());
            shape = golden.info(c.tensor()).shape();
        }
        ImagePreprocessor pre = c.preprocessor();
        assertArrayEquals(new int[] {c.channels(), c.crop(), c.crop()}, shape, "golden shape");
        assertEquals(c.channels(), pre.channels());
        assertEquals(c.crop(), pre.height());
        assertEquals(c.crop(), pre.width());
        assertAgrees(c, c.tensor(), expected, pre.read(c.image()));
    }

    /** PNGs to the float, JPEGs within {@link #JPEG_STEPS}. */
    private static void assertAgrees(Case c, String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        boolean jpeg = c.image().toString().endsWith(".jpg");
        int plane = c.crop() * c.crop();
        for (int i = 0; i < expected.length; i++) {
            if (jpeg) {
                // Back to 8-bit steps, so that one bound serves every channel's std.
                double steps = Math.abs(actual[i] - expected[i]) * c.std()[i / plane] * 255;
                assertTrue(steps <= JPEG_STEPS, what + ": value " + i + " differs by " + steps + " 8-bit steps");
            } else {
                assertEquals(expected[i], actual[i], what + ": value " + i);
            }
        }
    }

    /**
     * PIL ignores a JPEG's embedded colour profile: the golden JPEG with one added (a valid one that is not sRGB, or
     * one that is not a profile at all) still gives the golden tensor. The JDK's reader would convert the pixels from
     * the profile to sRGB, or warn about the broken profile.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void aJpegsEmbeddedColourProfileIsIgnoredAsPilDoes(String profile, byte[] iccData)
            throws IOException, URISyntaxException {
        assertGivesTheGolden("photo_64x48.RGB.48.40", profile, jpeg -> withIccProfile(jpeg, iccData));
    }

    /**
     * Bytes between a JPEG's last scan and its end marker: libjpeg (PIL's decoder, and the JDK's) warns and skips
     * them, the image is whole, and PIL decodes it as without them.
     */
    @Test
    void aJpegWithExtraneousBytesBeforeAMarkerIsReadAsPilReadsIt() throws IOException, URISyntaxException {
        assertGivesTheGolden("photo_64x48.RGB.48.40", "extraneous bytes", jpeg -> {
            int end = jpeg.length - 2;
            byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 4);
            System.arraycopy(new byte[] {0, 1, 2, 3}, 0, padded, end, 4);
            padded[end + 4] = (byte) 0xff;
            padded[end + 5] = (byte) 0xd9;
            return padded;
        });
    }

    /**
     * A 16-bit greyscale PNG with a tRNS chunk: the JDK's reader makes an alpha band of it (as of a grey and alpha PNG,
     * whose samples PIL reads by their high byte), PIL keeps it as 32-bit integers clipped at 255 on conversion as
     * without the chunk.
     */
    @Test
    void a16BitGreyPngWithATransparentGreyIsClippedAsPilClipsIt() throws IOException, URISyntaxException {
        for (String tensor : new String[] {"gray16_38x27.L.30.24", "gray16_38x27.RGB.27.27"}) {
            assertGivesTheGolden(tensor, "tRNS", png -> {
                // After the signature (8 bytes) and the IHDR chunk (25): the grey value 300 transparent.
                byte[] transparent = {'t', 'R', 'N', 'S', 1, 44};
                CRC32 crc = new CRC32();
                crc.update(transparent);
                ByteBuffer chunk = ByteBuffer.allocate(4 + transparent.length + 4)
                        .putInt(2).put(transparent).putInt((int) crc.getValue());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(png, 0, 33);
                out.writeBytes(chunk.array());
                out.write(png, 33, png.length - 33);
                return out.toByteArray();
            });
        }
    }

    /** The golden case {@code tensor}'s image changed by {@code change}, which PIL decodes the same: its tensor. */
    private static void assertGivesTheGolden(String tensor, String what, UnaryOperator<byte[]> change)
            throws IOException, URISyntaxException {
        Case c = cases().stream().filter(k -> k.tensor().equals(tensor)).findFirst().orElseThrow();
        float[] expected;
        try (SafeTensors golden = SafeTensors.open(folder().resolve("images.safetensors"))) {
            expected = golden.floats(c.tensor());
        }
        assertAgrees(c, what, expected, c.preprocessor().decode(change.apply(Files.readAllBytes(c.image())), what));
    }

    static List<Arguments> profiles() {
        return List.of(Arguments.of("linear RGB", ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData()),
                Arguments.of("not a profile", "not an ICC profile".repeat(20).getBytes(StandardCharsets.US_ASCII)));
    }

    /** {@code jpeg} with an APP2 ICC_PROFILE segment holding {@code icc} inserted after its SOI marker. */
    private static byte[] withIccProfile(byte[] jpeg, byte[] icc) {
        byte[] tag = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + tag.length + 2 + icc.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe2, (byte) (length >> 8), (byte) length});
        out.writeBytes(tag);
        out.writeBytes(new byte[] {1, 1});
        out.writeBytes(icc);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    @Test
    void decodeOfBytesEqualsReadOfTheFile() throws IOException, URISyntaxException {
        Case c = cases().getFirst();
        byte[] bytes = Files.readAllBytes(c.image());
        assertArrayEquals(c.preprocessor().read(c.image()), c.preprocessor().decode(bytes, "upload"));
    }

    @Test
    void aSolidColourStaysThatColourThroughResizeAndNormalization() {
        BufferedImage image = new BufferedImage(31, 17, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 17; y++) {
            for (int x = 0; x < 31; x++) {
                image.setRGB(x, y, (200 << 16) | (100 << 8) | 50);
            }
        }
        ImagePreprocessor pre = ImagePreprocessor.of(ModelConfig.of(Arch.RESNET18, Mode.STATIC));
        assertEquals(224, pre.height());
        float[] out = pre.apply(image);
        assertEquals(3 * 224 * 224, out.length);
        int plane = 224 * 224;
        assertEquals((200 / 255f - 0.485f) / 0.229f, out[0], 1e-6);
        assertEquals((100 / 255f - 0.456f) / 0.224f, out[plane + 500], 1e-6);
        assertEquals((50 / 255f - 0.406f) / 0.225f, out[3 * plane - 1], 1e-6);
    }

    @Test
    void rgbToGreyUsesPilsLumaInIntegers() {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.setRGB(x, y, (10 << 16) | (200 << 8) | 255);
            }
        }
        ImagePreprocessor pre = ImagePreprocessor.of(new ModelConfig(Arch.RESNET20, Mode.STATIC, 0.5f, 10, 1,
                List.of(), new ModelConfig.Preprocess(4, 4, new float[] {0f}, new float[] {1f})));
        // (10 * 19595 + 200 * 38470 + 255 * 7471 + 0x8000) >> 16 = 149 (the float formula gives 149.03).
        float[] out = pre.apply(image);
        assertEquals(16, out.length);
        for (float v : out) {
            assertEquals(149 / 255f, v);
        }
    }

    @Test
    void configsItCannotServeAreRefused() {
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessor.of(ModelConfig.of(Arch.RESNET18, Mode.STATIC).withClasses(10, 4)));
        assertTrue(channels.getMessage().contains("1 or 3"), channels.getMessage());
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessor.of(new ModelConfig(Arch.RESNET20, Mode.STATIC, 0.5f, 10, 3, List.of(),
                        new ModelConfig.Preprocess(32, 32, new float[] {0.5f}, new float[] {0.5f}))));
        assertTrue(mean.getMessage().contains("3 mean and std"), mean.getMessage());
        IllegalArgumentException crop = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessor.of(new ModelConfig(Arch.RESNET20, Mode.STATIC, 0.5f, 10, 1, List.of(),
                        new ModelConfig.Preprocess(32, 40, new float[] {0.5f}, new float[] {0.5f}))));
        assertTrue(crop.getMessage().contains("crop"), crop.getMessage());
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) throws IOException, URISyntaxException {
        ImagePreprocessor pre = ImagePreprocessor.of(ModelConfig.of(Arch.RESNET18, Mode.STATIC));
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image\n", StandardCharsets.UTF_8);
        assertBadFile(pre, text, "not a JPEG or PNG");
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertBadFile(pre, empty, "empty");
        byte[] png = Files.readAllBytes(folder().resolve("rgb_97x61.png"));
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(png, png.length / 2));
        assertBadFile(pre, truncated, "cannot decode");
        byte[] jpeg = Files.readAllBytes(folder().resolve("photo_64x48.jpg"));
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        assertBadFile(pre, cut, "cut.jpg");
        Path gif = dir.resolve("image.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "gif", gif.toFile());
        assertBadFile(pre, gif, "GIF");
        assertBadFile(pre, dir.resolve("missing.png"), "no such file");
    }

    @Test
    void imagesWhoseHeaderDeclaresTooManyPixelsAreRefusedBeforeDecoding() throws IOException {
        // A valid 1x1 PNG whose IHDR is patched to 10000 x 10000 (the CRC is not what the readers check first).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", out);
        byte[] png = out.toByteArray();
        for (int at : new int[] {16, 20}) {
            png[at] = 0;
            png[at + 1] = 0;
            png[at + 2] = (byte) (10_000 >> 8);
            png[at + 3] = (byte) (10_000 & 0xff);
        }
        ImagePreprocessor pre = ImagePreprocessor.of(ModelConfig.of(Arch.RESNET18, Mode.STATIC));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pre.decode(png, "bomb"));
        assertTrue(e.getMessage().startsWith("bomb: ") && e.getMessage().contains("megapixels"), e.getMessage());
    }

    @Test
    void decodingTellsTheHeapItWillTakeFirstAndEndsAsTheListenerSays() throws IOException {
        ImagePreprocessor pre = ImagePreprocessor.of(ModelConfig.of(Arch.RESNET18, Mode.STATIC));
        // RGB (3 bytes a pixel as decoded) and RGBA (4 bytes), each with the 3 planes of bytes made for this model.
        for (int[] png : new int[][] {{BufferedImage.TYPE_INT_RGB, 3}, {BufferedImage.TYPE_4BYTE_ABGR, 4}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(40, 30, png[0]), "png", out);
            long[] told = {-1};
            float[] values = pre.decode(out.toByteArray(), "upload", bytes -> told[0] = bytes);
            assertEquals(3 * 224 * 224, values.length);
            // The raster and the three planes per pixel; per column, the decoder's two rows and three int rows.
            assertEquals(40 * 30 * (png[1] + 3) + 40 * (2 * png[1] + 3 * Integer.BYTES), told[0]);
        }
        // A wide image of one row holds little per pixel but its rows' buffers per column: 4 000 000 x 1 RGB takes
        // 12 MB of raster and 12 MB of planes, and three int rows of 16 MB each; told less, a budget would let it
        // pass where it cannot pay.
        ByteArrayOutputStream wide = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4_000_000, 1, BufferedImage.TYPE_3BYTE_BGR), "png", wide);
        IllegalStateException enough = new IllegalStateException("told enough");
        long[] toldWide = {-1};
        assertThrows(IllegalStateException.class, () -> pre.decode(wide.toByteArray(), "wide", bytes -> {
            toldWide[0] = bytes;
            throw enough;
        }));
        assertTrue(toldWide[0] >= 4_000_000L * (3 + 3 + 3 * Integer.BYTES), "told " + toldWide[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "jpeg", out);
        IllegalStateException refusal = new IllegalStateException("no room");
        assertEquals(refusal, assertThrows(IllegalStateException.class,
                () -> pre.decode(out.toByteArray(), "upload", bytes -> {
                    throw refusal;
                })), "the listener's exception, not a decoding error");
    }

    @Test
    void imagesOfAFolderAreItsJpegAndPngFilesSorted(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"b.PNG", "a.jpg", "c.jpeg", "notes.txt", "d.gif"}) {
            Files.write(dir.resolve(name), new byte[] {1});
        }
        Files.createDirectory(dir.resolve("e.png"));
        assertEquals(List.of(dir.resolve("a.jpg"), dir.resolve("b.PNG"), dir.resolve("c.jpeg")),
                ImagePreprocessor.images(dir));
        assertEquals(List.of(dir.resolve("notes.txt")), ImagePreprocessor.images(dir.resolve("notes.txt")));
        Path none = Files.createDirectory(dir.resolve("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.images(none));
        assertTrue(e.getMessage().contains("no .jpg, .jpeg or .png"), e.getMessage());
        // A folder of folders (one per class, as data sets keep them) says that those are not searched.
        Path classes = Files.createDirectory(dir.resolve("classes"));
        Files.write(Files.createDirectory(classes.resolve("cat")).resolve("a.jpg"), new byte[] {1});
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessor.images(classes));
        assertEquals(classes + ": no .jpg, .jpeg or .png files in this folder, and its subfolders are not searched: "
                + "name them too (" + classes + "/*)", nested.getMessage());
    }

    private static void assertBadFile(ImagePreprocessor pre, Path file, String mentions) {
        Exception e = assertThrows(Exception.class, () -> pre.read(file));
        assertTrue(e instanceof IllegalArgumentException || e instanceof IOException, e.toString());
        String message = e.getMessage();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains(file.toString()), message + " should name " + file);
        assertTrue(message.contains(mentions), message + " should mention " + mentions);
    }
}
