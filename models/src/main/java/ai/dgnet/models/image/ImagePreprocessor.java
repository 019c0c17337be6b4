package ai.dgnet.models.image;

import ai.dgnet.models.ModelConfig;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataFormatImpl;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.NodeList;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Turns an image into a model's input, exactly as torchvision's
 * {@code Compose([Resize(resize), CenterCrop(crop), ToTensor(), Normalize(mean, std)])} does on a PIL image
 * converted to RGB (or to "L" for a one-channel model): the short side scaled to {@code resize} with PIL's
 * antialiased bilinear filter, the center {@code crop x crop} taken, values divided by 255 and normalized.
 * The resampling follows PIL's {@code Resample.c} step by step (fixed-point coefficients, horizontal then vertical
 * pass, each rounded to 8 bits), so a PNG gives the same floats as torchvision; JPEG decoders differ by a few
 * 8-bit steps.
 */
public final class ImagePreprocessor {
    /** Images whose declared size exceeds this are refused before their pixels are decoded. */
    public static final long MAX_PIXELS = 50_000_000L;

    private static final ModelConfig.Preprocess IMAGENET = new ModelConfig.Preprocess(256, 224,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    /** PIL's fixed-point precision for 8-bit resampling: 32 bits minus 8 for the value and 2 for headroom. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    /** The JDK's JPEG reader's warning for an embedded colour profile it cannot parse (its text is not localized). */
    private static final String INVALID_JPEG_PROFILE = "Embedded color profile is invalid; ignored";
    /** The JDK's PNG reader's own metadata format, which has the colour type as the file states it. */
    private static final String PNG_METADATA = "javax_imageio_png_1.0";
    /** 8-bit RGB samples as stored, for the image a CMYK JPEG's inks become in place. */
    private static final ComponentColorModel SRGB_BYTES = new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);

    private final int channels;
    private final int resize;
    private final int crop;
    private final float[] mean;
    private final float[] std;

    private ImagePreprocessor(int channels, ModelConfig.Preprocess p) {
        this.channels = channels;
        this.resize = p.resize();
        this.crop = p.crop();
        this.mean = p.mean().clone();
        this.std = p.std().clone();
    }

