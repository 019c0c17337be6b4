package ai.dgnet.tests;

import ai.dgnet.cli.CommandRun;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.dgnet.tests.InferCommandTest.Piped;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.TreeSet;

import static ai.dgnet.tests.InferCommandTest.assertOneLineError;
import static ai.dgnet.tests.InferCommandTest.dgnet;
import static ai.dgnet.tests.InferCommandTest.dgnetPiped;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dgnet demo, device, models, info, predict, graph, bench} on real model and image files. */
class ModelCommandsTest {
    private static final List<String> LABELS = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    /** The golden images with a torchvision tensor for resize 48, crop 40, ImageNet mean and std. */
    private static final List<String> IMAGES = List.of("photo_64x48.jpg", "rgb_97x61.png", "rgba_50x83.png");
    /** Low enough that these images keep paths through every stage (at 0.5 the routers cut them all off). */
    private static final float THRESHOLD = 0.2f;

    @TempDir
    static Path dir;
    private static Path model;
    private static Path photos;
    private static Path golden;

    @BeforeAll
    static void writeFiles() throws IOException, URISyntaxException {
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.5f, 10, 3, LABELS,
                new ModelConfig.Preprocess(48, 40, new float[] {0.485f, 0.456f, 0.406f},
                        new float[] {0.229f, 0.224f, 0.225f}));
        model = dir.resolve("cifar.safetensors");
        DgModel.random(config, 3).save(model);
        Path images = Path.of(ModelCommandsTest.class.getResource("/images").toURI());
        golden = images.resolve("images.safetensors");
        photos = Files.createDirectory(dir.resolve("photos"));
        for (String name : IMAGES) {
            Files.copy(images.resolve(name), photos.resolve(name));
        }
    }

    @Test
    void modelsListsEveryArchitectureWithTorchvisionsSizes() {
        CommandRun run = dgnet("models");
        assertEquals(0, run.status(), run.err());
        for (Arch arch : Arch.values()) {
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith(arch.id() + " ")), arch + " in " + run.out());
        }
        // torchvision's published parameters and GFLOPS (which are MACs).
        assertLine(run.out(), "resnet50 ", "3,4,6,3", "25,557,032", " 4.09 ");
        assertLine(run.out(), "resnet18 ", "2,2,2,2", "11,689,512", " 1.81 ");
        assertLine(run.out(), "mobilenet_v2 ", "1,2,3,4,3,3,1", "3,504,872", " 0.30 ");
    }

    @Test
    void infoShowsConfigCostPerPartAndRouters() {
        CommandRun run = dgnet("info", model.toString());
        assertEquals(0, run.status(), run.err());
        String out = run.out();
        assertTrue(out.contains("resnet20, dynamic, threshold 0.50, 10 classes, 3 input channels"), out);
        assertTrue(out.contains("labels: 10 (airplane, ...)"), out);
        assertTrue(out.contains("resize 48, crop 40, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"), out);
        assertTrue(out.contains("one 40x40 image"), out);
        // ResNet-20 for 10 classes: the well-known 272,474 parameters (0.27M).
        assertLine(out, "  backbone ", "272,474");
        // Routers of stage 2: [3,64] [2,64] [1,64] and biases, 6*64 + 6 parameters.
        assertTrue(out.contains("stage 2: 3: [3, 64] [2, 64] [1, 64]"), out);
        assertLine(out, "  routers ", "690");
    }

    @Test
    void infoOfAnArchitectureIdUsesTheDefaultInputSize() {
        CommandRun run = dgnet("info", "resnet50:static");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("one 224x224 image"), run.out());
        assertLine(run.out(), "  backbone ", "25,557,032", "4,089,184,256");
        assertTrue(!run.out().contains("routers"), "static mode has no routers: " + run.out());
    }

    @Test
    void predictEqualsTheModelRunOnTorchvisionsPreprocessing() throws IOException {
        // Two files, then a folder holding them and a third: batches of 2 over 5 images, the last one padded.
        CommandRun run = dgnet("predict", model.toString(), photos.resolve(IMAGES.get(1)).toString(),
                photos.resolve(IMAGES.get(0)).toString(), photos.toString(), "--top", "3", "--batch", "2",
                "--threshold", Float.toString(THRESHOLD), "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        List<String> order = List.of(IMAGES.get(1), IMAGES.get(0), IMAGES.get(0), IMAGES.get(1), IMAGES.get(2));
        List<String> lines = run.out().lines().toList();
        assertEquals(order.size() * 4, lines.size(), run.out());
        List<String> tops = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            assertTrue(lines.get(4 * i).endsWith(order.get(i)), lines.get(4 * i));
            double[] expected = expectedProbabilities(order.get(i));
            Integer[] ranked = rank(expected);
            for (int k = 0; k < 3; k++) {
                String[] fields = lines.get(4 * i + 1 + k).strip().split("\\s+");
                int c = ranked[k];
                assertEquals(List.of(Integer.toString(k + 1), LABELS.get(c), "(class", c + ")"),
                        List.of(fields[0], fields[1], fields[3], fields[4]), lines.get(4 * i + 1 + k));
                double printed = Double.parseDouble(fields[2].replace("%", ""));
                assertEquals(100 * expected[c], printed, 0.006, lines.get(4 * i + 1 + k));
            }
            tops.add(lines.get(4 * i + 1));
        }
        assertTrue(tops.stream().distinct().count() > 1, "the images get different top classes or probabilities: "
                + tops);
    }

    @Test
    void demoPrintsTheTopClassesAndKeptEdgesOfTheModelRunDirectly() {
        CommandRun run = dgnet("demo", "--arch", "resnet20", "--size", "32", "--batch", "2", "--warmup", "1", "--runs", "2",
                "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertLine(run.out(), "latency over 2 runs after 1 warm-up run: median ", "% of the time in oneDNN primitives");
        Shape shape = Shape.of(2, 3, 32, 32);
        try (DgModel dg = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.DYNAMIC), 3);
             CpuDevice device = CpuDevice.create(1);
             Session session = dg.session(device)) {
            Result expected = session.run(DeterministicWeights.generate("input", shape.dims(), 4), shape);
            for (int n = 0; n < 2; n++) {
                Integer[] ranked = rank(toDouble(expected.logits()[n]));
                assertLine(run.out(), "instance " + n + ": top class " + ranked[0] + " (", ", class " + ranked[1]
                        + " (", ", class " + ranked[2] + " (");
                for (int s = 0; s < expected.stages(); s++) {
                    int m = expected.nodes(s);
                    int kept = 0;
                    for (int i = 0; i < m; i++) {
                        for (int j = i + 1; j <= m; j++) {
                            kept += expected.adjacency(s, n)[i][j] != 0 ? 1 : 0;
                        }
                    }
                    assertLine(run.out(), "  stage " + s + " (" + m + " nodes): " + kept + " of " + m * (m + 1) / 2
                            + " edges kept");
                }
            }
        }
        assertBadPredict(dgnet("demo", "--batch", "0"), "--batch");
        assertBadPredict(dgnet("demo", "--warmup", "-1"), "--warmup");
        assertBadPredict(dgnet("demo", "--arch", "vgg16"), "vgg16");
    }

    @Test
    void deviceNamesTheCpuAndTimesAConvolution() {
        CommandRun run = dgnet("device", "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertLine(run.out(), "cpu (oneDNN 3.", "1 thread");
        assertLine(run.out(), "conv 3x3 64->64 on 56x56 (", " GFLOP/s via ");
        assertBadPredict(dgnet("device", "--threads", "0"), "--threads");
    }

    private static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    @Test
    void graphOfOneImageDrawsTheEdgesTheModelKeptForIt() throws Exception {
        String image = IMAGES.get(1);
        Path out = dir.resolve("one.svg");
        CommandRun run = dgnet("graph", model.toString(), photos.resolve(image).toString(), "--out", out.toString(),
                "--threshold", Float.toString(THRESHOLD), "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertEquals("wrote " + out, run.out().strip());
        assertDrawsTheEdgesKeptFor(image, DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(out.toFile()));
    }

    /**
     * {@code --out -} was refused as a name without an extension; it is standard output, as Unix tools take it, which
     * then holds the picture alone, as SVG (the format that names no file has), without the 'wrote' line.
     */
    @Test
    void graphToOutDashWritesTheSvgToStandardOutputAlone() throws Exception {
        String image = IMAGES.get(1);
        Piped piped = dgnetPiped("graph", model.toString(), photos.resolve(image).toString(), "--out", "-",
                "--threshold", Float.toString(THRESHOLD), "--threads", "1");
        assertEquals(0, piped.status(), piped.err());
        assertEquals("", piped.err());
        assertDrawsTheEdgesKeptFor(image, DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(piped.out())));
    }

    /**
     * {@code --out -} wrote SVG only; {@code --format png} now puts on standard output the PNG that a file named
     * {@code .png} gets, byte for byte, and gives a name of no picture extension that format too. It is the SVG
     * drawing at twice its size.
     */
    @Test
    void graphFormatPngWritesThePngToStandardOutputOrAnyFile() throws Exception {
        String[] image = {model.toString(), photos.resolve(IMAGES.get(1)).toString(), "--threshold",
                Float.toString(THRESHOLD), "--threads", "1"};
        Path named = dir.resolve("format.png");
        Path bare = dir.resolve("format-picture");
        Path svg = dir.resolve("format.svg");
        for (List<String> out : List.of(List.of("--out", named.toString()), List.of("--out", svg.toString()),
                List.of("--out", bare.toString(), "--format", "png"))) {
            CommandRun run = dgnet(concat("graph", image, out));
            assertEquals(0, run.status(), run.err());
        }
        Piped piped = dgnetPiped(concat("graph", image, List.of("--out", "-", "--format", "PNG")));
        assertEquals(0, piped.status(), piped.err());
        assertEquals("", piped.err());
        byte[] png = Files.readAllBytes(named);
        assertArrayEquals(png, piped.out());
        assertArrayEquals(png, Files.readAllBytes(bare));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(piped.out()));
        String[] viewBox = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile())
                .getDocumentElement().getAttribute("viewBox").split(" ");
        assertEquals(2 * Double.parseDouble(viewBox[2]), decoded.getWidth(), 1, "width");
        assertEquals(2 * Double.parseDouble(viewBox[3]), decoded.getHeight(), 1, "height");
    }

    private static String[] concat(String command, String[] arguments, List<String> more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(arguments));
        all.addAll(more);
        return all.toArray(String[]::new);
    }

    /** {@code svg} draws as kept exactly the edges that the model run directly keeps for {@code image}. */
    private static void assertDrawsTheEdgesKeptFor(String image, Document svg) throws IOException {
        Set<String> kept = new TreeSet<>();
        Set<String> dropped = new TreeSet<>();
        Result expected = runGolden(image);
        for (int s = 0; s < expected.stages(); s++) {
            float[][] a = expected.adjacency(s, 0);
            for (int i = 0; i < expected.nodes(s); i++) {
                for (int j = i + 1; j <= expected.nodes(s); j++) {
                    (a[i][j] != 0 ? kept : dropped).add(s + ":" + i + "-" + j);
                }
            }
        }
        assertEquals(kept, edges(svg, "edge kept"));
        assertEquals(dropped, edges(svg, "edge dropped"));
    }

    /** The stage, source and target of every SVG group of class {@code type}, as {@code s:i-j}. */
    private static Set<String> edges(Document svg, String type) {
        Set<String> found = new TreeSet<>();
        NodeList groups = svg.getElementsByTagName("g");
        for (int k = 0; k < groups.getLength(); k++) {
            Element g = (Element) groups.item(k);
            if (g.getAttribute("class").equals(type)) {
                found.add(g.getAttribute("data-stage") + ":" + g.getAttribute("data-from") + "-"
                        + g.getAttribute("data-to"));
            }
        }
        return found;
    }

    @Test
    void graphOfAFolderDrawsEdgeFrequenciesOfItsImages() throws IOException {
        Path out = dir.resolve("folder.png");
        CommandRun run = dgnet("graph", model.toString(), photos.toString(), "--out", out.toString(), "--batch", "2",
                "--threshold", Float.toString(THRESHOLD), "--threads", "1");
        assertEquals(0, run.status(), run.err());
        assertEquals("wrote " + out + " (" + IMAGES.size() + " images)", run.out().strip());
        BufferedImage png = ImageIO.read(out.toFile());
        assertTrue(png != null && png.getWidth() > 100 && png.getHeight() > 100, "a PNG picture");
    }

    @Test
    void graphBadArgumentsGiveOneLineErrors() throws IOException {
        String image = photos.resolve(IMAGES.get(0)).toString();
        assertBadPredict(dgnet("graph", model.toString(), image, "--out", dir.resolve("g.jpg").toString()),
                "expected .svg or .png");
        assertBadPredict(dgnet("graph", model.toString(), image), "--out");
        assertBadPredict(dgnet("graph", model.toString(), dir.resolve("none.png").toString(), "--out",
                dir.resolve("g.svg").toString()), "no such file");
        assertBadPredict(dgnet("graph", model.toString(), image, "--out",
                dir.resolve("no-folder").resolve("g.svg").toString()), "no such folder");
        assertBadPredict(dgnet("graph", model.toString(), image, "--out", dir.resolve("g.svg").toString(),
                "--batch", "0"), "--batch");
        assertBadPredict(dgnet("graph", model.toString(), image, "--out", dir.resolve("g.svg").toString(),
                "--format", "png"), "--format png contradicts --out " + dir.resolve("g.svg")
                + ", whose extension names svg: leave --format out or rename the file");
        assertBadPredict(dgnet("graph", model.toString(), image, "--out", "-", "--format", "jpg"),
                "--format must be svg or png, got 'jpg'");
        assertTrue(Files.notExists(dir.resolve("g.svg")), "nothing written");
    }

    /**
     * An --out that is the model file is refused, as one that is an image is: with --format png any name is taken,
     * and the model file was replaced by the picture.
     */
    @Test
    void graphOutThatIsTheModelFileIsRefused() throws IOException {
        Path modelCopy = Files.copy(model, dir.resolve("graph-model.safetensors"));
        byte[] before = Files.readAllBytes(modelCopy);
        assertBadPredict(dgnet("graph", modelCopy.toString(), photos.resolve(IMAGES.get(0)).toString(), "--out",
                modelCopy.toString(), "--format", "png"), "--out " + modelCopy + " is the model file");
        assertArrayEquals(before, Files.readAllBytes(modelCopy), "the model file is as it was");
    }

    /** The model run directly on torchvision's preprocessing of {@code image} (the golden tensor). */
    private static Result runGolden(String image) throws IOException {
        String name = image.substring(0, image.lastIndexOf('.')) + ".RGB.48.40";
        try (SafeTensors tensors = SafeTensors.open(golden);
             DgModel dg = DgModel.load(model);
             CpuDevice device = CpuDevice.create(1);
             Session session = dg.session(device, THRESHOLD)) {
            return session.run(tensors.floats(name), Shape.of(1, 3, 40, 40));
        }
    }

    /** Softmax of the logits of a run of the session on the golden tensor, computed here in double. */
    private static double[] expectedProbabilities(String image) throws IOException {
        float[] logits = runGolden(image).logits()[0];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static Integer[] rank(double[] values) {
        Integer[] order = new Integer[values.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        return order;
    }

    /** Labels may be empty strings (unused classes): the top classes are printed all the same. */
    @Test
    void predictPrintsTheTopClassesWhereTheirLabelsAreEmpty() throws IOException {
        ModelConfig config = new ModelConfig(Arch.RESNET20, Mode.DYNAMIC, 0.5f, 10, 3, Collections.nCopies(10, ""),
                new ModelConfig.Preprocess(48, 40, new float[] {0.485f, 0.456f, 0.406f},
                        new float[] {0.229f, 0.224f, 0.225f}));
        Path unnamed = dir.resolve("unnamed.safetensors");
        DgModel.random(config, 3).save(unnamed);

        CommandRun run = dgnet("predict", unnamed.toString(), photos.resolve(IMAGES.get(1)).toString(), "--top", "2",
                "--threshold", Float.toString(THRESHOLD), "--threads", "1");

        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run.out());
        for (int k = 0; k < 2; k++) {
            assertTrue(lines.get(1 + k).matches("  " + (k + 1) + "  \\s+\\d+\\.\\d\\d%  \\(class \\d\\)"),
                    lines.get(1 + k));
        }
    }

    @Test
    void predictReportsBadImagesAndGoesOnWithTheOthers() throws IOException {
        Path mixed = Files.createDirectory(dir.resolve("mixed"));
        Files.copy(photos.resolve(IMAGES.get(1)), mixed.resolve("b.png"));
        Files.writeString(mixed.resolve("a.png"), "not an image", StandardCharsets.UTF_8);
        Files.write(mixed.resolve("c.jpg"), new byte[0]);
        CommandRun run = dgnet("predict", model.toString(), mixed.toString(), dir.resolve("gone.png").toString(), "--top",
                "1");
        assertEquals(2, run.status(), "exit status says something was skipped");
        List<String> errors = run.err().lines().toList();
        assertEquals(3, errors.size(), run.err());
        assertTrue(errors.get(0).contains("gone.png") && errors.get(0).contains("no such file"), run.err());
        assertTrue(errors.get(1).contains("a.png") && errors.get(1).contains("not a JPEG or PNG"), run.err());
        assertTrue(errors.get(2).contains("c.jpg"), run.err());
        errors.forEach(e -> assertTrue(e.startsWith("dgnet predict: ") && !e.contains("Exception"), e));
        assertEquals(2, run.out().lines().count(), run.out());
        assertTrue(run.out().startsWith(mixed.resolve("b.png").toString()), run.out());
    }

    @Test
    void predictBadArgumentsGiveOneLineErrors() throws IOException {
        Path png = photos.resolve(IMAGES.get(1));
        Path text = dir.resolve("text.png");
        Files.writeString(text, "hello", StandardCharsets.UTF_8);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertBadPredict(dgnet("predict", model.toString(), dir.resolve("missing.jpg").toString()), "no such file");
        assertBadPredict(dgnet("predict", model.toString(), text.toString()), "not a JPEG or PNG");
        assertBadPredict(dgnet("predict", model.toString(), empty.toString()), "no .jpg, .jpeg or .png");
        assertBadPredict(dgnet("predict", model.toString(), png.toString(), "--top", "0"), "--top");
        assertBadPredict(dgnet("predict", model.toString(), png.toString(), "--batch", "0"), "--batch");
        assertBadPredict(dgnet("predict", model.toString(), png.toString(), "--precision", "fp8"), "precision");
        assertBadPredict(dgnet("predict", model.toString(), png.toString(), "--threshold", "1.5"), "threshold");
        assertBadPredict(dgnet("predict", model.toString(), png.toString(), "--threads", "0"), "--threads");
        assertBadPredict(dgnet("predict", dir.resolve("nothing.safetensors").toString(), png.toString()),
                "no such file");
        assertBadPredict(dgnet("predict", "resnet20:sometimes", png.toString()), "'sometimes'");
        assertBadPredict(dgnet("predict", model.toString()), "IMAGE");
    }

    private static void assertBadPredict(CommandRun run, String mentions) {
        assertEquals(2, run.status(), run.err());
        assertOneLineError(run, mentions);
    }

    @Test
    void benchPrintsLatencyPercentilesThroughputAndOneDnnShare() {
        CommandRun run = dgnet("bench", model.toString(), "--batch", "2", "--warmup", "1", "--runs", "3", "--threads", "1");
        assertEquals(0, run.status(), run.err());
        String out = run.out();
        assertTrue(out.contains("input [2, 3, 40, 40]"), "the model's crop is the default size: " + out);
        assertTrue(out.contains("latency over 3 runs (ms): min "), out);
        for (String word : new String[] {" p50 ", " p90 ", " p99 ", " max ", "images/s", "% of the time in oneDNN"}) {
            assertTrue(out.contains(word), word + " in " + out);
        }
        double[] dynamic = outsideShares(out);
        assertTrue(dynamic[0] > 0, "a dynamic model routes: " + out);
        assertEquals(100.0, dynamic[0] + dynamic[1] + dynamic[2] + dynamic[3] + inPrimitives(out), 0.3, out);
        CommandRun sized = dgnet("bench", "resnet20:static", "--size", "32", "--warmup", "0", "--runs", "1");
        assertEquals(0, sized.status(), sized.err());
        assertTrue(sized.out().contains("input [1, 3, 32, 32]"), sized.out());
        assertTrue(sized.out().contains("latency over 1 run (ms): min "), "one run, not '1 runs': " + sized.out());
        double[] statik = outsideShares(sized.out());
        assertEquals(0.0, statik[0], "a static model neither routes nor sums: " + sized.out());
        assertEquals(0.0, statik[1], "a static model neither routes nor sums: " + sized.out());
    }

    @Test
    void benchProfileListsTheKindsOfOpOfARunWithTheirCallsAndShares() {
        String out = profiledBench();
        Matcher header = Pattern.compile("ops by time over 2 runs \\(all ([0-9]+) kinds\\):").matcher(out);
        assertTrue(header.find(), out);
        Matcher line = Pattern.compile(PROFILE_ROW + "(\\S.*?) {2,}(\\S+)$", Pattern.MULTILINE).matcher(out);
        int kinds = 0;
        double convolutions = 0;
        double shares = 0;
        List<String> ops = new ArrayList<>();
        while (line.find()) {
            kinds++;
            shares += Double.parseDouble(line.group(1));
            ops.add(line.group(5));
            if (line.group(5).startsWith("conv ")) {
                convolutions += Double.parseDouble(line.group(3));
                assertTrue(Double.parseDouble(line.group(4)) > 0, "a convolution's GFLOP/s: " + line.group());
            }
        }
        assertEquals(Integer.parseInt(header.group(1)), kinds, out);
        // ResNet-20: the stem, two per block in nine blocks, and the two downsampling projections.
        assertEquals(21.0, convolutions, 1e-9, "every convolution of a static run, once: " + out);
        assertTrue(ops.contains("linear 64->1000") && ops.contains("global avgpool 64 8x8"), out);
        assertTrue(ops.contains("conv 3x3 s2 16->32 32x32 +relu"), out);
        // Every op is a primitive or a Winograd convolution, whose transforms the "outside" line counts apart.
        double[] outside = outsideShares(out);
        assertEquals(inPrimitives(out) + outside[2], shares, 0.05 * kinds + 0.2, out);

        CommandRun top = dgnet("bench", "resnet20:static", "--size", "32", "--warmup", "0", "--runs", "1", "--threads", "1",
                "--profile", "2");
        assertEquals(0, top.status(), top.err());
        assertTrue(top.out().contains("(the 2 costliest of " + kinds + " kinds)"), top.out());
        assertTrue(top.out().contains("the other " + (kinds - 2) + " kinds"), top.out());
        assertBadPredict(dgnet("bench", "resnet20", "--profile=-1"), "--profile");
    }

    @Test
    void benchProfileByLayerNamesEveryLayerOfTheModelOnce() {
        String out = profiledBench("--layers");
        Matcher header = Pattern.compile("layers by time over 2 runs \\(all ([0-9]+) layers\\):").matcher(out);
        assertTrue(header.find(), out);
        Matcher line = Pattern.compile(PROFILE_ROW + "(\\S+) +(\\S.*?) {2,}(\\S+)$", Pattern.MULTILINE)
                .matcher(out);
        Map<String, String> ops = new HashMap<>();
        double shares = 0;
        while (line.find()) {
            assertEquals("1.0", line.group(3), "a static run takes every layer once: " + line.group());
            assertNull(ops.put(line.group(5), line.group(6)), "one line per layer: " + out);
            shares += Double.parseDouble(line.group(1));
        }
        // torchvision's module names for ResNet-20 (the parameters' names without ".weight"), and the poolings.
        Set<String> expected = new TreeSet<>(List.of("conv1", "layer2.0.downsample.0", "layer3.0.downsample.0",
                "avgpool", "fc"));
        for (int stage = 1; stage <= 3; stage++) {
            for (int block = 0; block < 3; block++) {
                for (int conv = 1; conv <= 2; conv++) {
                    expected.add("layer" + stage + "." + block + ".conv" + conv);
                }
            }
        }
        assertEquals(expected, new TreeSet<>(ops.keySet()), out);
        assertEquals(Integer.parseInt(header.group(1)), ops.size(), out);
        assertEquals("conv 3x3 s2 16->32 32x32 +relu", ops.get("layer2.0.conv1"), out);
        assertEquals("conv 1x1 s2 16->32 32x32", ops.get("layer2.0.downsample.0"), out);
        assertEquals("conv 3x3 32->32 16x16 +residual +relu", ops.get("layer2.1.conv2"), out);
        assertEquals("linear 64->1000", ops.get("fc"), out);
        assertEquals(inPrimitives(out) + outsideShares(out)[2], shares, 0.05 * ops.size() + 0.2, out);

        assertBadPredict(dgnet("bench", "resnet20", "--layers"), "--profile");
    }

    /** The start of a line of bench's profile: share, ms per run, calls per run and GFLOP/s, as groups 1-4. */
    private static final String PROFILE_ROW = "^ +([0-9.]+)% +([0-9.]+) +([0-9.]+) +(-|[0-9.]+)  ";

    /** The output of a static ResNet-20's bench, 2 runs on one thread, profiled (every line) and with {@code more}. */
    private static String profiledBench(String... more) {
        List<String> args = new ArrayList<>(List.of("bench", "resnet20:static", "--size", "32", "--warmup", "1",
                "--runs", "2", "--threads", "1", "--profile", "0"));
        args.addAll(List.of(more));
        CommandRun run = dgnet(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());
        return run.out();
    }

    /** Routing, weighted sums, Winograd transforms and the rest, in percent, from bench's "outside oneDNN" line. */
    private static double[] outsideShares(String out) {
        Matcher m = Pattern.compile("outside oneDNN: (-?[0-9.]+)% routing, (-?[0-9.]+)% weighted sums, (-?[0-9.]+)% "
                + "Winograd transforms, (-?[0-9.]+)% the rest").matcher(out);
        assertTrue(m.find(), out);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))};
    }

    private static double inPrimitives(String out) {
        Matcher m = Pattern.compile("([0-9.]+)% of the time in oneDNN primitives").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void benchBadArgumentsGiveOneLineErrors() {
        assertBadPredict(dgnet("bench", model.toString(), "--runs", "0"), "--runs");
        assertBadPredict(dgnet("bench", model.toString(), "--precision", "f16"), "precision");
        assertBadPredict(dgnet("bench", dir.resolve("none.safetensors").toString()), "no such file");
        assertBadPredict(dgnet("info", dir.resolve("none.safetensors").toString()), "no such file");
    }

    @Test
    void benchOfSeveralModelsTimesThemInTurnsAndComparesThemInOneTableAndJson() throws IOException {
        Path json = dir.resolve("bench.json");
        CommandRun run = dgnet("bench", "resnet20:static", model.toString(), "resnet20:static", "--size", "32",
                "--warmup", "1", "--runs", "3", "--threads", "1", "--json", json.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("model ")).findFirst().orElseThrow());
        assertTrue(lines.get(header).matches("model +mode +precision +input +p50 +p90 +p99 +images/s +GMAC/image "
                + "+outside oneDNN +p50 ratio"), run.out());
        assertEquals("latency over 3 runs of each, in turns (ms):", lines.get(header - 1), run.out());
        String row = " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)% +([0-9.]+)x";
        List<String> expected = List.of("resnet20 +static +f32 +\\[1, 3, 32, 32\\]" + row,
                "cifar +dynamic +f32 +\\[1, 3, 32, 32\\]" + row, "resnet20 +static +f32 +\\[1, 3, 32, 32\\]" + row);
        assertEquals(expected.size(), lines.size() - header - 2, "one row per model, then where the JSON went: "
                + run.out());
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(lines.get(header + 1 + i).matches(expected.get(i)), expected.get(i) + " in " + run.out());
        }
        assertTrue(lines.get(header + 1).endsWith(" 1.00x"), "the first model is the others' measure: " + run.out());
        assertEquals("wrote " + json, lines.getLast());

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertTrue(report.get("date").asText().matches("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
                report.toString());
        JsonNode machine = report.get("machine");
        assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("logicalCpus").asInt(),
                report.toString());
        assertEquals(Runtime.version().toString(), machine.get("jdk").asText());
        try (CpuDevice device = CpuDevice.create(1)) {
            assertEquals(device.isa(), machine.get("isa").asText());
        }
        assertTrue(machine.get("onednn").asText().matches("[0-9]+\\.[0-9]+.*"), report.toString());
        assertTrue(machine.has("cpu"), report.toString());
        JsonNode options = report.get("options");
        assertEquals(1, options.get("batch").asInt());
        assertEquals(1, options.get("threads").asInt());
        assertEquals(1, options.get("warmup").asInt());
        assertEquals(3, options.get("runs").asInt());
        assertEquals("f32", options.get("precision").asText());
        JsonNode models = report.get("models");
        assertEquals(3, models.size(), report.toString());
        List<String> names = List.of("resnet20", "cifar", "resnet20");
        int[] classes = {1000, LABELS.size(), 1000};
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            assertEquals(names.get(i), m.get("name").asText(), m.toString());
            assertEquals(3, m.get("runs").asInt(), m.toString());
            assertEquals("[1,3,32,32]", m.get("input").toString());
            double below = 0;
            for (String rank : new String[] {"min", "p50", "p90", "p99", "max"}) {
                double ms = m.get("latencyMs").get(rank).asDouble();
                assertTrue(ms >= below && ms > 0, rank + " in " + m);
                below = ms;
            }
            assertTrue(m.get("imagesPerSec").asDouble() > 0, m.toString());
            double sum = 0;
            for (String part : new String[] {"onednn", "routing", "weightedSums", "winogradTransforms", "rest"}) {
                double share = m.get("timeSplit").get(part).asDouble();
                assertTrue(share >= 0 && share <= 1, part + " " + share + " in " + m);
                sum += share;
            }
            assertEquals(1.0, sum, 1e-9, m.toString());
            // ResNet-20 at 32x32: the well-known 40.81 million MACs of its convolutions, and its classifier's.
            assertEquals((40_812_544 + 64L * classes[i]) / 1e9, m.get("gmacPerImage").asDouble(), 1e-12,
                    m.toString());
        }
        assertEquals("dynamic", models.get(1).get("mode").asText());
        assertTrue(models.get(1).get("timeSplit").get("routing").asDouble() > 0, "a dynamic model routes: " + models);
        assertEquals("static", models.get(2).get("mode").asText());
        assertEquals(0.0, models.get(2).get("timeSplit").get("routing").asDouble(), models.toString());
        assertEquals(1.0, models.get(0).get("p50Ratio").asDouble());
        // In turns, each model's runs span the others': run 1 of each, run 2 of each, ... Timed one after another,
        // the next model's first run would start only after the last of the one before had ended.
        for (int i = 1; i < models.size(); i++) {
            JsonNode before = models.get(i - 1).get("windowMs");
            JsonNode window = models.get(i).get("windowMs");
            assertTrue(before.get("from").asDouble() < window.get("from").asDouble()
                    && window.get("from").asDouble() < before.get("to").asDouble()
                    && before.get("to").asDouble() < window.get("to").asDouble(), models.toString());
        }
    }

    @Test
    void benchJsonDashIsTheOnlyStandardOutputAndTheTableGoesToStandardError() throws IOException {
        Piped run = dgnetPiped("bench", "resnet20:static", "resnet20", "--size", "32", "--warmup", "0", "--runs", "2",
                "--threads", "1", "--json", "-");
        assertEquals(0, run.status(), run.err());
        JsonNode report = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(run.out());
        assertEquals(List.of("resnet20", "resnet20"), report.get("models").findValuesAsText("name"));
        assertEquals(List.of("static", "dynamic"), report.get("models").findValuesAsText("mode"));
        assertTrue(run.err().contains("latency over 2 runs of each, in turns (ms):"), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("resnet20  dynamic ")), run.err());

        Piped one = dgnetPiped("bench", "resnet20:static", "--size", "32", "--warmup", "0", "--runs", "1",
                "--threads", "1", "--json", "-");
        assertEquals(0, one.status(), one.err());
        JsonNode single = new ObjectMapper().readTree(one.out()).get("models");
        assertEquals(1, single.size(), single.toString());
        assertEquals(1, single.get(0).get("runs").asInt());
        assertEquals(1.0, single.get(0).get("p50Ratio").asDouble());
        assertTrue(one.err().contains("latency over 1 run (ms): min "), "one model's summary as before: " + one.err());
    }

    @Test
    void benchOfOneModelPrintsItsSummaryAsBeforeAndNoTable() {
        CommandRun run = dgnet("bench", "resnet20:static", "--size", "32", "--warmup", "1", "--runs", "2",
                "--threads", "1");
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(6, lines.size(), run.out());
        assertEquals("resnet20: resnet20 (static, threshold 0.50, f32), input [1, 3, 32, 32]", lines.get(0));
        assertTrue(lines.get(1).startsWith("device: cpu (oneDNN ") && lines.get(1).endsWith(", 1 thread)"), run.out());
        assertTrue(lines.get(2).matches("warm-up: 1 run in [0-9.]+ ms \\(the first prepares kernels and weights\\)"),
                run.out());
        assertTrue(lines.get(3).startsWith("latency over 2 runs (ms): min "), run.out());
        assertTrue(lines.get(4).startsWith("throughput: "), run.out());
        assertTrue(lines.get(5).startsWith("outside oneDNN: "), run.out());
    }

    @Test
    void benchProfileOfSeveralModelsFollowsTheTableModelByModel() {
        CommandRun run = dgnet("bench", "resnet20:static", model.toString(), "--size", "32", "--warmup", "0",
                "--runs", "1", "--threads", "1", "--profile", "3");
        assertEquals(0, run.status(), run.err());
        String out = run.out();
        int first = out.indexOf("resnet20 (model 1):\nops by time over 1 run (the 3 costliest of ");
        int second = out.indexOf("cifar (model 2):\nops by time over 1 run (the 3 costliest of ");
        assertTrue(out.indexOf("p50 ratio") < first && first < second, out);
    }

    @Test
    void benchOfSeveralModelsRefusesABadOneBeforeRunningAny() {
        Path none = dir.resolve("none.safetensors");
        CommandRun run = dgnet("bench", "resnet20:static", none.toString(), "resnet20");
        assertBadPredict(run, "no such file");
        assertTrue(run.err().contains(none.toString()), run.err());
        assertEquals("", run.out(), "nothing ran");
        assertBadPredict(dgnet("bench", "resnet20:static", "resnet20:sometimes"), "'sometimes'");
        Path missing = dir.resolve("no-folder").resolve("bench.json");
        assertBadPredict(dgnet("bench", "resnet20", "--json", missing.toString()), "no such folder");
        assertBadPredict(dgnet("bench", model.toString(), "--json", model.toString()), "is the model");
        assertBadPredict(dgnet("bench"), "MODEL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "device", "models", "info", "predict", "graph", "bench"})
    void everySubcommandHasHelp(String command) {
        CommandRun run = dgnet(command, "--help");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("Usage: dgnet " + command), run.out());
    }

    /** Some line starts with {@code start} and contains every one of {@code parts}. */
    private static void assertLine(String out, String start, String... parts) {
        assertTrue(out.lines().anyMatch(l -> l.startsWith(start) && Arrays.stream(parts).allMatch(l::contains)),
                "a line starting with '" + start + "' with " + String.join(", ", parts) + " in:\n" + out);
    }

}