    /**
     * The preprocessing of {@code config}: its {@code dgnet.preprocess}, or ImageNet's (resize 256, crop 224, mean
     * 0.485/0.456/0.406, std 0.229/0.224/0.225; for one channel mean and std 0.5) when it has none; RGB for 3 input
     * channels, grayscale for 1.
     */
    public static ImagePreprocessor of(ModelConfig config) {
        int channels = config.inChannels();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need a model with 1 or 3 input channels, this "
                    + config.arch() + " has " + channels);
        }
        ModelConfig.Preprocess p = config.preprocess();
        if (p == null) {
            p = channels == 3 ? IMAGENET : new ModelConfig.Preprocess(IMAGENET.resize(), IMAGENET.crop(),
                    new float[] {0.5f}, new float[] {0.5f});
        }
        return new ImagePreprocessor(channels, p);
    }

    /** The settings in use: the model's, or the defaults. */
    public ModelConfig.Preprocess preprocess() {
        return new ModelConfig.Preprocess(resize, crop, mean.clone(), std.clone());
    }

    public int channels() {
        return channels;
    }

    /** Height of the result: the crop. */
    public int height() {
        return crop;
    }

    /** Width of the result: the crop. */
    public int width() {
        return crop;
    }

    /** Decodes a JPEG or PNG file and preprocesses it. */
    public float[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? ": not a file" : ": no such file"));
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return apply(decodeImage(in, file.toString(), Files.size(file) == 0, bytes -> { }));
        }
    }

    /** Decodes JPEG or PNG bytes ({@code source} names them in errors) and preprocesses them. */
    public float[] decode(byte[] bytes, String source) {
        return decode(bytes, source, heapBytes -> { });
    }

    /**
     * Decodes JPEG or PNG bytes and preprocesses them, telling {@code beforeDecoding} first, once the image's header
     * is read, how many bytes of Java heap decoding and preprocessing will take (an exception it throws, to
     * refuse them, ends the decoding as it is).
     */
    public float[] decode(byte[] bytes, String source, LongConsumer beforeDecoding) {
        // In memory: ImageIO's own stream for an InputStream would cache it in a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return apply(decodeImage(in, source, bytes.length == 0, beforeDecoding));
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }

    /** The normalized {@code [channels, crop, crop]} values of {@code image}, row-major. */
    public float[] apply(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        // torchvision's _compute_resized_output_size: the short side becomes resize, the long side is truncated.
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int scaledLong = (int) ((double) ((long) resize * longSide) / shortSide);
        int outW = w <= h ? resize : scaledLong;
        int outH = w <= h ? scaledLong : resize;
        // CenterCrop rounds half to even, as Python's round().
        int top = (int) Math.rint((outH - crop) / 2.0);
        int left = (int) Math.rint((outW - crop) / 2.0);

        Filter horizontal = Filter.of(w, outW, left, crop);
        Filter vertical = Filter.of(h, outH, top, crop);
        // Only the source rows the cropped output rows read go through the horizontal pass.
        int firstRow = vertical.bounds[0];
        int lastRow = vertical.bounds[2 * (crop - 1)] + vertical.bounds[2 * (crop - 1) + 1];
        byte[][] planes = planes(image, firstRow, lastRow);
        int rows = lastRow - firstRow;
        float[] out = new float[channels * crop * crop];
        byte[] wide = new byte[rows * crop];
        for (int c = 0; c < channels; c++) {
            horizontal.apply(planes[c], w, rows, 1, wide, crop, 1, 0);
            byte[] result = new byte[crop * crop];
            vertical.apply(wide, 1, crop, crop, result, 1, crop, firstRow);
            int base = c * crop * crop;
            for (int i = 0; i < result.length; i++) {
                // ToTensor then Normalize, in float32 as torch computes them.
                float v = (result[i] & 0xff) / 255f;
                out[base + i] = (v - mean[c]) / std[c];
            }
        }
        return out;
    }

    /**
     * The images a path names: a file as itself; a folder's {@code .jpg}, {@code .jpeg} and {@code .png} files (any
     * case, not recursing), sorted by name.
     */
    public static List<Path> images(Path fileOrFolder) throws IOException {
        if (!Files.isDirectory(fileOrFolder)) {
            if (!Files.exists(fileOrFolder)) {
                throw new IllegalArgumentException(fileOrFolder + ": no such file");
            }
            return List.of(fileOrFolder);
        }
        List<Path> entries;
        try (Stream<Path> files = Files.list(fileOrFolder)) {
            entries = files.toList();
        }
        List<Path> images = entries.stream().filter(f -> Files.isRegularFile(f) && isImageName(f)).sorted().toList();
        if (images.isEmpty()) {
            // A data set's folder of one folder per class is the likely case: say how to name its images.
            throw new IllegalArgumentException(fileOrFolder + ": no .jpg, .jpeg or .png files in this folder"
                    + (entries.stream().anyMatch(Files::isDirectory) ? ", and its subfolders are not searched: name "
                            + "them too (" + fileOrFolder.resolve("*") + ")" : ""));
        }
        return images;
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png");
    }

    /**
     * Decodes with the JDK's readers, refusing other formats, sizes over {@link #MAX_PIXELS} (read from the header
     * first) and files the reader only warns about (a truncated JPEG decodes to grey otherwise) unless the warning is
     * {@link #harmless}. Between the header and the pixels, {@code beforeDecoding} is told the heap bytes that decoding
     * and preprocessing will take; an exception it throws ends the decoding as it is.
     */
    private BufferedImage decodeImage(ImageInputStream stream, String source, boolean empty,
                                      LongConsumer beforeDecoding) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
        if (!readers.hasNext()) {
            throw new BadImage(source + ": not a JPEG or PNG image" + (empty ? " (empty file)" : ""));
        }
        ImageReader reader = readers.next();
        try {
            beforeDecoding.accept(header(reader, stream, source));
            return pixels(reader, source);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Checks the image's format and size; returns the heap bytes its decoding takes: the raster the reader decodes
     * into and the planes {@link #apply} makes of it, per pixel, and per column the reader's two rows (the one it
     * decodes and the one it filters against) and {@link #planes}' three int rows, which dominate in a wide image of
     * few rows.
     */
    private long header(ImageReader reader, ImageInputStream stream, String source) {
        try {
            String format = reader.getFormatName().toUpperCase(Locale.ROOT);
            if (!format.equals("PNG") && !format.equals("JPEG")) {
                throw new BadImage(source + ": a " + format + " image; only JPEG and PNG are read");
            }
            reader.setInput(stream, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > MAX_PIXELS) {
                throw new BadImage(source + ": image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                        + ", over the limit of " + MAX_PIXELS / 1_000_000 + " megapixels");
            }
            // The reader decodes into the first of its image types, as ImageReader.read(0) does.
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            long elementBytes;
            if (types.hasNext()) {
                SampleModel raster = types.next().getSampleModel();
                elementBytes = (long) raster.getNumDataElements() * DataBuffer.getDataTypeSize(raster.getDataType())
                        / Byte.SIZE;
            } else if (cmykWithAnotherProfile(reader)) {
                // Its raster of four 8-bit inks, which becomes the RGB image in place.
                elementBytes = 4;
            } else {
                // The JDK's JPEG reader offers none for a colour space it does not know, or a YCCK JPEG whose
                // embedded colour profile is not CMYK.
                throw new BadImage(source + ": cannot decode image: its colour space, or its embedded colour profile "
                        + "for it, is not one the JDK's " + format + " reader supports");
            }
            return pixels * (elementBytes + channels) + reader.getWidth(0) * (2 * elementBytes + 3L * Integer.BYTES);
        } catch (IOException | RuntimeException e) {
            throw cannotDecode(source, e);
        }
    }

    private static BufferedImage pixels(ImageReader reader, String source) {
        try {
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((r, warning) -> {
                if (!harmless(warning)) {
                    warnings.add(warning);
                }
            });
            BufferedImage image = cmykWithAnotherProfile(reader) ? cmykToRgb(reader) : reader.read(0, asStored(reader));
            if (isGreyPng16(reader)) {
                clipAsPil(image.getRaster());
            }
            if (!warnings.isEmpty()) {
                throw new BadImage(source + ": broken " + reader.getFormatName().toUpperCase(Locale.ROOT)
                        + " image: " + warnings.getFirst());
            }
            return image;
        } catch (IOException | RuntimeException e) {
            throw cannotDecode(source, e);
        }
    }

    /**
     * How the image is read: a JPEG with the bands to read named, which keeps the JDK's reader from converting the
     * pixels to sRGB from an embedded colour profile (Adobe RGB, Display P3; PIL ignores them all), whether the JPEG
     * is stored as YCbCr or as RGB: with bands named it leaves the colours as libjpeg decodes them, YCbCr turned to RGB
     * with the same fixed-point arithmetic as PIL's libjpeg-turbo.
     */
    private static ImageReadParam asStored(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (reader.getFormatName().equalsIgnoreCase("JPEG")) {
            int bands = reader.getImageTypes(0).next().getSampleModel().getNumBands();
            param.setSourceBands(IntStream.range(0, bands).toArray());
        }
        return param;
    }

    /**
     * Whether the image is a 16-bit greyscale PNG (colour type 0; the JDK's reader makes an alpha band of a tRNS
     * chunk, PIL does not). PIL opens one as 32-bit integers, which its conversion to "L" or "RGB" clips at 255,
     * where it keeps the high byte of every other PNG's 16-bit samples (grey with alpha, RGB, RGBA).
     */
    private static boolean isGreyPng16(ImageReader reader) throws IOException {
        if (!reader.getFormatName().equalsIgnoreCase("PNG")) {
            return false;
        }
        IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(PNG_METADATA);
        IIOMetadataNode header = (IIOMetadataNode) root.getElementsByTagName("IHDR").item(0);
        return header.getAttribute("colorType").equals("Grayscale") && header.getAttribute("bitDepth").equals("16");
    }

    /**
     * Band 0 of a 16-bit raster clipped at 255 in place, as PIL converts 32-bit integers to 8 bits, and shifted to the
     * high byte, which {@link #planes} keeps of 16-bit samples.
     */
    private static void clipAsPil(WritableRaster raster) {
        int w = raster.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                row[x] = Math.min(row[x], 255) << 8;
            }
            raster.setSamples(0, y, w, 1, 0, row);
        }
    }

    /**
     * Whether the image is a CMYK JPEG whose embedded colour profile is not CMYK (sRGB, say): the JDK's reader offers
     * no image type for it, and PIL ignores the profile as it does every other.
     */
    private static boolean cmykWithAnotherProfile(ImageReader reader) throws IOException {
        if (!reader.getFormatName().equalsIgnoreCase("JPEG") || reader.getImageTypes(0).hasNext()) {
            return false;
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null) {
            return false;
        }
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(IIOMetadataFormatImpl.standardMetadataFormatName);
        NodeList space = root.getElementsByTagName("ColorSpaceType");
        return space.getLength() == 1 && ((IIOMetadataNode) space.item(0)).getAttribute("name").equals("CMYK");
    }

    /**
     * A CMYK JPEG's pixels without its profile: the reader's raster of inks, stored inverted as Adobe's convention
     * has them (which PIL assumes of every CMYK JPEG), turned to RGB in place with PIL's {@code cmyk2rgb} as
     * {@link #planes} turns the inks of a CMYK image the reader decodes.
     */
    private static BufferedImage cmykToRgb(ImageReader reader) throws IOException {
        WritableRaster raster = rawRaster(reader);
        int w = raster.getWidth();
        int[] pixels = new int[4 * w];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getPixels(0, y, w, 1, pixels);
            for (int i = 0; i < pixels.length; i += 4) {
                // Inverted, the stored K is the white the other inks are taken from.
                int white = pixels[i + 3];
                for (int c = i; c < i + 3; c++) {
                    pixels[c] = white - mulDiv255(255 - pixels[c], white);
                }
            }
            raster.setPixels(0, y, w, 1, pixels);
        }
        WritableRaster rgb = raster.createWritableChild(0, 0, w, raster.getHeight(), 0, 0, new int[] {0, 1, 2});
        return new BufferedImage(SRGB_BYTES, rgb, false, null);
    }

    /** The JPEG's samples as stored, not colour converted. */
    private static WritableRaster rawRaster(ImageReader reader) throws IOException {
        // The JDK's JPEG reader decodes into a writable raster; anything else is copied once.
        Raster read = reader.readRaster(0, null);
        if (read instanceof WritableRaster writable) {
            return writable;
        }
        WritableRaster raster = read.createCompatibleWritableRaster();
        raster.setRect(read);
        return raster;
    }

    /**
     * Warnings after which the JDK's JPEG reader has decoded the whole image as PIL does: an embedded colour profile
     * it cannot parse (then ignored, as PIL ignores every profile), and libjpeg's JWRN_EXTRANEOUS_DATA for bytes it
     * skipped between segments (PIL decodes with libjpeg too, and takes no warning as an error).
     */
    private static boolean harmless(String warning) {
        return warning.equals(INVALID_JPEG_PROFILE)
                || warning.startsWith("Corrupt JPEG data: ") && warning.contains(" extraneous bytes before marker ");
    }

    /** Decoders throw IIOException, and on some malformed data unchecked exceptions of all kinds. */
    private static BadImage cannotDecode(String source, Exception e) {
        return e instanceof BadImage bad ? bad : new BadImage(source + ": cannot decode image: " + rootMessage(e), e);
    }

    /** An image this class refuses, with the one-line message that says why. */
    private static final class BadImage extends IllegalArgumentException {
        BadImage(String message) {
            super(message);
        }

        BadImage(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse("");
    }

    /**
     * Rows {@code [firstRow, lastRow)} of the image as 8-bit planes, one per model channel, as PIL's
     * {@code convert("RGB")} or {@code convert("L")} gives them: alpha dropped (not composited), grey replicated to
     * RGB, CMYK to RGB as {@code (255 - K) * (1 - C / 255)}, RGB to grey by ITU-R 601-2 luma, all in PIL's integer
     * arithmetic. 16-bit samples keep their high byte, as PIL reads those of every PNG but a greyscale one (whose
     * samples {@link #clipAsPil} has clipped).
     */
    private byte[][] planes(BufferedImage image, int firstRow, int lastRow) {
        int w = image.getWidth();
        int rows = lastRow - firstRow;
        byte[][] planes = new byte[channels][w * rows];
        Raster raster = image.getRaster();
        // Component images are read as stored, as PIL does (it ignores colour profiles); getRGB would also pass grey
        // through a linear-to-sRGB curve.
        int components = image.getColorModel().getNumColorComponents();
        boolean raw = image.getColorModel() instanceof ComponentColorModel && (components == 1 || components == 3)
                && (raster.getTransferType() == DataBuffer.TYPE_BYTE
                || raster.getTransferType() == DataBuffer.TYPE_USHORT);
        boolean grey = raw && components == 1;
        // A CMYK JPEG's inks as stored (the JDK's reader undoes Adobe's inversion as PIL's does); getRGB would pass
        // them through a CMYK profile where PIL's convert uses plain arithmetic.
        boolean cmyk = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK && components == 4
                && raster.getTransferType() == DataBuffer.TYPE_BYTE;
        int shift = raw && raster.getTransferType() == DataBuffer.TYPE_USHORT ? 8 : 0;
        int[] r = new int[w];
        int[] g = new int[w];
        int[] b = new int[w];
        int[] inks = new int[4];
        for (int y = firstRow; y < lastRow; y++) {
            if (raw) {
                raster.getSamples(0, y, w, 1, 0, r);
                raster.getSamples(0, y, w, 1, grey ? 0 : 1, g);
                raster.getSamples(0, y, w, 1, grey ? 0 : 2, b);
            } else if (cmyk) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, inks);
                    int white = 255 - inks[3];
                    r[x] = white - mulDiv255(inks[0], white);
                    g[x] = white - mulDiv255(inks[1], white);
                    b[x] = white - mulDiv255(inks[2], white);
                }
            } else {
                image.getRGB(0, y, w, 1, r, 0, w);
                for (int x = 0; x < w; x++) {
                    int argb = r[x];
                    g[x] = (argb >> 8) & 0xff;
                    b[x] = argb & 0xff;
                    r[x] = (argb >> 16) & 0xff;
                }
            }
            int at = (y - firstRow) * w;
            for (int x = 0; x < w; x++) {
                int red = r[x] >> shift;
                int green = g[x] >> shift;
                int blue = b[x] >> shift;
                if (channels == 3) {
                    planes[0][at + x] = (byte) red;
                    planes[1][at + x] = (byte) green;
                    planes[2][at + x] = (byte) blue;
                } else {
                    planes[0][at + x] = (byte) (grey ? red : (red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16);
                }
            }
        }
        return planes;
    }

    /** {@code a * b / 255} rounded, as PIL's {@code MULDIV255} computes it in {@code cmyk2rgb}. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    /**
     * PIL's antialiased bilinear resampling along one axis ({@code precompute_coeffs} and
     * {@code normalize_coeffs_8bpc} of {@code Resample.c}) for outputs {@code [first, first + count)} of
     * {@code outSize}: the triangle filter widened by the downscale factor, coefficients normalized to sum 1 and
     * stored in {@link #PRECISION_BITS}-bit fixed point.
     */
    private record Filter(int ksize, int[] bounds, int[] coefficients) {
        static Filter of(int inSize, int outSize, int first, int count) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * count];
            int[] coefficients = new int[count * ksize];
            double[] k = new double[ksize];
            for (int o = 0; o < count; o++) {
                double center = (first + o + 0.5) * scale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize) - min;
                double sum = 0;
                for (int x = 0; x < max; x++) {
                    k[x] = triangle((x + min - center + 0.5) / filterScale);
                    sum += k[x];
                }
                for (int x = 0; x < max; x++) {
                    double normalized = sum != 0 ? k[x] / sum : k[x];
                    coefficients[o * ksize + x] = (int) (0.5 + normalized * (1 << PRECISION_BITS));
                }
                bounds[2 * o] = min;
                bounds[2 * o + 1] = max;
            }
            return new Filter(ksize, bounds, coefficients);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }

        /**
         * Resamples {@code lines} lines of {@code src} into {@code dst}: output {@code o} of line {@code l} is
         * {@code sum_x src[l * lineStride + (bounds[2o] + x - offset) * step] * k[o][x]}, rounded and clipped to
         * 8 bits, at {@code dst[l * dstLineStride + o * dstStep]}.
         */
        void apply(byte[] src, int lineStride, int lines, int step, byte[] dst, int dstLineStride, int dstStep,
                   int offset) {
            int count = bounds.length / 2;
            for (int l = 0; l < lines; l++) {
                for (int o = 0; o < count; o++) {
                    int min = bounds[2 * o] - offset;
                    int max = bounds[2 * o + 1];
                    int acc = 1 << (PRECISION_BITS - 1);
                    int from = l * lineStride + min * step;
                    for (int x = 0; x < max; x++) {
                        acc += (src[from + x * step] & 0xff) * coefficients[o * ksize + x];
                    }
                    dst[l * dstLineStride + o * dstStep] = clip8(acc);
                }
            }
        }

        private static byte clip8(int value) {
            if (value >= (1 << PRECISION_BITS << 8)) {
                return (byte) 255;
            }
            return value <= 0 ? 0 : (byte) (value >> PRECISION_BITS);
        }
    }
}
